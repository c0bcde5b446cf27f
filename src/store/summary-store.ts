/**
 * The weekly summary's records, in one table (`<prefix>summaries`), one kind
 * per partition:
 *
 * - `zones`: every time zone some subscriber lives in, and the last week
 *   whose summaries were enqueued for it. The hourly run reads this one
 *   partition and finds the zones where the week has just ended.
 * - `z_<zone>`: the people who get a summary, by the zone they live in (row
 *   `<tenant>_<aadObjectId>`). Written when someone becomes a stakeholder of a
 *   handoff, or asks for the summary.
 * - `pref_<tenant>`: a person's choice (stopped, or asked for it as an owner).
 * - `sent_<week>`: one row per person and week, the idempotency record: a
 *   claim with a lease while the summary is built and sent, then what was
 *   sent on which channel. Nobody gets two summaries for one week.
 * - `rate`: one row per sending mailbox with the instants of its latest sends,
 *   shared by every instance (Exchange accepts 30 a minute from one mailbox).
 */
import { odata, type TableClient } from '@azure/data-tables';
import type { StorageAccount } from './account';
import { findEntity, openTable, translate } from './tables';

export interface Subscriber {
  tenantId: string;
  aadObjectId: string;
  name: string;
  timeZone: string;
}

export interface ZoneRow {
  timeZone: string;
  /** The week (its key) whose summaries were last enqueued for this zone; '' when none yet. */
  lastWeek: string;
  etag: string;
}

export interface Preference {
  /** The person stopped their summary. */
  stopped: boolean;
  /** The person asked for it without being a stakeholder (an owner, a sender). */
  optedIn: boolean;
}

export type SendState = 'sending' | 'sent' | 'skipped';

export interface SendRecord {
  state: SendState;
  /** While `sending`: until when the claim holds (another instance waits). */
  leaseUntil: string;
  /** Channels already done: 'email', 'teams'. */
  done: string[];
  /** Why it was skipped, or what the last failure was. */
  reason: string;
  attempts: number;
  etag: string;
}

/** Table keys may not hold / \ # ? or control characters; zones have '/', so it becomes '~'. */
function key(text: string): string {
  // oxlint-disable-next-line no-control-regex
  return text.replace(/\//g, '~').replace(/[\\#?\u0000-\u001f\u007f-\u009f]/g, '');
}

/** Tries of a contended budget row before the send waits on the queue instead. */
const CHANGE_TRIES = 30;

const personKey = (tenantId: string, aadObjectId: string) => key(`${tenantId}_${aadObjectId}`);
const status = (error: unknown) => (error as { statusCode?: number }).statusCode;

export class SummaryStore {
  constructor(private readonly table: TableClient) {}

  static async open(account: StorageAccount, prefix: string): Promise<SummaryStore> {
    return new SummaryStore(openTable(account, prefix, 'summaries'));
  }

  /** Records that a person gets the summary in their zone (idempotent: two upserts). */
  async subscribe(subscriber: Subscriber): Promise<void> {
    const { timeZone, tenantId, aadObjectId, name } = subscriber;
    try {
      await Promise.all([
        this.table.upsertEntity({ partitionKey: `z_${key(timeZone)}`, rowKey: personKey(tenantId, aadObjectId), tenantId, aadObjectId, name, timeZone }, 'Replace'),
        // Merge keeps the zone's lastWeek.
        this.table.upsertEntity({ partitionKey: 'zones', rowKey: key(timeZone), timeZone }, 'Merge'),
      ]);
    } catch (error) {
      throw translate(error);
    }
  }

  /** Removes a person from a zone they no longer live in. */
  async unsubscribeFromZone(timeZone: string, tenantId: string, aadObjectId: string): Promise<void> {
    try {
      await this.table.deleteEntity(`z_${key(timeZone)}`, personKey(tenantId, aadObjectId));
    } catch (error) {
      if (status(error) !== 404) throw translate(error);
    }
  }

  /** Every zone a subscriber lives in: one partition. */
  async zones(): Promise<ZoneRow[]> {
    const rows: ZoneRow[] = [];
    try {
      for await (const e of this.table.listEntities<{ timeZone: string; lastWeek?: string }>({ queryOptions: { filter: odata`PartitionKey eq ${'zones'}` } })) {
        rows.push({ timeZone: e.timeZone, lastWeek: e.lastWeek ?? '', etag: e.etag });
      }
    } catch (error) {
      throw translate(error);
    }
    return rows;
  }

  /**
   * Records that a zone's summaries for `week` are enqueued; false when
   * another run did it first (the row's ETag changed).
   */
  async markZoneEnqueued(zone: ZoneRow, week: string): Promise<boolean> {
    try {
      await this.table.updateEntity({ partitionKey: 'zones', rowKey: key(zone.timeZone), lastWeek: week }, 'Merge', { etag: zone.etag });
      return true;
    } catch (error) {
      if (status(error) === 412) return false;
      throw translate(error);
    }
  }

  /** The people in a zone, a page at a time (Table Storage returns up to 1,000 per page). */
  async *subscribersIn(timeZone: string): AsyncGenerator<Subscriber[]> {
    const pages = this.table.listEntities<Subscriber>({ queryOptions: { filter: odata`PartitionKey eq ${`z_${key(timeZone)}`}` } }).byPage({ maxPageSize: 1000 });
    try {
      for await (const page of pages) yield page.map((e) => ({ tenantId: e.tenantId, aadObjectId: e.aadObjectId, name: e.name, timeZone: e.timeZone }));
    } catch (error) {
      throw translate(error);
    }
  }

  async preference(tenantId: string, aadObjectId: string): Promise<Preference> {
    const e = await findEntity<{ stopped?: boolean; optedIn?: boolean }>(this.table, `pref_${key(tenantId)}`, key(aadObjectId));
    return { stopped: e?.stopped === true, optedIn: e?.optedIn === true };
  }

  async setPreference(tenantId: string, aadObjectId: string, preference: Preference, at: string): Promise<void> {
    try {
      await this.table.upsertEntity({ partitionKey: `pref_${key(tenantId)}`, rowKey: key(aadObjectId), ...preference, changedAt: at }, 'Replace');
    } catch (error) {
      throw translate(error);
    }
  }

  async sendRecord(week: string, tenantId: string, aadObjectId: string): Promise<SendRecord | undefined> {
    const e = await findEntity<{ state: SendState; leaseUntil?: string; done?: string; reason?: string; attempts?: number }>(this.table, `sent_${key(week)}`, personKey(tenantId, aadObjectId));
    return e && { state: e.state, leaseUntil: e.leaseUntil ?? '', done: (e.done ?? '').split(',').filter(Boolean), reason: e.reason ?? '', attempts: e.attempts ?? 0, etag: e.etag };
  }

  /**
   * Claims a person's week for this sender until `leaseUntil`: creates the
   * record, or takes over one whose lease ran out (by its ETag).
   * @returns the claimed record, or undefined when someone else holds it or it is finished
   */
  async claim(week: string, tenantId: string, aadObjectId: string, leaseUntil: string, earlier: SendRecord | undefined): Promise<SendRecord | undefined> {
    const row = { partitionKey: `sent_${key(week)}`, rowKey: personKey(tenantId, aadObjectId) };
    const attempts = (earlier?.attempts ?? 0) + 1;
    const done = earlier?.done ?? [];
    try {
      const written = earlier
        ? await this.table.updateEntity({ ...row, state: 'sending', leaseUntil, attempts, done: done.join(',') }, 'Merge', { etag: earlier.etag })
        : await this.table.createEntity({ ...row, state: 'sending', leaseUntil, attempts, done: '', reason: '' });
      return { state: 'sending', leaseUntil, done, reason: earlier?.reason ?? '', attempts, etag: written.etag ?? '' };
    } catch (error) {
      if (status(error) === 409 || status(error) === 412) return undefined;
      throw translate(error);
    }
  }

  /** Updates a claimed record (a channel done, the end state); ETag-checked, so a claim that was taken over fails. */
  async update(week: string, tenantId: string, aadObjectId: string, record: SendRecord, change: Partial<Omit<SendRecord, 'etag'>>): Promise<SendRecord> {
    const next = { ...record, ...change };
    try {
      const written = await this.table.updateEntity(
        { partitionKey: `sent_${key(week)}`, rowKey: personKey(tenantId, aadObjectId), state: next.state, leaseUntil: next.leaseUntil, done: next.done.join(','), reason: next.reason, attempts: next.attempts },
        'Merge',
        { etag: record.etag },
      );
      return { ...next, etag: written.etag ?? '' };
    } catch (error) {
      throw translate(error);
    }
  }

  /**
   * Takes one send from a mailbox's budget: at most `limit` in any `windowMs`
   * (a sliding window, as Exchange counts), shared by every instance. One row
   * per mailbox holds the instants of its latest sends; it is changed by its
   * ETag, so two instances never both take the last place.
   * @returns 0 when the send may go (and is counted at `now`), else how many ms until the oldest send leaves the window
   */
  async takeSend(mailbox: string, now: number, limit: number, windowMs = 60_000): Promise<number> {
    return this.changeSends(mailbox, (recent) => {
      const inWindow = recent.filter((at) => at > now - windowMs);
      if (inWindow.length >= limit) return { wait: Math.max(1, Math.min(...inWindow) + windowMs - now) };
      return { sends: [...inWindow, now] };
    });
  }

  /**
   * Moves a send counted at `taken` to when Graph accepted it (`sent`): a
   * send retried after a 429 goes later than its budget was taken, and the
   * window must count when it went.
   */
  async sendWent(mailbox: string, taken: number, sent: number): Promise<void> {
    if (sent === taken) return;
    await this.changeSends(mailbox, (recent) => {
      const i = recent.indexOf(taken);
      return i < 0 ? { wait: 0 } : { sends: recent.map((at, j) => (j === i ? sent : at)) };
    });
  }

  /**
   * Reads a mailbox's sends and writes what `change` makes of them, by ETag,
   * again (after a short random pause) when another instance came between.
   * @returns 0 when written, else how long to wait; a row that keeps changing under many tries asks for a second's wait
   */
  private async changeSends(mailbox: string, change: (recent: number[]) => { sends: number[] } | { wait: number }): Promise<number> {
    const row = { partitionKey: 'rate', rowKey: key(mailbox.toLowerCase()) };
    for (let attempt = 0; attempt < CHANGE_TRIES; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 10 * attempt)));
      try {
        const current = await this.table.getEntity<{ sends: string }>(row.partitionKey, row.rowKey).catch((error: unknown) => {
          if (status(error) === 404) return undefined;
          throw error;
        });
        const decided = change(current ? (JSON.parse(current.sends) as number[]) : []);
        if ('wait' in decided) return decided.wait;
        const sends = JSON.stringify(decided.sends);
        if (current) await this.table.updateEntity({ ...row, sends }, 'Replace', { etag: current.etag });
        else await this.table.createEntity({ ...row, sends });
        return 0;
      } catch (error) {
        // Another instance changed it in between: read again.
        if (status(error) === 409 || status(error) === 412) continue;
        throw translate(error);
      }
    }
    // So contended that a send must wait anyway: the caller puts the message back for a second.
    return 1000;
  }
}
