/**
 * The weekly summary at scale: 1,000 stakeholders, each following 3
 * handoffs in teams of 10, in a tenant of 3,000 handoffs and then of 10,000
 * (7,000 more that none of them follows). Per tenant size:
 *
 * - the hourly run's enqueue to Azurite's queue (time for 1,000 messages);
 * - every message sent through `sendSummary` as the queue function would,
 *   one after another, against a Graph stand-in that answers 429 to one
 *   sendMail in ten, on a simulated clock (a summary waiting for the next
 *   minute does not make the bench wait);
 * - Table reads per recipient, time per summary built and sent, the most
 *   sent in any minute, and every recipient's email counted: none lost,
 *   none twice.
 */
import { createBaton } from '../src/baton';
import { enqueueDueSummaries, sendSummary, type SendOutcome } from '../src/app/summary';
import { loadConfig } from '../src/config';
import { postHandoff } from '../src/domain/handoff';
import { GraphDirectory } from '../src/graph/directory';
import { GraphApi } from '../src/graph/graph-client';
import { GraphMailer } from '../src/graph/mail';
import { createLogger } from '../src/logger';
import { enqueue, openQueue } from '../src/store/queues';
import { TableClient } from '@azure/data-tables';
import { BACKGROUND } from '../src/app/ports';
import { tableRoundTrips } from '../src/store/table';

const tableClient = (connectionString: string, name: string) =>
  TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });
import { percentiles } from './stats';
import { type GraphStandIn, graphError, startGraphStandIn, TOKEN } from '../test/graph/stand-in';

const STAKEHOLDERS = 1000;
const FOLLOWED_EACH = 3;
const TEAM_SIZE = 10;
/** Each seeded handoff writes five rows at once (record, three people, the team): 8 at a time keeps Azurite answering. */
const SEED_CONCURRENCY = 8;
const TENANT = '00000000-0000-0000-0000-0000000b0a70';
const SENDER = 'baton@contoso.example';
/** Monday 7 December 2026, 08:00 UTC: the stakeholders' summary hour (their zone is UTC). */
const MONDAY = Date.parse('2026-12-07T08:00:00.000Z');

const guid = (kind: number, i: number) => `${String(kind).padStart(8, '0')}-0000-0000-0000-${String(i).padStart(12, '0')}`;
const personOf = (kind: number, i: number, name: string) => ({ aadObjectId: guid(kind, i), userId: `29:${kind}-${i}`, name });
const ada = personOf(1, 1, 'Ada Lovelace');
const grace = personOf(1, 2, 'Grace Hopper');
const alan = personOf(1, 3, 'Alan Turing');
const stakeholder = (i: number) => personOf(2, i, `Stakeholder ${i}`);

export interface SummaryMeasure {
  handoffs: number;
  recipients: number;
  enqueueMs: number;
  /** Table reads (GET) per recipient, over every call of the queue function, deferrals included. */
  readsPerRecipient: number;
  /** Real time per summary built and sent (p50 / p99). */
  sendMs: { p50: number; p99: number };
  /** Simulated minutes from the first send to the last. */
  minutes: number;
  maxPerMinute: number;
  deferrals: number;
  throttled: number;
  emails: number;
  distinct: number;
  seedMs: number;
}

type BenchApp = Awaited<ReturnType<typeof createBaton>>['app'];

/**
 * Seeds handoffs as the app writes them (record, first event, index rows).
 * With `copies`, only the first goes through the store's transaction; the
 * rest are copies of its record under their own ids, written plainly:
 * Azurite takes a transaction ever slower as a table grows.
 */
async function seed(
  app: BenchApp,
  connectionString: string,
  prefix: string,
  from: number,
  to: number,
  make: (i: number) => Parameters<typeof postHandoff>[0],
  copies = false,
): Promise<void> {
  if (from >= to) return;
  const first = postHandoff(make(from));
  await app.stores.handoffs.commit(
    { handoff: first.handoff, etag: undefined, events: [first.event], markers: [`seed-${from}`], effects: [], leaseUntil: '' },
    BACKGROUND,
  );
  await app.stores.people.add(first.handoff, [], BACKGROUND);
  const table = tableClient(connectionString, `${prefix}handoffs`);
  const { etag: _etag, timestamp: _timestamp, ...template } = await table.getEntity(first.handoff.id, 'handoff');
  let next = from + 1;
  await Promise.all(
    Array.from({ length: SEED_CONCURRENCY }, async () => {
      for (let i = next++; i < to; i = next++) {
        const { handoff, event } = postHandoff(make(i));
        if (copies)
          await table.upsertEntity({ ...template, partitionKey: handoff.id, rowKey: 'handoff', summary: handoff.summary }, 'Replace');
        else
          await app.stores.handoffs.commit(
            { handoff, etag: undefined, events: [event], markers: [`seed-${i}`], effects: [], leaseUntil: '' },
            BACKGROUND,
          );
        await app.stores.people.add(handoff, [], BACKGROUND);
      }
    }),
  );
}

function handoffInput(i: number, followed: boolean): Parameters<typeof postHandoff>[0] {
  return {
    id: `sum${String(i).padStart(17, '0')}`,
    tenantId: TENANT,
    fields: {
      summary: `Ledger export ${i} is ready for review`,
      whatIsReady: 'Merged.',
      acceptanceCriteria: ['Totals match'],
      assumptions: '',
      links: [],
      effortMinutes: 60,
      workState: 'ready',
      blocker: '',
      neededBy: undefined,
      priority: 'normal',
    },
    sender: ada,
    receiver: grace,
    owner: alan,
    stakeholders: followed ? [stakeholder(i % STAKEHOLDERS)] : [],
    conversation: {
      id: followed ? `19:team-${Math.floor(i / TEAM_SIZE)}@thread.v2` : `19:other-${i % 700}@thread.v2`,
      serviceUrl: 'http://127.0.0.1:9/',
      tenantId: TENANT,
    },
    // Posted during the week that ends on the Monday.
    at: new Date(MONDAY - 3 * 86_400_000 + (i % 1000) * 60_000).toISOString(),
    late: false,
  };
}

/** One tenant size: seed up to `handoffs`, then enqueue and send the week ending `monday`. */
async function measure(
  standIn: GraphStandIn,
  connectionString: string,
  prefix: string,
  handoffs: number,
  seededSoFar: number,
  monday: number,
): Promise<SummaryMeasure> {
  let now = monday + 60_000;
  const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
  const log = createLogger({ level: 'error' });
  const config = loadConfig({
    TABLES_CONNECTION_STRING: connectionString,
    AzureWebJobsStorage: connectionString,
    BATON_TABLE_PREFIX: prefix,
    BATON_SUMMARY_QUEUE: `${prefix}-summaries`,
    MAIL_SENDER: SENDER,
  });
  const api = new GraphApi({ baseUrl: standIn.url, authProvider: { getAccessToken: async () => TOKEN }, clock, log: () => undefined });
  const graph = { directory: new GraphDirectory(api, { clock }), tenantId: TENANT, mailer: new GraphMailer(api, SENDER, { clock }) };
  // The hourly run, against Azurite's queue; what it enqueued, with when each becomes visible, is also kept for the send below.
  const queue = await openQueue(connectionString, config.summary.queue);
  const pending: { at: number; message: unknown }[] = [];
  const enqueuer = await createBaton(config, {
    clock,
    log,
    graph,
    summaryQueue: {
      send: async (message, delaySeconds) => {
        await enqueue(queue, message, delaySeconds === undefined ? {} : { visibilityTimeoutSeconds: delaySeconds });
        pending.push({ at: now + (delaySeconds ?? 0) * 1000, message });
      },
    },
  });
  const seedStarted = performance.now();
  const followedCount = STAKEHOLDERS * FOLLOWED_EACH;
  if (seededSoFar < followedCount)
    await seed(enqueuer.app, connectionString, prefix, seededSoFar, followedCount, (i) => handoffInput(i, true));
  // The handoffs nobody measured follows: only their presence in the tenant matters.
  await seed(enqueuer.app, connectionString, prefix, Math.max(seededSoFar, followedCount), handoffs, (i) => handoffInput(i, false), true);
  if (seededSoFar === 0) {
    for (let i = 0; i < STAKEHOLDERS; i += 1)
      await enqueuer.app.stores.subscribers.subscribe(
        { tenantId: TENANT, aadObjectId: stakeholder(i).aadObjectId, name: stakeholder(i).name, timeZone: 'UTC' },
        BACKGROUND,
      );
  }
  const seedMs = performance.now() - seedStarted;
  const enqueueStarted = performance.now();
  // As functions/weekly-summary.ts runs them (its Table calls take a background budget).
  const report = await enqueueDueSummaries(enqueuer.app);
  const enqueueMs = performance.now() - enqueueStarted;
  if (report.enqueued !== STAKEHOLDERS) throw new Error(`enqueued ${report.enqueued}, not ${STAKEHOLDERS}`);
  // The bench plays the queue trigger itself, on the simulated clock.
  await queue.clearMessages();

  // The queue function, one message at a time, on the simulated clock; deferrals go back into the same list.
  const sender = await createBaton(config, {
    clock,
    log,
    graph,
    summaryQueue: { send: async (message, delaySeconds) => void pending.push({ at: now + (delaySeconds ?? 0) * 1000, message }) },
  });
  const sentAt: number[] = [];
  const times: number[] = [];
  let deferrals = 0;
  const sentBefore = standIn.sent.length;
  const requestsBefore = standIn.requests.length;
  const readsBefore = tableRoundTrips.reads;
  while (pending.length > 0) {
    pending.sort((a, b) => a.at - b.at);
    const next = pending.shift()!;
    if (next.at > now) now = next.at;
    const started = performance.now();
    const outcome: SendOutcome = await sendSummary(sender.app, next.message);
    if (outcome.outcome === 'deferred') deferrals += 1;
    else if (outcome.outcome === 'sent') {
      times.push(performance.now() - started);
      sentAt.push(now);
    } else throw new Error(`a summary was ${outcome.outcome}: ${JSON.stringify(outcome)}`);
  }
  const reads = tableRoundTrips.reads - readsBefore;
  const sends = standIn.sent.slice(sentBefore);
  const keys = sends.map((s) => (s.message.internetMessageHeaders as { value: string }[])[0]!.value);
  let maxPerMinute = 0;
  for (let i = 0, j = 0; i < sentAt.length; i += 1) {
    while (sentAt[i]! - sentAt[j]! >= 60_000) j += 1;
    maxPerMinute = Math.max(maxPerMinute, i - j + 1);
  }
  const throttled =
    standIn.requests.slice(requestsBefore).filter((r) => r.method === 'POST' && r.path.endsWith('/sendMail')).length - sends.length;
  return {
    handoffs,
    recipients: STAKEHOLDERS,
    enqueueMs,
    readsPerRecipient: reads / STAKEHOLDERS,
    sendMs: percentiles(times),
    minutes: (Math.max(...sentAt) - Math.min(...sentAt)) / 60_000,
    maxPerMinute,
    deferrals,
    throttled,
    emails: sends.length,
    distinct: new Set(keys).size,
    seedMs,
  };
}

/** The summary at 3,000 and then 10,000 handoffs in the tenant, for the same 1,000 stakeholders. */
export async function measureSummaries(connectionString: string): Promise<SummaryMeasure[]> {
  const users = [ada, grace, alan, ...Array.from({ length: STAKEHOLDERS }, (_, i) => stakeholder(i))].map((p) => ({
    id: p.aadObjectId,
    displayName: p.name,
    mail: `${p.name.toLowerCase().replace(/\s+/g, '.')}@contoso.example`,
    userPrincipalName: `${p.name.toLowerCase().replace(/\s+/g, '.')}@contoso.example`,
    accountEnabled: true,
  }));
  const standIn = await startGraphStandIn([
    ...users,
    { id: guid(3, 1), displayName: 'Baton', mail: SENDER, userPrincipalName: SENDER, accountEnabled: true },
  ]);
  // Exchange throttles one sendMail in ten.
  let sends = 0;
  standIn.script(
    (method, path) => method === 'POST' && path.endsWith('/sendMail') && ++sends % 10 === 0,
    ...Array.from({ length: 10_000 }, () =>
      graphError(429, 'ApplicationThrottled', 'Mailbox concurrency limit', undefined, { 'Retry-After': '1' }),
    ),
  );
  try {
    const prefix = `benchsum${Date.now() % 100_000}`;
    const small = await measure(standIn, connectionString, prefix, STAKEHOLDERS * FOLLOWED_EACH, 0, MONDAY);
    if (process.env.BENCH_VERBOSE) console.error(small);
    const large = await measure(standIn, connectionString, prefix, 10_000, STAKEHOLDERS * FOLLOWED_EACH, MONDAY + 7 * 86_400_000);
    return [small, large];
  } finally {
    await standIn.close();
  }
}
