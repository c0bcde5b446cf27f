/**
 * Where Baton can reach a person 1:1: the personal chat's conversation
 * reference, saved when the person installs the app or talks to it there.
 * Partition: the tenant; row: the person's Entra object id.
 */
import * as z from 'zod';
import type { Budget, PersonalChat, PersonalChats } from '../app/ports';
import { realClock } from '../clock';
import { ExpiringCache } from '../lru';
import type { StorageAccount } from './account';
import { chatKeys } from './keys';
import { Table } from './table';

/**
 * People whose personal chat this process remembers, and for how long: a
 * chat's reference changes only when someone reinstalls Baton, and every 1:1
 * message would otherwise read it first. Another instance's save shows here
 * once the entry expires, or at once when a send to the remembered chat fails
 * (the deliverer then forgets it, and its retry reads the row).
 */
const REMEMBERED_CHATS = 10_000;
const REMEMBER_MS = 10 * 60_000;

const row = z.object({ userId: z.string(), conversationId: z.string(), serviceUrl: z.string(), botId: z.string() });

export class TablePersonalChats implements PersonalChats {
  private readonly remembered = new ExpiringCache<PersonalChat | undefined>(REMEMBER_MS, realClock, REMEMBERED_CHATS);

  constructor(private readonly table: Table) {}

  static open(account: StorageAccount, prefix: string): TablePersonalChats {
    return new TablePersonalChats(Table.open(account, prefix, 'conversations'));
  }

  async save(chat: PersonalChat, budget: Budget): Promise<void> {
    const { tenantId, aadObjectId, ...rest } = chat;
    await this.table.upsert({ ...chatKeys(tenantId, aadObjectId), ...rest }, budget);
    void this.remembered.set(`${tenantId}/${aadObjectId}`, Promise.resolve(chat));
  }

  /** Concurrent asks for one person (a check's reminders, a change's deliveries) share one read. */
  find(tenantId: string, aadObjectId: string, budget: Budget): Promise<PersonalChat | undefined> {
    const key = `${tenantId}/${aadObjectId}`;
    const known = this.remembered.get(key);
    if (known) return known;
    const { partitionKey, rowKey } = chatKeys(tenantId, aadObjectId);
    const reading = this.table.find(partitionKey, rowKey, budget).then((entity) => {
      // Not installed yet is not remembered: the person may install Baton any moment.
      if (!entity) {
        if (this.remembered.get(key) === reading) this.remembered.delete(key);
        return undefined;
      }
      return { tenantId, aadObjectId, ...row.parse(entity) };
    });
    return this.remembered.set(key, reading);
  }

  forget(tenantId: string, aadObjectId: string): void {
    this.remembered.delete(`${tenantId}/${aadObjectId}`);
  }
}
