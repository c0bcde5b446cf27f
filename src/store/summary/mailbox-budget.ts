/**
 * Each sending mailbox's latest sends (`<prefix>summaries`, partition `rate`,
 * one row per mailbox), shared by every instance: Exchange accepts 30
 * messages a minute from one mailbox. The row is changed by its ETag, so two
 * instances never both take the last place.
 */
import type { Budget, MailboxBudget } from '../../app/ports';
import { retryOnConflict } from '../../errors';
import type { StorageAccount } from '../account';
import { SUMMARY_KEYS } from '../keys';
import { Table } from '../table';

/** Tries of a contended row before the send waits on the queue instead: every instance takes from it at once. */
const CHANGE_TRIES = 30;
/** How long a send waits when the row kept changing under every try. */
const CONTENDED_WAIT_MS = 1000;

export class TableMailboxBudget implements MailboxBudget {
  constructor(private readonly table: Table) {}

  static open(account: StorageAccount, prefix: string): TableMailboxBudget {
    return new TableMailboxBudget(Table.open(account, prefix, 'summaries'));
  }

  /** At most `limit` sends in any `windowMs`: a sliding window, as Exchange counts. */
  take(mailbox: string, now: number, limit: number, budget: Budget, windowMs = 60_000): Promise<number> {
    return this.change(mailbox, budget, (recent) => {
      const inWindow = recent.filter((at) => at > now - windowMs);
      if (inWindow.length >= limit) return { wait: Math.max(1, Math.min(...inWindow) + windowMs - now) };
      return { sends: [...inWindow, now] };
    });
  }

  /** A send retried after a 429 goes later than its budget was taken: the window counts when it went. */
  async went(mailbox: string, taken: number, sent: number, budget: Budget): Promise<void> {
    if (sent === taken) return;
    await this.change(mailbox, budget, (recent) => {
      const i = recent.indexOf(taken);
      return i < 0 ? { wait: 0 } : { sends: recent.map((at, j) => (j === i ? sent : at)) };
    });
  }

  /**
   * Reads a mailbox's sends and writes what `decide` makes of them, by ETag.
   * @returns 0 when written, else how long to wait
   */
  private change(mailbox: string, budget: Budget, decide: (recent: number[]) => { sends: number[] } | { wait: number }): Promise<number> {
    const row = { partitionKey: SUMMARY_KEYS.rate, rowKey: SUMMARY_KEYS.mailbox(mailbox) };
    return retryOnConflict(
      async () => {
        const current = await this.table.find<{ sends: string }>(row.partitionKey, row.rowKey, budget);
        const decided = decide(current ? (JSON.parse(current.sends) as number[]) : []);
        if ('wait' in decided) return decided.wait;
        const sends = JSON.stringify(decided.sends);
        if (current) await this.table.update({ ...row, sends }, current.etag, budget, 'Replace');
        else await this.table.create({ ...row, sends }, budget);
        return 0;
      },
      // A short random pause, so instances that met do not meet again.
      { tries: CHANGE_TRIES, pauseMs: (n) => Math.random() * Math.min(200, 10 * n), exhausted: () => CONTENDED_WAIT_MS },
    );
  }
}
