/**
 * The daily digest, for people who chose it with `settings` in their personal
 * chat: everything waiting on them or escalated to them, in one message at
 * the start of their working day, instead of the overdue check's reminders
 * one by one (messages from people still arrive as they happen).
 *
 * The run goes with the overdue check's timer (every 15 minutes). For each
 * reader inside their working hours whose working day has no digest yet, it
 * claims the reader's row (ETag), sends, and records the day. A second
 * instance or timer finds the day claimed or recorded; a run that died after
 * claiming leaves a lease that the next run takes over, so a day's digest is
 * sent once, or (a send whose answer never came) retried, never lost.
 */
import * as z from 'zod';
import { cardInstant } from '../cards/card-time';
import { myHandoffsCard } from '../cards/my-handoffs-card';
import { type ReminderChoice, settingsCard } from '../cards/settings-card';
import { VERBS } from '../cards/verbs';
import type { AdaptiveCard } from '../cards/render';
import { digestGroups } from '../domain/my-work';
import { nextWorkingInstant, workingPeriodAt } from '../domain/working-hours';
import { ConnectorError } from '../errors';
import { errorText } from '../logger';
import { type CardAction, cardAction } from './actions';
import { listingsVisibleTo } from './listings';
import { privately, type PrivateAnswer } from './my-work';
import { mapLimit } from './pool';
import { type Answer, type App, BACKGROUND, type Caller, type DigestReader, personalAddress } from './ports';

/** Readers done at once: each is a few Table reads and one post. */
const CONCURRENCY = 4;
/** How long a run holds a reader while it sends: well past a connector call's timeout. */
const LEASE_MS = 2 * 60_000;
/** The handoffs a digest looks through, newest first: as `mine` does. */
const DIGEST_LIMIT = 200;
const budget = BACKGROUND;

export interface DigestReport {
  readers: number;
  sent: number;
  /** Nothing waited on them: the day is recorded, nothing sent. */
  empty: number;
  /** Nobody to write to (they removed Baton): the day is recorded, and the log says so. */
  undeliverable: number;
  /** Not sent this run (a connector or storage failure): the next run tries again. */
  failed: number;
}

/** "09:00 Europe/London": when someone's working day starts, as the settings card says it. */
async function startsAt(app: App, caller: Caller): Promise<string> {
  const hours = await app.workingHours(caller.actor.tenantId, caller.actor.person, caller.budget);
  return `${hours.start} ${hours.timeZone.replace(/^Etc\//, '')}`;
}

async function settingsFor(app: App, caller: Caller, notice = ''): Promise<AdaptiveCard> {
  const { tenantId, person } = caller.actor;
  const [daily, start] = await Promise.all([app.stores.digests.isOn(tenantId, person.aadObjectId, caller.budget), startsAt(app, caller)]);
  return settingsCard({ reminders: daily ? 'daily' : 'each', startsAt: start, notice });
}

/** The `settings` command: the card in the personal chat (asked elsewhere, it goes there and the chat gets one line). */
export function settingsPrivately(app: App, caller: Caller): Promise<PrivateAnswer> {
  return privately(app, caller, () => settingsFor(app, caller), { label: 'your settings', command: 'settings' });
}

/** The settings card's Save. */
async function saveSettings(app: App, caller: Caller, reminders: ReminderChoice): Promise<Answer> {
  const { tenantId, person } = caller.actor;
  await app.stores.digests.set({ tenantId, aadObjectId: person.aadObjectId, name: person.name }, reminders === 'daily', caller.budget);
  const notice =
    reminders === 'daily'
      ? 'Saved: one digest at the start of each working day; no reminder one by one.'
      : 'Saved: a reminder for each handoff as it is due, inside your working hours.';
  return { card: await settingsFor(app, caller, notice) };
}

export const settingsActions: Readonly<Record<string, CardAction>> = {
  [VERBS.settingsSave]: cardAction(z.object({ reminders: z.enum(['each', 'daily']) }), (app, caller, data) =>
    saveSettings(app, caller, data.reminders),
  ),
};

/**
 * When the next daily digest falls due: the earliest start of a reader's
 * working day that has no digest yet (now, when one is due already).
 * Undefined when nobody reads one. For the dev clock's "next".
 */
export async function nextDigestAt(app: App): Promise<number | undefined> {
  const now = new Date(app.clock.now());
  let next: number | undefined;
  for await (const page of app.stores.digests.readers(budget)) {
    for (const reader of page) {
      const hours = await app.workingHours(reader.tenantId, { aadObjectId: reader.aadObjectId, userId: '', name: reader.name }, budget);
      const period = workingPeriodAt(hours, now);
      const at =
        period && period.start.toISOString() > reader.lastStart ? now.getTime() : nextWorkingInstant(hours, period?.end ?? now)?.getTime();
      // Away with no return date: no working day starts, so no digest falls due.
      if (at !== undefined) next = next === undefined ? at : Math.min(next, at);
    }
  }
  return next;
}

/** Sends each reader's digest whose working day has started and has none yet; see {@link DigestReport}. */
export async function sendDigests(app: App, context: { invocationId?: string } = {}): Promise<DigestReport> {
  const report: DigestReport = { readers: 0, sent: 0, empty: 0, undeliverable: 0, failed: 0 };
  for await (const page of app.stores.digests.readers(budget)) {
    report.readers += page.length;
    await mapLimit(page, CONCURRENCY, async (reader) => {
      try {
        const result = await digestOne(app, reader);
        if (result) report[result] += 1;
      } catch (error) {
        report.failed += 1;
        app.log.warn('Daily digest not sent; the next run tries again', { person: reader.aadObjectId, error: errorText(error) });
      }
    });
  }
  if (report.sent + report.empty + report.undeliverable + report.failed > 0)
    app.log.info('Daily digests done', { invocationId: context.invocationId, ...report });
  return report;
}

async function digestOne(app: App, reader: DigestReader): Promise<'sent' | 'empty' | 'undeliverable' | undefined> {
  const now = new Date(app.clock.now());
  const person = { aadObjectId: reader.aadObjectId, userId: '', name: reader.name };
  const hours = await app.workingHours(reader.tenantId, person, budget);
  const period = workingPeriodAt(hours, now);
  // Outside working hours, or today's is done or being sent by another run.
  if (!period || reader.lastStart >= period.start.toISOString() || reader.leaseUntil > now.toISOString()) return undefined;
  const claimed = await app.stores.digests.update(reader, { leaseUntil: new Date(now.getTime() + LEASE_MS).toISOString() }, budget);
  if (!claimed) return undefined;
  const done = () => app.stores.digests.update(claimed, { lastStart: period.start.toISOString(), leaseUntil: '' }, budget);

  const listings = await listingsVisibleTo(app, { tenantId: reader.tenantId, person }, DIGEST_LIMIT, budget);
  const chat = await app.stores.chats.find(reader.tenantId, reader.aadObjectId, budget);
  const groups = digestGroups(listings, reader.aadObjectId, now, cardInstant);
  // Nothing waits on them: a calm day says nothing.
  if (groups.length === 0) {
    await done();
    return 'empty';
  }
  if (!chat) {
    app.log.warn('Daily digest cannot be delivered: the person has no personal chat with Baton', { person: reader.aadObjectId });
    await done();
    return 'undeliverable';
  }
  const count = groups.reduce((n, g) => n + g.handoffs.length, 0);
  const card = myHandoffsCard(groups, {
    title: `${count} handoff${count === 1 ? '' : 's'} wait${count === 1 ? 's' : ''} on you today`,
    footer: 'Your daily digest: type settings to get each reminder as it is due instead.',
  });
  try {
    await app.messenger.post(personalAddress(chat), card);
  } catch (error) {
    // Removed from the chat for good: the day cannot be delivered, and trying again each run would not change that.
    if (error instanceof ConnectorError && error.permanent) {
      app.log.warn('Daily digest cannot be delivered', { person: reader.aadObjectId, error: errorText(error) });
      app.stores.chats.forget(reader.tenantId, reader.aadObjectId);
      await done();
      return 'undeliverable';
    }
    throw error;
  }
  await done();
  return 'sent';
}
