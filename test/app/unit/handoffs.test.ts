/**
 * The handoff use cases on the in-memory stores: one unit of work for every
 * change, whoever asks; what each change writes and sends, once; a replay, a
 * refusal and a race write nothing twice. And the one write path: no use
 * case commits a change but through src/app/unit-of-work.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandoff, handoffActions, handoffIdForForm } from '../../../src/app/handoffs';
import { overdueCheck } from '../../../src/app/overdue';
import { BACKGROUND, type Caller } from '../../../src/app/ports';
import { VERBS } from '../../../src/cards/verbs';
import type { Person } from '../../../src/domain/handoff';
import { PROJECT_ROOT } from '../../../src/project';
import { ada, alan, barbara, grace, hedy } from '../../support/builders';
import { callerFor, type MemoryApp, memoryApp } from '../../support/memory-app';

const MEMBERS = [ada, grace, alan, barbara];
const b = BACKGROUND;
let m: MemoryApp;

/** Posts the payments handoff from Ada's chat form; Grace receives, Alan owns, Barbara follows. */
async function post(formId: string = crypto.randomUUID()): Promise<string> {
  const input = {
    formId,
    summary: 'Payments retry logic is ready for QA',
    whatIsReady: 'Retry worker merged behind the payments-retry flag.',
    acceptanceCriteria: 'All retry tests pass in CI\nA failed payment is retried 3 times',
    assumptions: '',
    links: 'https://github.com/contoso/payments/pull/42',
    effort: '4h',
    workState: 'ready',
    blocker: '',
    neededBy: '',
    receiver: grace.aadObjectId,
    owner: alan.aadObjectId,
    stakeholders: barbara.aadObjectId,
    priority: 'normal',
    confirmed: true,
  };
  const created = await createHandoff(m.app, callerFor(ada, { members: MEMBERS, replyToId: `form-${formId}` }), input, 'replaceForm');
  expect(created.outcome).toBe('created');
  await m.app.deliveries.idle();
  return handoffIdForForm('t1', formId);
}

/** Runs a card verb as `who`, as the router does after parsing its data. */
async function act(who: Person, verb: string, data: Record<string, unknown>, caller: Caller = callerFor(who, { members: MEMBERS })) {
  const action = handoffActions[verb]!;
  const answer = await action.run(m.app, caller, action.data.parse(data));
  await m.app.deliveries.idle();
  return answer;
}

const stored = async (id: string) => (await m.stores.handoffs.read(id, b))!.handoff;
const events = async (id: string) => (await m.stores.handoffs.history(id, b)).map((e) => e.type);
const oneToOnes = () => m.sent.filter((s) => s.method === 'post' && s.to.personal).map((s) => s.to.conversationId);

beforeEach(async () => {
  m = memoryApp({ at: '2026-05-04T09:00:00.000Z' });
  // Ada and Alan installed Baton: their personal chats are known.
  for (const p of [ada, alan])
    await m.stores.chats.save(
      {
        tenantId: 't1',
        aadObjectId: p.aadObjectId,
        userId: p.userId,
        conversationId: `a:${p.name}`,
        serviceUrl: 'https://smba.example/',
        botId: '28:baton',
      },
      b,
    );
});

describe('a new handoff', () => {
  it('is written with its first event, its listings and its due time, and its card replaces the form once', async () => {
    const id = await post('form-1');
    expect(await events(id)).toEqual(['posted']);
    expect(m.sent.map((s) => [s.method, s.messageId])).toEqual([['update', 'form-form-1']]);
    for (const p of [ada, grace, alan, barbara])
      expect((await m.stores.people.handoffsOf('t1', p.aadObjectId, 10, b)).map((r) => r.handoffId)).toEqual([id]);
    expect((await m.stores.due.next(m.now(), b))?.handoffId).toBe(id);
    expect(await m.stores.outbox.rows(id, b)).toEqual([]);
    expect((await m.stores.marks.list(b)).filter((mark) => mark.handoffId === id)).toEqual([]);
  });

  it('is written once when the same form comes twice, and a form used by someone else writes nothing', async () => {
    const formId = crypto.randomUUID();
    const id = await post(formId);
    const form = {
      formId,
      summary: 'x',
      whatIsReady: 'x',
      acceptanceCriteria: 'x',
      assumptions: '',
      links: '',
      effort: '',
      workState: '',
      blocker: '',
      neededBy: '',
      receiver: grace.aadObjectId,
      owner: '',
      stakeholders: '',
      priority: '',
      confirmed: true,
    };
    expect(await createHandoff(m.app, callerFor(ada, { members: MEMBERS }), form, 'replaceForm')).toMatchObject({
      outcome: 'existing',
      handoff: { id },
    });
    expect(await events(id)).toEqual(['posted']);
    const stranger = await createHandoff(
      m.app,
      callerFor(grace, { members: MEMBERS }),
      { ...form, receiver: ada.aadObjectId },
      'replaceForm',
    );
    expect(stranger).toMatchObject({ outcome: 'forbidden' });
    expect(await events(id)).toEqual(['posted']);
  });
});

describe('a change', () => {
  it("is applied, written with its event, and sends everyone's card and the 1:1 messages once", async () => {
    const id = await post();
    const before = m.sent.length;
    const answer = await act(grace, VERBS.accept, { handoffId: id, criterion0: 'true', criterion1: 'true' });
    expect('card' in answer && answer.refusal).toBe(undefined);
    expect((await stored(id)).status).toBe('accepted');
    expect(await events(id)).toEqual(['posted', 'accepted']);
    const sent = m.sent.slice(before);
    expect(sent.filter((s) => s.method === 'update').map((s) => s.messageId)).toEqual([(await stored(id)).conversation.messageId]);
    // Ada (sender) and Alan (owner) are told; both installed Baton.
    expect(oneToOnes().sort()).toEqual(['a:Ada Lovelace', 'a:Alan Turing']);
    expect(await m.stores.outbox.rows(id, b)).toEqual([]);
  });

  it('resent by Teams answers with the same card and writes and sends nothing more', async () => {
    const id = await post();
    const caller = callerFor(grace, { members: MEMBERS, activityId: 'f:accept-once' });
    const first = await act(grace, VERBS.accept, { handoffId: id, criterion0: 'true', criterion1: 'true' }, caller);
    const sent = m.sent.length;
    const again = await act(grace, VERBS.accept, { handoffId: id, criterion0: 'true', criterion1: 'true' }, caller);
    expect(again).toEqual(first);
    expect(await events(id)).toEqual(['posted', 'accepted']);
    expect(m.sent.length).toBe(sent);
  });

  it('refused says why on the card and writes and sends nothing', async () => {
    const id = await post();
    const sent = m.sent.length;
    const answer = await act(hedy, VERBS.accept, { handoffId: id, criterion0: 'true', criterion1: 'true' });
    expect(answer).toMatchObject({ refusal: 'Only the receiver, Grace Hopper, can do that on this handoff.' });
    expect(await events(id)).toEqual(['posted']);
    expect(m.sent.length).toBe(sent);
  });

  it('of another tenant finds nothing, as if the handoff did not exist', async () => {
    const id = await post();
    const answer = await act(grace, VERBS.accept, { handoffId: id, criterion0: 'true' }, callerFor(grace, { tenantId: 't2' }));
    expect(answer).toMatchObject({ error: { status: 404 } });
    expect(await events(id)).toEqual(['posted']);
  });

  it('racing another from the same moment: one wins, the other reads again and is told why', async () => {
    const id = await post();
    const [accepted, asked] = await Promise.all([
      act(grace, VERBS.accept, { handoffId: id, criterion0: 'true', criterion1: 'true' }),
      act(grace, VERBS.ask, { handoffId: id, comment: 'Which flag name?' }),
    ]);
    const history = await events(id);
    expect(history).toHaveLength(2);
    const loser = history[1] === 'accepted' ? asked : accepted;
    expect(loser).toMatchObject({
      refusal: expect.stringMatching(/^This handoff was already accepted by you|^You asked a question/),
    });
  });
});

describe('the overdue check', () => {
  it('nudges the holder once through the same unit of work, however often it runs', async () => {
    const id = await post();
    // Due Monday 17:00 (a working day of Grace's, UTC by default): she is nudged at the start of her next working day.
    const { clock, wakeAt } = await stored(id);
    expect([clock?.dueAt, wakeAt]).toEqual(['2026-05-04T17:00:00.000Z', '2026-05-05T09:00:00.000Z']);
    m.at('2026-05-05T09:01:00.000Z');
    expect(await overdueCheck(m.app)).toMatchObject({ overdue: 1, failed: 0 });
    expect(await overdueCheck(m.app)).toMatchObject({ overdue: 0, failed: 0 });
    expect(await events(id)).toEqual(['posted', 'overdue']);
    expect(await m.stores.handoffs.applied(id, `due:${id}:review:1:overdue`, b)).toBe(true);
  });

  it("removes an entry with nothing due behind it, and leaves to the change's delivery the entry it moved", async () => {
    const id = await post();
    // A second entry for the same handoff, at 10:00 Monday: nothing is due on it then (its review is due at 17:00).
    await m.stores.due.schedule(id, '2026-05-04T10:00:00.000Z', m.now(), b);
    m.at('2026-05-04T10:05:00.000Z');
    expect(await overdueCheck(m.app)).toMatchObject({ entries: 1, stale: 1, overdue: 0, failed: 0 });
    // Gone: a check an hour later reads nothing, and the handoff's own entry is still there for Tuesday 09:00.
    m.at('2026-05-04T11:05:00.000Z');
    expect(await overdueCheck(m.app)).toMatchObject({ entries: 0 });
    m.at('2026-05-05T09:01:00.000Z');
    expect(await overdueCheck(m.app)).toMatchObject({ entries: 1, overdue: 1, stale: 0 });
    // The nudge moved the wake-up: its delivery removed the entry of 09:00, and the next check reads nothing.
    m.at('2026-05-05T09:20:00.000Z');
    expect(await overdueCheck(m.app)).toMatchObject({ entries: 0 });
  });

  it('keeps its cursor at the hour of entries it could not remove, so the next check removes them', async () => {
    const id = await post();
    // An entry in the hour of 08:00, with nothing due behind it: a check at 10:05 would next read from 09:00.
    await m.stores.due.schedule(id, '2026-05-04T08:00:00.000Z', Date.parse('2026-05-04T07:00:00.000Z'), b);
    m.at('2026-05-04T10:05:00.000Z');
    const remove = m.stores.due.remove.bind(m.stores.due);
    m.stores.due.remove = async () => {
      throw new Error('storage is down');
    };
    expect(await overdueCheck(m.app)).toMatchObject({ entries: 1, stale: 1, failed: 0 });
    m.stores.due.remove = remove;
    // The cursor stayed at 08:00: the next check reads the entry again, finds it stale again, and removes it.
    m.at('2026-05-04T10:20:00.000Z');
    expect(await overdueCheck(m.app)).toMatchObject({ entries: 1, stale: 1 });
    m.at('2026-05-04T10:35:00.000Z');
    expect(await overdueCheck(m.app)).toMatchObject({ entries: 0 });
  });

  it('asks once per check whether a person reads a daily digest, however many of their handoffs are due', async () => {
    const ids = [await post(), await post(), await post()];
    const isOn = m.stores.digests.isOn.bind(m.stores.digests);
    const asked: string[] = [];
    m.stores.digests.isOn = (tenantId, person, budget) => {
      asked.push(person);
      return isOn(tenantId, person, budget);
    };
    m.at('2026-05-05T09:01:00.000Z');
    expect(await overdueCheck(m.app)).toMatchObject({ handoffs: 3, overdue: 3, failed: 0 });
    // Grace never installed Baton, so Alan, who owns all three, is told of each: one question about him.
    expect(asked).toEqual([alan.aadObjectId]);
    expect((await Promise.all(ids.map(events))).map((e) => e.at(-1))).toEqual(['overdue', 'overdue', 'overdue']);
  });
});

describe('the one write path', () => {
  it('commits every change through src/app/unit-of-work.ts: no other file of src/ commits a handoff', () => {
    const files = (dir: string): string[] =>
      readdirSync(join(PROJECT_ROOT, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
      );
    const committing = [...files('src'), ...files('functions')].filter((f) =>
      /\.handoffs\.commit\(/.test(readFileSync(join(PROJECT_ROOT, f), 'utf8')),
    );
    expect(committing).toEqual([join('src', 'app', 'unit-of-work.ts')]);
  });
});
