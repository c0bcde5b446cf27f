/**
 * The weekly stakeholder summary: who gets it, when, and once.
 *
 * - Stakeholders are recorded by time zone when a handoff names them (the
 *   outbox's index row runs registerFollowers, in followers.ts).
 * - The hourly run ({@link enqueueDueSummaries}, functions/weekly-summary.ts)
 *   reads the zones, and for each zone whose week has just ended (Monday
 *   08:00 there, by default) enqueues one message per person. A zone records
 *   the week it enqueued, so the run that follows enqueues nothing.
 * - The queue function ({@link sendSummary}) builds and sends each. An
 *   idempotency record per person and week is claimed first, and records
 *   each channel done: a message enqueued twice, two instances, a retry after
 *   a crash never send a second summary.
 * - Each mailbox sends at most `perMinute` a minute across all instances
 *   (a Table row per mailbox with its latest sends). The hourly run hides
 *   each message a little longer than the one before, so they arrive evenly
 *   at that rate; one that still finds every mailbox full goes back on the
 *   queue, hidden until a mailbox has room.
 * - Email whose send was interrupted (the process died after Graph accepted
 *   it and before the record said so) is looked up in the mailbox's Sent
 *   Items by its key before it is sent again.
 */
import * as z from 'zod';
import { summaryEmailCard, summaryHtml, summaryTeamsCard, type SummaryView } from '../cards/summary-card';
import type { AdaptiveCard } from '../cards/render';
import { VERBS } from '../cards/verbs';
import { type Handoff, type Person, PRIORITIES } from '../domain/handoff';
import { type HandoffHistory, type Week, weekEndingAt, weeksBefore } from '../domain/metrics';
import { buildSummary, needsTopic, type Summary, TREND_WEEKS, teamConversation, weekKey, weekLabel } from '../domain/summary';
import { instantAt } from '../domain/time-zones';
import type { WorkingHours } from '../domain/working-hours';
import { UnreadableRecordError } from '../errors';
import { errorText } from '../logger';
import { LruMap } from '../lru';
import { type CardAction, cardAction, handoffRef, text } from './actions';
import { zoneOf } from './followers';
import { changeHandoff } from './handoffs';
import { mapLimit } from './pool';
import { type Answer, type App, BACKGROUND, type Budget, type Caller, personalAddress, type Subscriber } from './ports';

/** How long a sender holds a person's week: far longer than building and sending one summary takes. */
export const CLAIM_MS = 5 * 60_000;
/** A copy that finds the week held by another sender looks again this soon. */
const HELD_RECHECK_MS = 10_000;
/** How many messages the hourly run sends to the queue at once. */
const ENQUEUE_CONCURRENCY = 16;
/** How many handoffs a summary reads at once. */
const READS_AT_ONCE = 16;
/** How many of a person's handoffs a summary looks at, newest first. */
const FOLLOWED_LIMIT = 500;
/** How many handoffs of one team a summary counts, newest first. */
const TEAM_LIMIT = 500;
/** Teams remembered per process, and for how long: a run of summaries takes minutes; a refresh days later reads afresh. */
const TEAMS_KEPT = 200;
const TEAM_CACHE_MS = 10 * 60_000;

/** One queue message: one person's summary for one week. */
export const summaryMessage = z.object({
  tenantId: z.string().min(1).max(64),
  aadObjectId: z.string().min(1).max(64),
  name: z.string().max(256),
  timeZone: z.string().min(1).max(64),
  /** The week's key: the local date it ended on. */
  week: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});
export type SummaryMessage = z.infer<typeof summaryMessage>;

export type SendOutcome =
  | { outcome: 'sent'; channels: string[] }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'already' }
  | { outcome: 'deferred'; reason: string; delaySeconds: number };

/** The week a key names, in a zone: it ends on that local date at the summary's hour. */
export function weekOfKey(app: Pick<App, 'settings'>, key: string, timeZone: string): Week {
  const [year, month, day] = key.split('-').map(Number) as [number, number, number];
  const end = instantAt({ year, month, day, minutes: app.settings.summary.hour * 60 }, timeZone);
  return weekEndingAt(new Date(end), timeZone, app.settings.summary.day, app.settings.summary.hour);
}

export interface EnqueueReport {
  zones: number;
  /** Zones whose week had ended and had not been enqueued yet. */
  zonesDue: number;
  enqueued: number;
}

/**
 * The hourly run: for each zone where the summary's week has ended since the
 * last run, one queue message per person there. A crash halfway leaves the
 * zone unmarked, so the next run enqueues it again; the idempotency record
 * makes the repeats harmless.
 */
export async function enqueueDueSummaries(app: App): Promise<EnqueueReport> {
  // One of its settings is wrong (the log said which): nothing is enqueued until it is fixed.
  if (!app.settings.summary.enabled) return { zones: 0, zonesDue: 0, enqueued: 0 };
  const now = new Date(app.clock.now());
  const zones = await app.stores.zones.list(BACKGROUND);
  const report: EnqueueReport = { zones: zones.length, zonesDue: 0, enqueued: 0 };
  // Each message is hidden a little longer than the one before, so they arrive evenly at the rate the mailboxes allow.
  const perMinute = app.settings.summary.perMinute * Math.max(1, app.settings.summary.mailboxes.length);
  for (const zone of zones) {
    const week = weekKey(weekEndingAt(now, zone.timeZone, app.settings.summary.day, app.settings.summary.hour), zone.timeZone);
    // Keys are dates, so they compare as text.
    if (zone.lastWeek >= week) continue;
    report.zonesDue += 1;
    for await (const page of app.stores.subscribers.inZone(zone.timeZone, BACKGROUND)) {
      const first = report.enqueued;
      await mapLimit(page, ENQUEUE_CONCURRENCY, (s: Subscriber, i) =>
        app.summaryQueue.send(
          { tenantId: s.tenantId, aadObjectId: s.aadObjectId, name: s.name, timeZone: zone.timeZone, week } satisfies SummaryMessage,
          Math.floor(((first + i) * 60) / perMinute) || undefined,
        ),
      );
      report.enqueued += page.length;
    }
    await app.stores.zones.markEnqueued(zone, week, BACKGROUND);
  }
  return report;
}

/** When the next summaries are due: the soonest summary day and hour still to come in any subscriber's zone. */
export async function nextSummaryAt(app: App): Promise<number | undefined> {
  const now = app.clock.now();
  const next = (await app.stores.zones.list(BACKGROUND)).map(
    // The week that ends within the coming seven days ends after now (or exactly now).
    (zone) =>
      Date.parse(weekEndingAt(new Date(now + 7 * 86_400_000), zone.timeZone, app.settings.summary.day, app.settings.summary.hour).end),
  );
  return next.length === 0 ? undefined : Math.min(...next);
}

/** The handoffs a person follows (or takes part in, when they asked for the summary), with their histories. */
async function followedHistories(
  app: App,
  tenantId: string,
  person: Person,
  everything: boolean,
  before: string,
  budget: Budget,
): Promise<HandoffHistory[]> {
  const rows = (await app.stores.people.handoffsOf(tenantId, person.aadObjectId, FOLLOWED_LIMIT, budget)).filter(
    (r) => r.createdAt < before,
  );
  const histories = await mapLimit(rows, READS_AT_ONCE, (row) => historyOf(app, row.handoffId, budget));
  return histories.filter((h): h is HandoffHistory => {
    if (!h || h.handoff.tenantId !== tenantId) return false;
    const { handoff } = h;
    const stakeholder = handoff.stakeholders.some((s) => s.aadObjectId === person.aadObjectId);
    const participant = stakeholder || [handoff.sender, handoff.receiver, handoff.owner].some((p) => p.aadObjectId === person.aadObjectId);
    return everything ? participant : stakeholder;
  });
}

async function historyOf(app: App, id: string, budget: Budget): Promise<HandoffHistory | undefined> {
  try {
    return await app.stores.handoffs.readWithHistory(id, budget);
  } catch (error) {
    if (!(error instanceof UnreadableRecordError)) throw error;
    app.log.error('Skipped a handoff that cannot be read', { handoffId: id, error: error.message });
    return undefined;
  }
}

/**
 * A team's handoffs for a week, read once per process and week: the people
 * of one team share it, so a run over a thousand recipients reads each team
 * once (per instance), not once per recipient.
 */
const teamCache = new LruMap<string, { until: number; histories: Promise<HandoffHistory[]> }>(TEAMS_KEPT);

function teamOf(app: App, tenantId: string, conversation: string, before: string, budget: Budget): Promise<HandoffHistory[]> {
  const key = `${tenantId}|${conversation}|${before}`;
  const now = app.clock.now();
  const cached = teamCache.get(key);
  if (cached && cached.until > now) return cached.histories;
  const histories = (async () => {
    const rows = (await app.stores.people.handoffsInConversation(tenantId, conversation, TEAM_LIMIT, budget)).filter(
      (r) => r.createdAt < before,
    );
    const read = await mapLimit(rows, READS_AT_ONCE, (row) => historyOf(app, row.handoffId, budget));
    return read.filter((h): h is HandoffHistory => h !== undefined);
  })();
  teamCache.set(key, { until: now + TEAM_CACHE_MS, histories });
  // A failed read is not remembered.
  histories.catch(() => teamCache.delete(key));
  return histories;
}

/**
 * What a tenant's teams and channels were renamed to, read once per process
 * and a few minutes: a run's recipients share it. Kept per store, and dropped
 * here when this instance hears of a rename.
 */
const renamedCache = new WeakMap<object, LruMap<string, { until: number; names: Promise<Map<string, string>> }>>();

function renamedIn(app: App, tenantId: string, budget: Budget): Promise<Map<string, string>> {
  const now = app.clock.now();
  const cache = renamedCache.get(app.stores.names) ?? new LruMap(TEAMS_KEPT);
  renamedCache.set(app.stores.names, cache);
  const cached = cache.get(tenantId);
  if (cached && cached.until > now) return cached.names;
  const names = app.stores.names.all(tenantId, budget);
  cache.set(tenantId, { until: now + TEAM_CACHE_MS, names });
  names.catch(() => cache.delete(tenantId));
  return names;
}

/** A chat's topic from the directory, or that it has none, asked once an hour per process: a run's recipients share it. */
const topicCache = new LruMap<string, { until: number; topic: Promise<string | undefined> }>(TEAMS_KEPT);
const TOPIC_CACHE_MS = 60 * 60_000;

/**
 * The names the summary gives its teams: the renames Teams reported, and for
 * a group chat Teams never named, its topic from the directory. A directory that cannot say leaves the chat named
 * by its people, and the log says why.
 */
async function namesOf(
  app: App,
  tenantId: string,
  teams: ReadonlyMap<string, HandoffHistory[]>,
  budget: Budget,
): Promise<Map<string, string>> {
  const names = new Map(await renamedIn(app, tenantId, budget));
  const unnamed = [...teams.entries()].map(([id, histories]) => teamConversation(id, histories)).filter((ref) => needsTopic(ref, names));
  for (const ref of unnamed) {
    const key = `${tenantId}|${ref.id}`;
    const now = app.clock.now();
    let cached = topicCache.get(key);
    if (!cached || cached.until <= now) {
      cached = { until: now + TOPIC_CACHE_MS, topic: app.directoryFor(tenantId).chatTopic(ref.id) };
      topicCache.set(key, cached);
    }
    const topic = await cached.topic.catch((error: unknown) => {
      app.log.warn("Could not read a chat's topic: the summary names the chat by its people", {
        conversationId: ref.id,
        error: errorText(error),
      });
      return undefined;
    });
    if (topic !== undefined) names.set(ref.id, topic);
  }
  return names;
}

/** The names each process last wrote for a team or a channel, so a message in it writes only a change. */
const knownNames = new LruMap<string, string>(TEAMS_KEPT * 4);

/**
 * A message in a channel names its team and channel (`channelData.team.name`,
 * `channelData.channel.name`); the card actions that post and change
 * handoffs do not. Kept once (and again when they change), so the summary
 * names the team even before a rename event. Never fails the message: the
 * summary then names it by its people.
 */
export async function rememberConversationNames(app: App, caller: Caller, budget: Budget): Promise<void> {
  const tenantId = caller.actor.tenantId;
  for (const ref of [caller.conversation.team, caller.conversation.channel]) {
    if (!ref?.name) continue;
    const key = `${tenantId}|${ref.id}`;
    if (knownNames.get(key) === ref.name) continue;
    try {
      await conversationRenamed(app, tenantId, ref.id, ref.name, budget);
    } catch (error) {
      app.log.warn("Could not keep a team's or channel's name; the summary names it by its people until the next message", {
        id: ref.id,
        error: errorText(error),
      });
    }
  }
}

/** Teams said a team or a channel was renamed: the summary names it so from now on. */
export async function conversationRenamed(app: App, tenantId: string, id: string, name: string, budget: Budget): Promise<void> {
  await app.stores.names.rename(tenantId, id, name, budget);
  renamedCache.get(app.stores.names)?.delete(tenantId);
  // A rename event and a message in the channel both keep it: neither writes it again for the other.
  knownNames.set(`${tenantId}|${id}`, name);
}

/** Every handoff of each team (conversation) the followed handoffs live in. */
async function teamHistories(
  app: App,
  tenantId: string,
  followed: readonly HandoffHistory[],
  before: string,
  budget: Budget,
): Promise<Map<string, HandoffHistory[]>> {
  const conversations = [...new Set(followed.map((h) => h.handoff.conversation.id))];
  const teams = new Map<string, HandoffHistory[]>();
  for (const conversation of conversations) teams.set(conversation, await teamOf(app, tenantId, conversation, before, budget));
  return teams;
}

/** A person's summary of a week: the metrics of what they follow, their teams', what needs attention now. */
export async function summaryOf(
  app: App,
  tenantId: string,
  person: Person,
  week: Week,
  timeZone: string,
  everything: boolean,
  budget: Budget,
): Promise<Summary> {
  const followed = await followedHistories(app, tenantId, person, everything, week.end, budget);
  const teams = await teamHistories(app, tenantId, followed, week.end, budget);
  const hours = new Map<string, WorkingHours>();
  const receivers = new Map([...followed, ...[...teams.values()].flat()].map((h) => [h.handoff.receiver.aadObjectId, h.handoff.receiver]));
  await Promise.all([...receivers.values()].map(async (p) => hours.set(p.aadObjectId, await app.workingHours(tenantId, p, budget))));
  const weeks = trendOf(app, week, timeZone);
  return buildSummary({
    followed,
    teams,
    renamed: await namesOf(app, tenantId, teams, budget),
    weeks,
    now: new Date(app.clock.now()),
    hoursOf: (p) => hours.get(p.aadObjectId) ?? hours.values().next().value!,
  });
}

/**
 * The trend's weeks, oldest first, ending with `week`: the summary's weeks
 * (Monday 08:00 to Monday 08:00 in the zone), or, for a week that is not one
 * of them (the `summary` command's seven days up to now), the seven-day
 * windows before it, so no day falls between two weeks.
 */
export function trendOf(app: Pick<App, 'settings'>, week: Week, timeZone: string): Week[] {
  const weeks = weeksBefore(week, TREND_WEEKS, timeZone, app.settings.summary.day, app.settings.summary.hour);
  const contiguous = weeks.every((w, i) => i === 0 || weeks[i - 1]!.end === w.start);
  if (contiguous) return weeks;
  const DAY = 86_400_000;
  return Array.from({ length: TREND_WEEKS }, (_, i) => {
    const back = (TREND_WEEKS - 1 - i) * 7 * DAY;
    return { start: new Date(Date.parse(week.start) - back).toISOString(), end: new Date(Date.parse(week.end) - back).toISOString() };
  });
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** The mailboxes to try, starting at one picked by the person, so a run spreads over them. */
function mailboxesFor(app: App, aadObjectId: string): string[] {
  const boxes = app.settings.summary.mailboxes.length > 0 ? app.settings.summary.mailboxes : [app.mailer.defaultSender];
  let hash = 0;
  for (const ch of aadObjectId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const start = hash % boxes.length;
  return [...boxes.slice(start), ...boxes.slice(0, start)];
}

/** Takes a send from the first mailbox with room in the last minute; when all are full, how long until one has room. */
async function mailboxWithRoom(
  app: App,
  aadObjectId: string,
  now: number,
): Promise<{ mailbox: string; taken: number } | { waitMs: number }> {
  let waitMs = Infinity;
  for (const mailbox of mailboxesFor(app, aadObjectId)) {
    const wait = await app.stores.mailboxes.take(mailbox, now, app.settings.summary.perMinute, BACKGROUND);
    if (wait === 0) return { mailbox, taken: now };
    waitMs = Math.min(waitMs, wait);
  }
  return { waitMs };
}

/** The key an email's send is known by: one per person and week. */
export const summaryMailKey = (m: SummaryMessage) => `summary:${m.week}:${m.tenantId}:${m.aadObjectId}`;

/**
 * Builds and sends one person's summary for one week, once.
 * @throws when a part failed in a way worth retrying (the queue tries again, then moves the message to the poison queue)
 */
export async function sendSummary(app: App, raw: unknown): Promise<SendOutcome> {
  const parsed = summaryMessage.safeParse(raw);
  // A message Baton cannot read is not retried into success: it goes to the poison queue, where an operator sees it.
  if (!parsed.success)
    throw new Error(`Not a summary message (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
  const message = parsed.data;
  if (!app.settings.summary.enabled) return { outcome: 'skipped', reason: 'the weekly summary is off: one of its settings is wrong' };
  const { tenantId, aadObjectId, week: key } = message;
  const now = app.clock.now();
  const log = app.log.child({ summary: key, person: aadObjectId });
  const earlier = await app.stores.sendRecords.get(key, tenantId, aadObjectId, BACKGROUND);
  if (earlier && earlier.state !== 'sending') return { outcome: 'already' };
  if (earlier && Date.parse(earlier.leaseUntil || '1970-01-01') > now) {
    // Another instance is sending it: look again soon (a send takes seconds); if it died, this copy takes over once the claim expires.
    const delaySeconds = seconds(Math.min(Date.parse(earlier.leaseUntil) - now, HELD_RECHECK_MS));
    await app.summaryQueue.send(message, delaySeconds);
    return { outcome: 'deferred', reason: 'another instance holds it', delaySeconds };
  }
  const preference = await app.stores.preferences.get(tenantId, aadObjectId, BACKGROUND);
  let record = await app.stores.sendRecords.claim(key, tenantId, aadObjectId, new Date(now + CLAIM_MS).toISOString(), earlier, BACKGROUND);
  if (!record) return { outcome: 'already' };
  if (preference.stopped) {
    await app.stores.sendRecords.update(
      key,
      tenantId,
      aadObjectId,
      record,
      { state: 'skipped', reason: 'stopped by the person', leaseUntil: '' },
      BACKGROUND,
    );
    return { outcome: 'skipped', reason: 'stopped by the person' };
  }
  const defer = async (waitMs: number): Promise<SendOutcome> => {
    // Back on the queue, hidden until a mailbox has room (with a little jitter, so instances do not all wake at once).
    const delaySeconds = seconds(waitMs) + Math.floor(Math.random() * 3);
    await app.stores.sendRecords.update(key, tenantId, aadObjectId, record!, { leaseUntil: '' }, BACKGROUND);
    await app.summaryQueue.send(message, delaySeconds);
    return { outcome: 'deferred', reason: 'every sending mailbox sent its limit this minute', delaySeconds };
  };
  const interrupted = record.done.find((d) => d.startsWith('email?:'))?.slice('email?:'.length);
  // The mailbox's budget first: a summary over the limit costs two reads, not the reads of building it.
  let budget: { mailbox: string; taken: number } | undefined;
  if (!record.done.includes('email') && !interrupted) {
    const room = await mailboxWithRoom(app, aadObjectId, now);
    if ('waitMs' in room) return defer(room.waitMs);
    budget = room;
  }
  const person: Person = { aadObjectId, userId: `8:orgid:${aadObjectId}`, name: message.name };
  const week = weekOfKey(app, key, message.timeZone);
  const summary = await summaryOf(app, tenantId, person, week, message.timeZone, preference.optedIn, BACKGROUND);
  if (summary.followed === 0) {
    await app.stores.sendRecords.update(
      key,
      tenantId,
      aadObjectId,
      record,
      { state: 'skipped', reason: 'nothing open or changed that week', leaseUntil: '' },
      BACKGROUND,
    );
    return { outcome: 'skipped', reason: 'nothing open or changed that week' };
  }
  const view: SummaryView = {
    summary,
    viewer: person,
    timeZone: message.timeZone,
    now: new Date(now),
    publicBaseUrl: app.settings.publicBaseUrl,
    stopped: false,
  };
  const notes: string[] = [];
  try {
    if (!record.done.includes('email')) {
      const outcome = await sendSummaryEmail(app, message, view, { interrupted, budget }, async (from) => {
        // Written before the send: a crash after it leaves a trace, and the retry looks in that mailbox's Sent Items first.
        record = await app.stores.sendRecords.update(
          key,
          tenantId,
          aadObjectId,
          record!,
          { done: [...record!.done, `email?:${from}`] },
          BACKGROUND,
        );
      });
      if (typeof outcome === 'object') return defer(outcome.waitMs);
      if (outcome === 'sent')
        record = await app.stores.sendRecords.update(
          key,
          tenantId,
          aadObjectId,
          record,
          { done: [...record.done.filter((d) => !d.startsWith('email?:')), 'email'] },
          BACKGROUND,
        );
      else notes.push(outcome);
    }
    if (!record.done.includes('teams')) {
      const chat = await app.stores.chats.find(tenantId, aadObjectId, BACKGROUND);
      if (chat) {
        const address = personalAddress(chat);
        await app.messenger.post(address, summaryTeamsCard({ ...view, viewer: { ...person, userId: chat.userId } }));
        record = await app.stores.sendRecords.update(key, tenantId, aadObjectId, record, { done: [...record.done, 'teams'] }, BACKGROUND);
      } else notes.push('no personal chat with Baton (not installed)');
    }
  } catch (error) {
    // Let the retry claim it at once; the channels done stay done.
    await app.stores.sendRecords
      .update(key, tenantId, aadObjectId, record, { leaseUntil: '', reason: errorText(error) }, BACKGROUND)
      .catch(() => undefined);
    throw error;
  }
  const channels = record.done.filter((d) => d === 'email' || d === 'teams');
  await app.stores.sendRecords.update(
    key,
    tenantId,
    aadObjectId,
    record,
    { state: channels.length > 0 ? 'sent' : 'skipped', reason: notes.join('; '), leaseUntil: '' },
    BACKGROUND,
  );
  if (channels.length === 0) {
    log.warn('Weekly summary reached nobody', { reason: notes.join('; ') });
    return { outcome: 'skipped', reason: notes.join('; ') };
  }
  return { outcome: 'sent', channels };
}

/**
 * The email: the person's address from the directory, a mailbox with room,
 * then one send by key.
 * @returns 'sent', how long until a mailbox has room (all are full), or why it cannot go (no address)
 */
async function sendSummaryEmail(
  app: App,
  message: SummaryMessage,
  view: SummaryView,
  mailboxes: {
    /** The mailbox of a send that was interrupted: it may have gone. */
    interrupted: string | undefined;
    /** A mailbox whose budget this send already took, and when. */
    budget: { mailbox: string; taken: number } | undefined;
  },
  beforeSend: (mailbox: string) => Promise<void>,
): Promise<'sent' | { waitMs: number } | string> {
  const { interrupted } = mailboxes;
  const key = summaryMailKey(message);
  const [found] = await app.directoryFor(message.tenantId).resolvePeople([message.aadObjectId]);
  if (!found?.ok || !found.person.mail.includes('@'))
    return `no mail address in the directory (${found && !found.ok ? found.message : 'unknown'})`;
  if (interrupted && (await app.mailer.wasSent(key, interrupted))) return 'sent';
  const budget = mailboxes.budget ?? (await mailboxWithRoom(app, message.aadObjectId, app.clock.now()));
  if ('waitMs' in budget) return budget;
  const { mailbox } = budget;
  await beforeSend(mailbox);
  await app.mailer.sendMail({
    to: [found.person.mail],
    from: mailbox,
    subject: `Your week in handoffs, ${weekLabel(view.summary.week, message.timeZone)}`,
    html: summaryHtml(view),
    card: summaryEmailCard(view, app.settings.summary.originator),
    key,
    actor: { tenantId: message.tenantId, aadObjectId: message.aadObjectId, name: message.name },
  });
  // Retries after a 429 sent it later than its budget was taken: the window counts when it went.
  await app.stores.mailboxes.went(mailbox, budget.taken, app.clock.now(), BACKGROUND);
  return 'sent';
}

// ---- What people do with a summary: the `summary` command and the card's buttons (Teams and Outlook alike).

/** The week a card's action names: a week's key, or 'latest' (the seven days up to now, the `summary` command's). */
async function weekFor(app: App, caller: Caller, key: string): Promise<{ week: Week; timeZone: string }> {
  const timeZone = await zoneOf(app, caller.actor.tenantId, caller.actor.person, caller.budget);
  if (key === 'latest') {
    const now = app.clock.now();
    return { week: { start: new Date(now - 7 * 86_400_000).toISOString(), end: new Date(now).toISOString() }, timeZone };
  }
  return { week: weekOfKey(app, key, timeZone), timeZone };
}

/** The summary card for the person acting, on the channel they act from. */
export async function summaryCard(app: App, caller: Caller, key: string, notice?: string): Promise<AdaptiveCard> {
  const { tenantId, person } = caller.actor;
  const { week, timeZone } = await weekFor(app, caller, key);
  const preference = await app.stores.preferences.get(tenantId, person.aadObjectId, caller.budget);
  // A week's email refreshes to what was sent (the handoffs followed, or all taken part in for who asked);
  // the summary command shows every handoff the person takes part in.
  const summary = await summaryOf(app, tenantId, person, week, timeZone, key === 'latest' || preference.optedIn, caller.budget);
  const view: SummaryView = {
    summary,
    viewer: person,
    timeZone,
    now: new Date(app.clock.now()),
    publicBaseUrl: app.settings.publicBaseUrl,
    stopped: preference.stopped,
    notice,
    weekKey: key,
  };
  return caller.channel === 'outlook' ? summaryEmailCard(view, app.settings.summary.originator) : summaryTeamsCard(view);
}

/** Refresh (Outlook runs it whenever the email is opened): the week's summary with each handoff's state now. */
export async function refreshSummary(app: App, caller: Caller, key: string): Promise<Answer> {
  return { card: await summaryCard(app, caller, key) };
}

/** A stakeholder flags a priority change from the summary; the answer is the summary again, saying what happened. */
export async function flagFromSummary(
  app: App,
  caller: Caller,
  key: string,
  handoffId: string,
  priority: Handoff['priority'],
  reason: string,
): Promise<Answer> {
  const answer = await changeHandoff(app, caller, handoffId, () => ({ type: 'flagPriority', priority, reason }));
  if ('error' in answer) return answer;
  const stored = await app.stores.handoffs.read(handoffId, caller.budget);
  const notice =
    answer.refusal ?? `You flagged “${stored?.handoff.summary ?? 'the handoff'}” as ${priority}: the team sees it on the handoff's card.`;
  return { card: await summaryCard(app, caller, key, notice) };
}

/** Stops or restarts a person's weekly summary. Starting also records them, so someone who follows nothing yet (an owner) gets one. */
export async function setSummaryWanted(app: App, caller: Caller, key: string, wanted: boolean): Promise<Answer> {
  const notice = await changeSummaryPreference(app, caller, wanted);
  return { card: await summaryCard(app, caller, key, notice) };
}

/**
 * `summary stop` and `summary start`: the preference changed, and what it
 * says in one line (the card is `summary`'s, not reposted for a setting).
 */
export async function summaryPreferenceLine(app: App, caller: Caller, wanted: boolean): Promise<string> {
  const line = await changeSummaryPreference(app, caller, wanted);
  return wanted ? line : 'Your weekly summary is stopped. Type "summary start" to have it again.';
}

/** Stops or starts the person's weekly summary; what the card says of it then. */
async function changeSummaryPreference(app: App, caller: Caller, wanted: boolean): Promise<string> {
  const { tenantId, person } = caller.actor;
  const now = new Date(app.clock.now()).toISOString();
  await app.stores.preferences.set(tenantId, person.aadObjectId, { stopped: !wanted, optedIn: wanted }, now, caller.budget);
  if (wanted)
    await app.stores.subscribers.subscribe(
      { tenantId, aadObjectId: person.aadObjectId, name: person.name, timeZone: await zoneOf(app, tenantId, person, caller.budget) },
      caller.budget,
    );
  // It says "in Teams" only when it will reach them there: Baton writes only to people who installed it.
  const inTeams = wanted && (await app.stores.chats.find(tenantId, person.aadObjectId, caller.budget)) !== undefined;
  const when = `every ${cap(app.settings.summary.day)} at ${String(app.settings.summary.hour).padStart(2, '0')}:00 your time`;
  const notice = !wanted
    ? 'Your weekly summary is stopped. Start it again from this card, or type "summary start" in my chat.'
    : inTeams
      ? `Your weekly summary is on: ${when}, by email and in Teams.`
      : `Your weekly summary is on: ${when}, by email (in Teams too once you add Baton in your personal chat).`;
  return notice;
}

const cap = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** The `summary` command's card: the seven days up to now, for the person alone. */
export function summaryNow(app: App, caller: Caller): Promise<AdaptiveCard> {
  return summaryCard(app, caller, 'latest');
}

// ---- The verbs.

/** A week's key (its last local date), or 'latest' (the seven days up to now). */
const summaryRef = z.object({
  week: z
    .union([z.literal('latest'), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'not a week')])
    .optional()
    .default('latest'),
});

/**
 * What each summary verb means (the weekly summary's buttons, in the Teams
 * card and the Outlook email alike): each names the week it shows.
 */
export const summaryActions: Readonly<Record<string, CardAction>> = {
  [VERBS.summaryRefresh]: cardAction(summaryRef, (app, caller, data) => refreshSummary(app, caller, data.week)),
  [VERBS.summaryFlagPriority]: cardAction(
    summaryRef.extend(handoffRef.shape).extend({ priority: z.enum(PRIORITIES), priorityReason: text }),
    (app, caller, data) => flagFromSummary(app, caller, data.week, data.handoffId, data.priority, data.priorityReason),
  ),
  [VERBS.summaryStop]: cardAction(summaryRef, (app, caller, data) => setSummaryWanted(app, caller, data.week, false)),
  [VERBS.summaryStart]: cardAction(summaryRef, (app, caller, data) => setSummaryWanted(app, caller, data.week, true)),
};
