/**
 * Exactly once through a blip of storage, for the away check's messages too
 * (issue 24's rule for every send, on issue 25's owner message): the Table
 * service is cut (every connection reset) right after the connector took
 * Alan's message about Grace's absence, or as its mark goes to storage, or
 * the mark lands and its answer is lost; storage comes back once one storage
 * call has failed for good, and the away check runs again after the message's
 * claim ran out. Whatever the step, Alan gets the message once.
 *
 * Real parts: Azurite behind a proxy that cuts it, the Bot Connector stand-in,
 * Baton's own stores and the away check. Each step runs on its own tables,
 * connector and proxy, all at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { awayCheck } from '../../src/app/away';
import { BACKGROUND } from '../../src/app/ports';
import { createBaton } from '../../src/baton';
import { loadConfig } from '../../src/config';
import { createLogger, formatRecord } from '../../src/logger';
import { cardAction, message, paymentsForm, people, TENANT } from '../support/activities';
import { type Arm, cutAt, cutAtWriteAfter, loseAnswerAfter, startBlipParts } from '../support/blips';

/**
 * One storage call tries five times (the Table client's four retries):
 * storage comes back at the sixth refused request for Grace's away record,
 * after one call of the away check has failed for good. (The deliveries of the
 * change that moved her due time may be in flight meanwhile: their refused
 * requests do not count.)
 */
const REFUSED_BEFORE_RESTORE = 6;
/** Past the claim of a message being sent (src/app/away.ts, two minutes). */
const PAST_THE_CLAIM_MS = 2 * 60_000 + 1;

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
});

const ALAN_CHAT = 'a:personal-alan';
const toAlan = (r: { method: string; conversationId: string }) => r.method === 'POST' && r.conversationId === ALAN_CHAT;
/** A request for an away record. */
const isAway = (r: { path: string }) => /PartitionKey='away'/.test(r.path);
/** A write of Grace's away record (the message's claim and its mark are both one). */
const isAwayWrite = (r: { method: string; path: string }) => r.method !== 'GET' && isAway(r);

const steps: [string, Arm][] = [
  ['right after the connector answered the owner’s message', cutAt('answered', toAlan)],
  ['as the message’s mark goes to storage', cutAtWriteAfter(toAlan, isAwayWrite)],
  ['when the mark reached storage but its answer was lost', loseAnswerAfter(toAlan, isAwayWrite)],
];

describe('storage cut as the away check sends the owner’s message', () => {
  it.concurrent.each(steps)('%s: Alan gets it exactly once', { timeout: 60_000 }, async (_name, arm) => {
    const { connector, proxy, prefix } = await startBlipParts([people.ada, people.grace, people.alan], closers);
    // Tuesday 24 November 2026; the tests' people work Monday to Friday, 09:00-17:00 UTC.
    let now = Date.parse('2026-11-24T10:00:00Z');
    const logs: string[] = [];
    // Nobody's automatic replies (a dev/away.json of the project's own would say otherwise): Grace tells Baton herself.
    const dir = mkdtempSync(join(tmpdir(), 'baton-away-blips-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const noReplies = join(dir, 'away.json');
    const config = loadConfig({ TABLES_CONNECTION_STRING: proxy.connectionString, BATON_TABLE_PREFIX: prefix, BATON_AWAY_FILE: noReplies });
    const baton = await createBaton(config, {
      clock: { now: () => now, sleep: async () => undefined },
      log: createLogger({ sink: (r) => logs.push(formatRecord(r)) }),
    });
    const post = async (activity: unknown) => {
      const answer = (await baton.bot.handle(JSON.stringify(activity), '')) as { status: number; body: any };
      await baton.app.deliveries.idle();
      return answer;
    };
    // Alan, the owner, installed Baton: the message about Grace's absence goes to his personal chat.
    await post({
      ...message(connector.url, people.alan, ''),
      type: 'installationUpdate',
      action: 'add',
      conversation: { id: ALAN_CHAT, conversationType: 'personal', tenantId: TENANT },
    });
    const formId = crypto.randomUUID();
    await post(cardAction(connector.url, people.ada, 'handoff.create', paymentsForm(formId), { replyToId: `form-${formId}` }));
    // Grace tells Baton she is away from tomorrow until Monday.
    const saved = await post(
      cardAction(connector.url, people.grace, 'away.save', {
        awayFrom: '2026-11-25',
        awayUntil: '2026-11-30',
        successor: '',
        handOver: 'false',
      }),
    );
    expect(saved.body.statusCode).toBe(200);

    // Wednesday 09:00: her absence began, and Alan's working day too. Storage comes back once one call failed for good.
    now = Date.parse('2026-11-25T09:00:00Z');
    const start = connector.sent.length;
    const since = () => connector.sent.slice(start);
    let refused = 0;
    proxy.onRefused = (request) => {
      if (isAway(request) && (refused += 1) >= REFUSED_BEFORE_RESTORE) proxy.restore();
    };
    arm({ proxy, connector });
    await awayCheck(baton.app);
    proxy.restore();
    await baton.app.deliveries.idle();

    // Past the message's claim, two runs (two instances' timers, or the next quarter hours) send what is left.
    now += PAST_THE_CLAIM_MS;
    await awayCheck(baton.app);
    await awayCheck(baton.app);
    await baton.app.deliveries.idle();

    const messages = since().filter(toAlan);
    expect(messages.map((s) => JSON.stringify(s.activity))).toEqual([expect.stringContaining('Grace Hopper')]);
    const record = await baton.app.stores.away.get(TENANT, people.grace.aadObjectId, BACKGROUND);
    expect(record?.notices.map((n) => [n.kind, n.state])).toEqual([['owner', 'sent']]);
    expect(logs.filter((l) => l.startsWith('[error]'))).toEqual([]);
  });
});
