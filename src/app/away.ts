/**
 * Time away (issue 25): nobody is nudged, blamed or waited on while they are
 * away. Absences come from each person's automatic replies (their mailbox
 * settings) and from what they tell Baton (`away` in the personal chat);
 * src/app/working-hours.ts puts them in everyone's working hours, so no due
 * time counts them.
 *
 * The away check (functions/away-check.ts, every 15 minutes) looks at each
 * person who holds a ball (a change that gives someone the ball records them)
 * and, for each:
 *   1. keeps what their sources say of their absences (the past as it was seen);
 *   2. moves the due times of what waits on them by the time away (a change
 *      like any other, with Baton's history event);
 *   3. when an absence begins: hands their reviews to their successor if they
 *      asked, and writes one message for each owner whose handoffs wait on
 *      them, with Reassign (their successor filled in) and Keep waiting;
 *   4. when they are back: one message with what was handed on meanwhile;
 *   5. sends each message due, inside its reader's working hours (never while
 *      the reader is away), claimed first so a second run does not send it again.
 */
import * as z from 'zod';
import { type AwayNoticeItem, awayCard, awayNoticeCard, choiceOf, reassignOf } from '../cards/away-card';
import type { AdaptiveCard } from '../cards/render';
import { VERBS } from '../cards/verbs';
import {
  absenceAt,
  awayText,
  normalizeAbsences,
  localDay,
  mergeAbsences,
  returnOf,
  sameAbsences,
  statedAbsences,
  type AutomaticReplies,
} from '../domain/away';
import { dueView, returnEvent } from '../domain/due';
import { ballHolder, batonEvent, displayName, type Handoff, type Listing, type Person, STATUS, type Step, turnOf } from '../domain/handoff';
import { check, handOverWhileAway } from '../domain/process';
import { formatDay, formatWhenIn } from '../domain/time-format';
import { instantAt } from '../domain/time-zones';
import { type Absence, nextWorkingInstant, type WorkingHours, zoneForText } from '../domain/working-hours';
import { ConnectorError, StorageError, ThrottledError } from '../errors';
import { errorText } from '../logger';
import { type CardAction, cardAction, handoffRef, text } from './actions';
import { reassignHandoff } from './handoffs';
import { listingsVisibleTo } from './listings';
import { privately, type PrivateAnswer } from './my-work';
import { absencesNoted } from './overdue';
import { mapLimit } from './pool';
import {
  type Answer,
  type App,
  type AwayItem,
  type AwayNotice,
  type AwayRecord,
  BACKGROUND,
  type Budget,
  type Caller,
  personalAddress,
} from './ports';
import { type Change, commitChange, withDueState } from './unit-of-work';
import { AWAY_RECHECK_MS, LEASE_MARGIN_MS, RECORD_PAUSE_MS, SEND_NEEDS_MS } from './deliverer';

const budget = BACKGROUND;
/** People looked at once: each is a mailbox read and, for the few away, a few Table round trips. */
const CONCURRENCY = 4;
/** How many of a person's handoffs the check looks through for what waits on them, newest first (as `mine`). */
const HELD_LIMIT = 200;
/** A message names at most this many handoffs (a record stays a small row); the rest wait in `mine`. */
const MAX_ITEMS = 20;
/** How long a run holds a message while it sends it: well past a connector call's timeout. */
const NOTICE_LEASE_MS = 2 * 60_000;
/** Someone who has held no ball for this long, with nothing of theirs to keep, is no longer watched. */
const FORGET_AFTER_MS = 30 * 24 * 3_600_000;

export interface AwayReport {
  /** People watched (they hold, or held lately, a ball). */
  people: number;
  /** People whose absences changed. */
  changed: number;
  /** Handoffs whose due time moved for an absence. */
  moved: number;
  /** Absences that began (their owners' messages written). */
  announced: number;
  /** Reviews handed to a successor, as the absent receiver asked. */
  handedOver: number;
  /** Absences that ended. */
  returned: number;
  /** Messages sent. */
  sent: number;
  /** People no longer watched. */
  forgotten: number;
  /** People the check could not finish; the next run tries again. */
  failed: number;
}

const personOf = (record: Pick<AwayRecord, 'aadObjectId' | 'name' | 'userId'>): Person => ({
  aadObjectId: record.aadObjectId,
  userId: record.userId,
  name: record.name,
});
const firstName = (person: Person) => person.name.split(' ')[0] ?? person.name;

/** Does the away check for everyone watched; see the top of this file. */
export async function awayCheck(app: App, context: { invocationId?: string } = {}): Promise<AwayReport> {
  const started = Date.now();
  const report: AwayReport = {
    people: 0,
    changed: 0,
    moved: 0,
    announced: 0,
    handedOver: 0,
    returned: 0,
    sent: 0,
    forgotten: 0,
    failed: 0,
  };
  for await (const page of app.stores.away.all(budget)) {
    report.people += page.length;
    await mapLimit(page, CONCURRENCY, async (record) => {
      try {
        await checkPerson(app, record, report);
      } catch (error) {
        report.failed += 1;
        app.log.warn('Away check could not finish for a person; the next run tries again', {
          invocationId: context.invocationId,
          person: record.aadObjectId,
          error: errorText(error),
        });
      }
    });
  }
  const { people: _people, ...done } = report;
  if (Object.values(done).some((n) => n > 0))
    app.log.info('Away check done', { invocationId: context.invocationId, ...report, durationMs: Date.now() - started });
  return report;
}

/**
 * Saves a change to a person's record, reading it again and redoing the
 * change when someone wrote it meanwhile (a change that watched them, a
 * click on a message).
 * @returns the record as saved
 */
async function changeRecord(
  app: App,
  record: AwayRecord,
  change: (current: AwayRecord) => AwayRecord,
  b: Budget = budget,
): Promise<AwayRecord> {
  let current = record;
  for (let attempt = 1; attempt <= 4; attempt += 1) {
    const saved = await app.stores.away.save(change(current), b);
    if (saved) return saved;
    const fresh = await app.stores.away.get(record.tenantId, record.aadObjectId, b);
    current = fresh ?? { ...current, etag: '' };
  }
  throw new Error(`The away record of ${record.name} kept changing while it was being saved`);
}

/** What waits on a person now: the open handoffs they hold the ball of. */
async function heldBy(app: App, record: AwayRecord): Promise<Listing[]> {
  const person = personOf(record);
  const listings = await listingsVisibleTo(app, { tenantId: record.tenantId, person }, HELD_LIMIT, budget);
  return listings.filter((l) => !STATUS[l.status].final && ballHolder(l)?.aadObjectId === person.aadObjectId);
}

async function checkPerson(app: App, first: AwayRecord, report: AwayReport): Promise<void> {
  const now = new Date(app.clock.now());
  const at = now.toISOString();
  const person = personOf(first);
  let record = first;

  // 1. What their sources say now; what already happened stays as it was seen.
  const replies = await app
    .directoryFor(record.tenantId)
    .getAutomaticReplies(person.aadObjectId)
    .catch(() => undefined);
  const absences =
    replies === undefined
      ? record.absences
      : mergeAbsences(record.absences, statedAbsences(replies, record.declared, record.absences, at), at);
  const changed = !sameAbsences(absences, record.absences);
  // Their absences as every use case reads them (src/app/working-hours.ts): what their sources say now, whether or not
  // this run has kept it yet; from the record just read, so a person who is not away costs no storage read.
  const away = replies === undefined ? normalizeAbsences([...record.absences, ...(record.declared ? [record.declared] : [])]) : absences;
  const current = absenceAt({ away }, now);
  const begins = current !== undefined && record.announced !== current.start;
  const ends = current === undefined && record.announced !== '';

  if (changed || begins || ends || (current && record.handOver && record.successor)) {
    // 2. What waits on them counts the time away (before the record keeps it: a run that fails here does it again).
    const held = await heldBy(app, record);
    if (changed || begins || ends)
      for (const listing of held) {
        if (await noteAbsences(app, listing.id, now)) report.moved += 1;
        // Back by the absence's own end date: nothing moved, but the card must stop saying they are away.
        else if (ends) await noteReturn(app, listing.id, record.announced, now);
      }
    if (changed) {
      record = await changeRecord(app, record, (r) => ({ ...r, absences }));
      report.changed += 1;
    }

    if (begins) {
      // 3. The absence begins: each owner is told once (the message says what became of each handoff when it goes).
      record = await changeRecord(app, record, (r) => ({
        ...r,
        announced: current.start,
        handedOn: [],
        notices: [...r.notices.filter((n) => n.state === 'pending' && n.kind === 'return'), ...ownerNotices(record, current, held, at)],
      }));
      report.announced += 1;
    }
    if (current && record.handOver && record.successor) {
      for (const listing of held) {
        const item = await handOver(app, record, listing, now);
        if (!item) continue;
        record = await changeRecord(app, record, (r) => ({ ...r, handedOn: [...r.handedOn, item].slice(-MAX_ITEMS) }));
        report.handedOver += 1;
      }
    }
  }
  if (ends) {
    // 4. Back: one message with what was handed on meanwhile, and the owners' messages are over.
    record = await changeRecord(app, record, (r) => ({
      ...r,
      announced: '',
      handedOn: [],
      notices: [
        ...r.notices.filter((n) => n.kind === 'return' && n.state === 'pending'),
        ...(r.handedOn.length > 0
          ? [
              {
                id: `return:${r.announced}:${r.aadObjectId}`,
                kind: 'return' as const,
                to: personOf(r),
                notBefore: at,
                items: r.handedOn,
                state: 'pending' as const,
                leaseUntil: '',
              },
            ]
          : []),
      ],
    }));
    report.returned += 1;
  }

  // 5. The messages due, each once, inside their reader's working hours.
  for (const notice of record.notices) {
    if (notice.state !== 'pending' || notice.notBefore > at || notice.leaseUntil > at) continue;
    const sent = await sendNotice(app, record, notice, now);
    record = sent.record;
    if (sent.sent) report.sent += 1;
  }

  if (await forgotten(app, record, now)) report.forgotten += 1;
}

/** One message per owner whose handoffs wait on the absent person (never to themselves). */
function ownerNotices(record: AwayRecord, absence: Absence, held: readonly Listing[], at: string): AwayNotice[] {
  const byOwner = new Map<string, { owner: Person; items: AwayItem[] }>();
  for (const listing of held) {
    if (listing.owner.aadObjectId === record.aadObjectId) continue;
    const entry = byOwner.get(listing.owner.aadObjectId) ?? { owner: listing.owner, items: [] };
    entry.items.push({ handoffId: listing.id, summary: listing.summary });
    byOwner.set(listing.owner.aadObjectId, entry);
  }
  return [...byOwner.values()].map(({ owner, items }) => ({
    id: `owner:${absence.start}:${owner.aadObjectId}`,
    kind: 'owner',
    to: owner,
    notBefore: at,
    items: items.slice(0, MAX_ITEMS),
    state: 'pending',
    leaseUntil: '',
  }));
}

/** A change Baton makes by itself to a handoff of any tenant, under the away check's budget; the decision names its markers. */
function commitAsBaton(app: App, handoffId: string, decide: Change['decide']) {
  return commitChange(app, { handoffId, marker: '', tenantId: undefined, budget, decide });
}

/** A handoff counted in the absences known now (a change, with Baton's event), when they moved its due time. @returns whether it changed */
async function noteAbsences(app: App, handoffId: string, now: Date): Promise<boolean> {
  const outcome = await commitAsBaton(app, handoffId, async (stored) => {
    const noted = stored && (await absencesNoted(app, stored, now));
    if (!noted) return { skip: true };
    return { write: { handoff: noted.handoff, events: [noted.event] }, markers: [`away:${handoffId}:${noted.event.seq}`] };
  });
  return outcome.kind === 'written';
}

/** The owner could not be told the holder is away: the card says so, and the history keeps it as Baton's event. */
async function noteUntold(app: App, handoffId: string, owner: Person, away: Person, at: string): Promise<void> {
  await commitAsBaton(app, handoffId, async (stored) => {
    if (!stored || stored.owner.aadObjectId !== owner.aadObjectId || stored.awayUntold?.away.aadObjectId === away.aadObjectId)
      return { skip: true };
    const seq = stored.eventCount + 1;
    const detail = `${owner.name} (owner) was not told that ${away.name} is away: they have not installed Baton`;
    const event = batonEvent(stored, seq, 'away', at, detail);
    return { write: { handoff: { ...stored, eventCount: seq, awayUntold: { owner, away, at } }, events: [event] } };
  });
}

/** The holder is back: Baton's 'back' event, once per absence, so the card is drawn again. */
async function noteReturn(app: App, handoffId: string, announced: string, now: Date): Promise<void> {
  await commitAsBaton(app, handoffId, async (stored) => {
    const back = stored && returnEvent(stored, now.toISOString());
    if (!back) return { skip: true };
    return { write: { handoff: back.handoff, events: [back.event] }, markers: [`back:${handoffId}:${announced}`] };
  });
}

/** Hands a review to the absent receiver's successor, as they asked. @returns what the return message lists, or undefined when it was not theirs to hand on */
async function handOver(app: App, record: AwayRecord, listing: Listing, now: Date): Promise<AwayItem | undefined> {
  const successor = record.successor!;
  const outcome = await commitChange(app, {
    handoffId: listing.id,
    marker: `handOver:${listing.id}:${record.announced}`,
    tenantId: record.tenantId,
    budget,
    decide: async (stored) => {
      if (!stored) return { skip: true };
      const applied = handOverWhileAway(stored, successor, now.toISOString());
      if (!applied.ok) return { skip: true };
      return { write: { handoff: await withDueState(app, stored, applied.handoff, applied.event, budget), events: [applied.event] } };
    },
  });
  if (outcome.kind !== 'written') return undefined;
  app.log.info('Review handed to a successor while its receiver is away', { handoffId: listing.id, person: record.aadObjectId });
  return { handoffId: listing.id, summary: listing.summary, to: successor, by: personOf(record) };
}

const STEP_LABEL: Record<Step, string> = {
  review: 'Review',
  answer: 'Answer to a question',
  fix: 'Changes asked for',
  close: 'Close',
  unblock: 'Unblocking',
};

/**
 * The message a notice stands for, as things are now: each handoff it names
 * that still waits on the absent person (with Reassign and Keep waiting), or
 * that was handed on; undefined when none is left to tell of.
 */
async function noticeCard(
  app: App,
  record: AwayRecord,
  notice: AwayNotice,
  now: Date,
  transient: Record<string, string> = {},
): Promise<AdaptiveCard | undefined> {
  const away = personOf(record);
  const handoffs = await Promise.all(notice.items.map(async (item) => (await app.stores.handoffs.read(item.handoffId, budget))?.handoff));
  if (notice.kind === 'return') return returnCard(notice, handoffs, away);
  const readerHours = await app.workingHours(record.tenantId, notice.to, budget);
  // Inside a sentence of a message: the reader's zone, named.
  const when = (iso: string) => formatWhenIn(iso, zoneForText(readerHours), now);

  const successor = record.successor;
  const items: AwayNoticeItem[] = [];
  let waiting = 0;
  for (const [i, handoff] of handoffs.entries()) {
    if (!handoff || STATUS[handoff.status].final) continue;
    const holder = ballHolder(handoff);
    const moved =
      handoff.reassigned?.whileAway && handoff.reassigned.from.aadObjectId === away.aadObjectId ? handoff.reassigned : undefined;
    const base = { handoffId: handoff.id, summary: handoff.summary, input: `newReceiver_${i}`, away: away.aadObjectId, notice: notice.id };
    const answer = transient[handoff.id] ?? (notice.answers?.[handoff.id] === 'kept' ? `You keep waiting for ${firstName(away)}.` : '');
    if (holder?.aadObjectId === away.aadObjectId) {
      waiting += 1;
      const view = dueView(handoff, now);
      const dueAt = view && 'dueAt' in view ? view.dueAt : undefined;
      const due = !dueAt ? 'due once they are back' : new Date(dueAt) > now ? `due ${when(dueAt)}` : `was due ${when(dueAt)}`;
      const step = turnOf(handoff)?.step ?? 'review';
      const offered = successor && successor.aadObjectId !== handoff.sender.aadObjectId ? successor : undefined;
      items.push({
        ...base,
        detail: `${STEP_LABEL[step]} · ${due}`,
        answer,
        reassign: handoff.receiver.aadObjectId === away.aadObjectId && check(handoff, notice.to.aadObjectId, 'reassign').ok,
        keep: !notice.answers?.[handoff.id],
        ...reassignOf(offered),
      });
    } else if (moved) {
      const by = record.handedOn.find((h) => h.handoffId === handoff.id)?.by;
      const how =
        by?.aadObjectId === away.aadObjectId
          ? `, as ${firstName(away)} asked`
          : by?.aadObjectId === notice.to.aadObjectId
            ? ' by you'
            : by
              ? ` by ${by.name}`
              : '';
      items.push({
        ...base,
        detail: `Handed to ${moved.to.name}${how}.`,
        // What became of it says it all: an earlier "You keep waiting" no longer holds.
        answer: transient[handoff.id] ?? '',
        reassign: false,
        keep: false,
        ...reassignOf(undefined),
      });
    }
  }
  if (items.length === 0) return undefined;
  const awayHours = await app.workingHours(record.tenantId, away, budget);
  const absence = absenceAt(awayHours, now);
  const awayWords = absence ? awayText(awayHours, absence, now) : 'away';
  const headline =
    waiting > 0
      ? `${away.name} is ${awayWords}: ${waiting === 1 ? 'a handoff you own waits' : `${waiting} handoffs you own wait`} on ${firstName(away)}.`
      : `${away.name} is ${awayWords}: nothing you own waits on ${firstName(away)} any more.`;
  const note =
    waiting > 0 && successor
      ? `${firstName(away)} named ${successor.name} to take over while away: Reassign hands a review to ${firstName(successor)}.`
      : waiting > 0
        ? `Nothing of it is due or overdue while ${firstName(away)} is away; Reassign hands a review to someone else.`
        : '';
  return awayNoticeCard({ headline, note, items });
}

/** The message on return: what was handed on, and to whom. */
function returnCard(notice: AwayNotice, handoffs: readonly (Handoff | undefined)[], away: Person): AdaptiveCard {
  const items = notice.items.map((item, i) => {
    const handoff = handoffs[i];
    const by = item.by?.aadObjectId === away.aadObjectId ? 'as you asked' : `by ${item.by?.name ?? 'its owner'}`;
    return {
      handoffId: item.handoffId,
      summary: handoff?.summary ?? item.summary,
      detail: `To ${item.to?.name ?? 'someone else'}, ${by}.`,
      answer: '',
      reassign: false,
      keep: false,
      input: `newReceiver_${i}`,
      ...reassignOf(undefined),
      away: away.aadObjectId,
      notice: notice.id,
    };
  });
  const count = items.length;
  return awayNoticeCard({
    headline: `Welcome back, ${firstName(away)}. While you were away, ${count === 1 ? 'one handoff was' : `${count} handoffs were`} handed on:`,
    note: 'None of your time away counted against what waits on you.',
    items,
  });
}

/**
 * Sends one message, once: only while its reader is at work (otherwise it
 * waits for their next working instant, or, away with no return date, is
 * looked at again later), claimed first. A blip of storage sends it no
 * second time, as for the outbox's rows (src/app/deliverer.ts): a storage
 * call that fails before the send stops it (the next run sends it once the
 * claim runs out), and once sent its mark is tried again while the claim holds.
 */
async function sendNotice(app: App, record: AwayRecord, notice: AwayNotice, now: Date): Promise<{ record: AwayRecord; sent: boolean }> {
  const at = now.toISOString();
  const update = (r: AwayRecord, change: Partial<AwayNotice>): AwayRecord => ({
    ...r,
    notices: r.notices.map((n) => (n.id === notice.id ? { ...n, ...change } : n)),
  });
  const readerHours = await app.workingHours(record.tenantId, notice.to, budget);
  const next = nextWorkingInstant(readerHours, now);
  if (next === undefined || next > now) {
    const notBefore = next?.toISOString() ?? new Date(now.getTime() + AWAY_RECHECK_MS).toISOString();
    return { record: await changeRecord(app, record, (r) => update(r, { notBefore })), sent: false };
  }
  // Claimed with the record's ETag: a second run (or instance) finds it held, or sent. A record changed for another
  // reason meanwhile (a change that gave them the ball) is read again.
  let claimed: AwayRecord | undefined;
  let current = record;
  for (let attempt = 1; !claimed && attempt <= 3; attempt += 1) {
    const mine = current.notices.find((n) => n.id === notice.id);
    if (mine?.state !== 'pending' || mine.leaseUntil > at) return { record: current, sent: false };
    claimed = await app.stores.away.save(update(current, { leaseUntil: new Date(now.getTime() + NOTICE_LEASE_MS).toISOString() }), budget);
    if (!claimed) current = (await app.stores.away.get(record.tenantId, record.aadObjectId, budget)) ?? current;
  }
  if (!claimed) return { record: current, sent: false };
  // Nobody else sends it until the claim runs out: by wall time, since Baton's clock may stand still (tests, local mode).
  const claimEnds = Date.now() + NOTICE_LEASE_MS;
  const card = await noticeCard(app, claimed, notice, now);
  let sent = false;
  // Too little of the claim left to send it and mark it before another run may: the next run sends it.
  if (card && claimEnds - Date.now() < SEND_NEEDS_MS) throw new Error("Too little of the away message's claim is left to send it");
  let unreachable = false;
  if (card) {
    const chat = await app.stores.chats.find(record.tenantId, notice.to.aadObjectId, budget);
    if (!chat) {
      unreachable = true;
      app.log.warn('Away message cannot be delivered: the person has no personal chat with Baton', {
        person: notice.to.aadObjectId,
        kind: notice.kind,
      });
    } else {
      try {
        await app.messenger.post(personalAddress(chat), card);
        sent = true;
      } catch (error) {
        if (!(error instanceof ConnectorError && error.permanent)) throw error;
        unreachable = true;
        app.log.warn('Away message cannot be delivered', { person: notice.to.aadObjectId, error: errorText(error) });
        app.stores.chats.forget(record.tenantId, notice.to.aadObjectId);
      }
    }
  }
  // An owner Baton cannot write to: each card they own says they were not told, as a nudge that reached nobody does.
  if (unreachable && notice.kind === 'owner')
    for (const item of notice.items) await noteUntold(app, item.handoffId, notice.to, personOf(record), at);
  const done = await markSent(app, claimed, (r) => update(r, { state: 'sent', leaseUntil: '', notBefore: at }), claimEnds, notice);
  return { record: done, sent };
}

/**
 * Marks a message sent (or given up). Nobody else sends it while its claim
 * holds, so a mark storage did not take is tried again until shortly before
 * the claim runs out; a try whose answer was lost and that landed is found
 * by the ETag (the record is read again and the mark made on it).
 * @param claimEnds wall time
 * @throws the storage error once the claim is nearly over (the next run sends the message again)
 */
async function markSent(
  app: App,
  claimed: AwayRecord,
  change: (current: AwayRecord) => AwayRecord,
  claimEnds: number,
  notice: AwayNotice,
): Promise<AwayRecord> {
  const deadline = claimEnds - LEASE_MARGIN_MS;
  const within: Budget = { ...budget, deadline };
  const about = { person: notice.to.aadObjectId, kind: notice.kind };
  for (let attempt = 1; ; attempt += 1) {
    try {
      const done = await changeRecord(app, claimed, change, within);
      if (attempt > 1) app.log.info('Away message marked sent after storage came back', { ...about, attempts: attempt });
      return done;
    } catch (error) {
      if (!(error instanceof StorageError || error instanceof ThrottledError)) throw error;
      if (Date.now() + RECORD_PAUSE_MS >= deadline) {
        // Sent again once the claim runs out: say so loudly, it is the one way storage makes a message go twice.
        app.log.error('Away message sent, but it could not be marked sent; it may be sent again', {
          ...about,
          attempts: attempt,
          error: errorText(error),
        });
        throw error;
      }
      if (attempt === 1)
        app.log.warn('Away message sent, but storage did not take its mark; trying again while its claim holds', {
          ...about,
          error: errorText(error),
        });
      await new Promise((resolve) => setTimeout(resolve, RECORD_PAUSE_MS));
    }
  }
}

/** Someone who holds nothing, has held nothing for a month and has nothing Baton must keep is no longer watched. */
async function forgotten(app: App, record: AwayRecord, now: Date): Promise<boolean> {
  const keeps =
    record.absences.length > 0 ||
    record.declared !== undefined ||
    record.successor !== undefined ||
    record.announced !== '' ||
    record.notices.some((n) => n.state === 'pending');
  if (keeps || (record.heldAt !== '' && Date.parse(record.heldAt) > now.getTime() - FORGET_AFTER_MS)) return false;
  if ((await heldBy(app, record)).length > 0) {
    // Still holds something (a handoff left open for a month): looked at again in a month.
    await changeRecord(app, record, (r) => ({ ...r, heldAt: now.toISOString() }));
    return false;
  }
  return app.stores.away.remove(record, budget);
}

// ---- The `away` card: a person's absence and successor

/** "Fri 11 Dec": an absence's day in the person's zone. */
const dayOf = (iso: string, hours: WorkingHours, now: Date) => formatDay(localDay(new Date(iso), hours.timeZone), now);

/** What Baton knows of a person's absence, in one line. */
function statusLine(record: AwayRecord | undefined, replies: AutomaticReplies | undefined, hours: WorkingHours, now: Date): string {
  const span = (a: Absence) => {
    const back = returnOf(hours, a);
    return `from ${dayOf(a.start, hours, now)}${back ? ` until ${formatDay(localDay(back, hours.timeZone), now)}` : ' with no return date'}`;
  };
  const current = absenceAt(hours, now);
  const parts: string[] = [];
  if (replies?.status === 'scheduled')
    parts.push(`Your automatic replies say you are away ${span({ start: replies.start, end: replies.end })}.`);
  if (replies?.status === 'alwaysEnabled')
    parts.push('Your automatic replies are on with no end date: Baton counts you as away until you turn them off.');
  if (record?.declared) parts.push(`You told Baton you are away ${span(record.declared)}.`);
  if (parts.length === 0) parts.push(current ? `Baton counts you as ${awayText(hours, current, now)}.` : 'You are not away.');
  if (record?.successor)
    parts.push(
      `${record.successor.name} takes over your reviews while you are away${record.handOver ? ', at once' : ', when their owners choose'}.`,
    );
  return parts.join(' ');
}

/** The `away` card for the person asking. */
async function awayCardFor(app: App, caller: Caller, notice = ''): Promise<AdaptiveCard> {
  const { tenantId, person } = caller.actor;
  const [record, replies, hours] = await Promise.all([
    app.stores.away.get(tenantId, person.aadObjectId, caller.budget),
    app
      .directoryFor(tenantId)
      .getAutomaticReplies(person.aadObjectId)
      .catch(() => undefined),
    app.workingHours(tenantId, person, caller.budget),
  ]);
  const now = new Date(app.clock.now());
  // Pre-filled with what they told Baton, else what their automatic replies say, else from today.
  const shown: Absence | undefined =
    record?.declared ?? (replies?.status === 'scheduled' ? { start: replies.start, end: replies.end } : undefined);
  const day = (iso: string | undefined) => (iso ? localDay(new Date(iso), hours.timeZone) : '');
  return awayCard({
    status: statusLine(record, replies, hours, now),
    // Nothing known: both dates empty, so a Save that only names a successor declares no absence.
    from: shown ? day(shown.start) : '',
    until: shown?.end ? day(returnOf({ ...hours, away: [] }, shown)?.toISOString() ?? shown.end) : '',
    successorId: record?.successor?.aadObjectId ?? '',
    successors: choiceOf(record?.successor),
    handOver: record?.handOver ? 'true' : 'false',
    declared: record?.declared !== undefined,
    notice,
  });
}

/** The `away` command: the card in the personal chat (asked elsewhere, it goes there and the chat gets one line). */
export function awayPrivately(app: App, caller: Caller): Promise<PrivateAnswer> {
  return privately(app, caller, () => awayCardFor(app, caller), { label: 'your time away', command: 'away' });
}

/** A person's record to change, made when they have none yet. */
async function recordOf(app: App, caller: Caller): Promise<AwayRecord> {
  const { tenantId, person } = caller.actor;
  return (
    (await app.stores.away.get(tenantId, person.aadObjectId, caller.budget)) ?? {
      tenantId,
      aadObjectId: person.aadObjectId,
      name: person.name,
      userId: person.userId,
      absences: [],
      handOver: false,
      announced: '',
      handedOn: [],
      notices: [],
      heldAt: '',
      etag: '',
    }
  );
}

/** The start of a calendar day (YYYY-MM-DD) in a zone. */
function startOfDay(day: string, timeZone: string): string {
  const [year = 0, month = 1, date = 1] = day.split('-').map(Number);
  return new Date(instantAt({ year, month, day: date, minutes: 0 }, timeZone)).toISOString();
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Whom they named: someone of their own organisation (the directory answers for it alone), never themselves. */
async function successorFrom(
  app: App,
  caller: Caller,
  chosen: string,
): Promise<{ ok: true; person: Person | undefined } | { ok: false; message: string }> {
  const value = chosen.trim().replace(/^8:orgid:/i, '');
  if (value === '') return { ok: true, person: undefined };
  const me = caller.actor.person;
  if (value === me.aadObjectId || value === me.userId)
    return { ok: false, message: 'Name someone else: you cannot take over your own reviews while you are away.' };
  const members = await caller.members().catch(() => []);
  const member = members.find((m) => m.aadObjectId === value || m.userId === value);
  if (member) return member.aadObjectId === me.aadObjectId ? { ok: false, message: 'Name someone else.' } : { ok: true, person: member };
  const [answer] = await app.directoryFor(caller.actor.tenantId).resolvePeople([value]);
  if (!answer?.ok) return { ok: false, message: answer?.message ?? 'Baton could not find that person.' };
  if (answer.person.aadObjectId === me.aadObjectId) return { ok: false, message: 'Name someone else.' };
  return {
    ok: true,
    person: {
      aadObjectId: answer.person.aadObjectId,
      userId: `8:orgid:${answer.person.aadObjectId}`,
      name: displayName(answer.person.name),
    },
  };
}

/** The `away` card's Save: their absence (when it is not just what their automatic replies say) and their successor. */
async function saveAway(
  app: App,
  caller: Caller,
  data: { awayFrom: string; awayUntil: string; successor: string; handOver: boolean },
): Promise<Answer> {
  const { tenantId, person } = caller.actor;
  const now = new Date(app.clock.now());
  const [hours, replies, named] = await Promise.all([
    app.workingHours(tenantId, person, caller.budget),
    app
      .directoryFor(tenantId)
      .getAutomaticReplies(person.aadObjectId)
      .catch(() => undefined),
    successorFrom(app, caller, data.successor),
  ]);
  if (!named.ok) return { card: await awayCardFor(app, caller, `Nothing was saved: ${named.message}`) };
  const from = data.awayFrom.trim();
  const until = data.awayUntil.trim();
  if ((from && !DAY.test(from)) || (until && !DAY.test(until)))
    return { card: await awayCardFor(app, caller, 'Nothing was saved: pick the dates from the calendar.') };
  if (until && !from) return { card: await awayCardFor(app, caller, 'Nothing was saved: say from when you are away, too.') };
  if (from && until && until <= from)
    return { card: await awayCardFor(app, caller, 'Nothing was saved: the day you are back must come after the day you leave.') };
  const start = from ? startOfDay(from, hours.timeZone) : undefined;
  const end = until ? startOfDay(until, hours.timeZone) : undefined;
  // The same dates as their automatic replies say need no absence of their own: turning the replies off then ends it.
  const same =
    replies?.status === 'scheduled' &&
    from === localDay(new Date(replies.start), hours.timeZone) &&
    until !== '' &&
    until ===
      localDay(returnOf({ ...hours, away: [] }, { start: replies.start, end: replies.end }) ?? new Date(replies.end), hours.timeZone);
  const declared: Absence | undefined = start && !same ? { start, ...(end ? { end } : {}) } : undefined;
  const record = await recordOf(app, caller);
  await changeRecord(
    app,
    record,
    (r) => {
      const { declared: _old, successor: _was, ...rest } = r;
      // The away check keeps the absence, and moves what waits on them; their hours say it from now on.
      return {
        ...rest,
        name: person.name,
        ...(declared ? { declared } : {}),
        ...(named.person ? { successor: named.person } : {}),
        handOver: named.person !== undefined && data.handOver,
      };
    },
    caller.budget,
  );
  const saved = [
    declared ? `you are away from ${formatDay(from, now)}${until ? ` until ${formatDay(until, now)}` : ' with no return date'}` : '',
    named.person ? `${named.person.name} takes over your reviews${data.handOver ? ' at once' : ' when their owners choose'}` : '',
  ].filter(Boolean);
  const notice = saved.length
    ? `Saved: ${saved.join('; ')}. The owners of what waits on you are told when your absence begins, inside their working hours.`
    : 'Saved: no absence and no successor.';
  return { card: await awayCardFor(app, caller, notice) };
}

/** "I am back": the absence they told Baton ends now (their automatic replies are theirs to turn off). */
async function backFromAway(app: App, caller: Caller): Promise<Answer> {
  const record = await recordOf(app, caller);
  const replies = await app
    .directoryFor(caller.actor.tenantId)
    .getAutomaticReplies(caller.actor.person.aadObjectId)
    .catch(() => undefined);
  await changeRecord(
    app,
    record,
    (r) => {
      const { declared: _old, ...rest } = r;
      return rest;
    },
    caller.budget,
  );
  const stillOn = replies && replies.status !== 'disabled';
  return {
    card: await awayCardFor(
      app,
      caller,
      stillOn
        ? 'Welcome back. Your automatic replies are still on: turn them off in Outlook, or Baton still counts you as away.'
        : 'Welcome back.',
    ),
  };
}

// ---- The owner's message: Reassign and Keep waiting

const noticeRef = handoffRef.extend({ away: z.string().min(1).max(100), notice: z.string().min(1).max(300) });

/** The absent person's record and the message this owner got, or why not. */
async function ownersNotice(
  app: App,
  caller: Caller,
  data: { away: string; notice: string },
): Promise<{ record: AwayRecord; notice: AwayNotice } | undefined> {
  const record = await app.stores.away.get(caller.actor.tenantId, data.away, caller.budget);
  const notice = record?.notices.find((n) => n.id === data.notice);
  // Only its reader may answer it: the identity is the activity's, never the card's.
  return record && notice && notice.to.aadObjectId === caller.actor.person.aadObjectId ? { record, notice } : undefined;
}

const GONE: Answer = {
  error: { status: 404, code: 'NotFound', message: 'This message is over: the person it was about is back, or it was not for you.' },
};

async function keepWaiting(app: App, caller: Caller, data: { handoffId: string; away: string; notice: string }): Promise<Answer> {
  const found = await ownersNotice(app, caller, data);
  if (!found) return GONE;
  const saved = await changeRecord(
    app,
    found.record,
    (r) => ({
      ...r,
      notices: r.notices.map((n) => (n.id === data.notice ? { ...n, answers: { ...n.answers, [data.handoffId]: 'kept' } } : n)),
    }),
    caller.budget,
  );
  const notice = saved.notices.find((n) => n.id === data.notice) ?? found.notice;
  const card = await noticeCard(app, saved, notice, new Date(app.clock.now()));
  return card ? { card } : GONE;
}

async function reassignFromNotice(app: App, caller: Caller, data: z.infer<typeof reassignData>): Promise<Answer> {
  const found = await ownersNotice(app, caller, data);
  if (!found) return GONE;
  // "Reassign to <successor>" names them; "Reassign to someone else" names its picker.
  const picked = data.input ? data[data.input] : undefined;
  const chosen = data.to ?? (typeof picked === 'string' ? picked : '');
  const answer = await reassignHandoff(app, caller, data.handoffId, chosen, {
    known: found.record.successor ? [found.record.successor] : [],
  });
  if ('error' in answer) return answer;
  const now = new Date(app.clock.now());
  let record = found.record;
  if (!answer.refusal) {
    const handoff = (await app.stores.handoffs.read(data.handoffId, caller.budget))?.handoff;
    if (handoff?.reassigned?.whileAway && handoff.reassigned.from.aadObjectId === record.aadObjectId) {
      const item: AwayItem = { handoffId: handoff.id, summary: handoff.summary, to: handoff.receiver, by: caller.actor.person };
      record = await changeRecord(
        app,
        record,
        (r) => ({ ...r, handedOn: [...r.handedOn.filter((h) => h.handoffId !== item.handoffId), item].slice(-MAX_ITEMS) }),
        caller.budget,
      );
    }
  }
  const notice = record.notices.find((n) => n.id === data.notice) ?? found.notice;
  const card = await noticeCard(app, record, notice, now, answer.refusal ? { [data.handoffId]: answer.refusal } : {});
  return card ? { card } : { card: answer.card };
}

const reassignData = noticeRef
  .extend({
    input: z
      .string()
      .regex(/^newReceiver_\d+$/)
      .optional(),
    to: z.string().max(100).optional(),
  })
  .catchall(z.unknown());
const boolish = z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true');

export const awayActions: Readonly<Record<string, CardAction>> = {
  [VERBS.awaySave]: cardAction(
    z.object({ awayFrom: text, awayUntil: text, successor: text, handOver: boolish.optional().default(false) }),
    (app, caller, data) => saveAway(app, caller, data),
  ),
  [VERBS.awayBack]: cardAction(z.object({}).catchall(z.unknown()), (app, caller) => backFromAway(app, caller)),
  [VERBS.awayKeepWaiting]: cardAction(noticeRef, (app, caller, data) => keepWaiting(app, caller, data)),
  [VERBS.awayReassign]: cardAction(reassignData, (app, caller, data) => reassignFromNotice(app, caller, data)),
};
