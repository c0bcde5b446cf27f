/**
 * What the weekly summary calls a team: the name Teams reported on a rename,
 * else a group chat's topic from the directory (asked once an hour, shared by
 * a run's recipients), else the chat's people; a directory that cannot say
 * is logged and changes nothing else.
 */
import { describe, expect, it } from 'vitest';
import { createHandoff } from '../../../src/app/handoffs';
import { BACKGROUND } from '../../../src/app/ports';
import { conversationRenamed, summaryOf } from '../../../src/app/summary';
import { ada, alan, barbara, grace } from '../../support/builders';
import { callerFor, memoryApp } from '../../support/memory-app';

const AT = '2026-12-02T10:00:00.000Z';
const MEMBERS = [ada, grace, alan, barbara];

async function appWithHandoff(conversation: string, topics: ReadonlyMap<string, string | Error>) {
  const m = memoryApp({ at: AT, topics });
  const formId = crypto.randomUUID();
  const created = await createHandoff(
    m.app,
    callerFor(ada, { members: MEMBERS, replyToId: `form-${formId}`, conversation }),
    {
      formId,
      summary: 'Payments retry logic is ready for QA',
      whatIsReady: 'Retry worker merged behind the payments-retry flag.',
      acceptanceCriteria: 'All retry tests pass in CI',
      assumptions: '',
      links: '',
      effort: '4h',
      workState: 'ready',
      blocker: '',
      neededBy: '',
      receiver: grace.aadObjectId,
      owner: alan.aadObjectId,
      stakeholders: barbara.aadObjectId,
      priority: 'normal',
      confirmed: true,
    },
    'replaceForm',
  );
  expect(created.outcome).toBe('created');
  await m.app.deliveries.idle();
  m.at('2026-12-04T10:00:00.000Z');
  const teamNames = async () =>
    (
      await summaryOf(
        m.app,
        't1',
        barbara,
        { start: '2026-11-30T00:00:00.000Z', end: new Date(m.now()).toISOString() },
        'UTC',
        true,
        BACKGROUND,
      )
    ).teams.map((t) => t.name);
  return { m, teamNames };
}

describe("the summary's team names", () => {
  it("names a group chat Teams never named by its topic from the directory, once asked for all the run's recipients", async () => {
    let asked = 0;
    const topics = new Map<string, string | Error>();
    Object.defineProperty(topics, 'get', { value: (id: string) => ((asked += 1), id === '19:launch' ? 'Launch crew' : undefined) });
    const { teamNames } = await appWithHandoff('19:launch', topics);
    expect(await teamNames()).toEqual(['Launch crew']);
    expect(await teamNames()).toEqual(['Launch crew']);
    expect(asked).toBe(1);
  });

  it('prefers the name Teams reported on a rename, and asks the directory nothing', async () => {
    let asked = 0;
    const topics = new Map<string, string | Error>();
    Object.defineProperty(topics, 'get', { value: () => ((asked += 1), 'Topic') });
    const { m, teamNames } = await appWithHandoff('19:renamed', topics);
    await conversationRenamed(m.app, 't1', '19:renamed', 'Release train', BACKGROUND);
    expect(await teamNames()).toEqual(['Release train']);
    expect(asked).toBe(0);
  });

  it('names the chat by its people when the directory cannot say, and logs why', async () => {
    const { m, teamNames } = await appWithHandoff('19:denied', new Map([['19:denied', new Error('Graph denied reading a chat (403)')]]));
    expect(await teamNames()).toEqual(['Chat with Ada Lovelace, Alan Turing and Grace Hopper']);
    expect(m.logs.some((l) => l.includes("Could not read a chat's topic") && l.includes('403'))).toBe(true);
  });
});
