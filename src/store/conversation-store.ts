/**
 * Where Baton can reach a person 1:1: the personal chat's conversation
 * reference, saved when the person installs the app or talks to it there.
 * Partition: the tenant; row: the person's Entra object id.
 */
import { RestError, type TableClient } from '@azure/data-tables';
import * as z from 'zod';
import { realClock } from '../clock';
import { ExpiringCache } from '../lru';
import { openTable } from './tables';
import type { StorageAccount } from './account';

/**
 * People whose personal chat this process remembers, and for how long: a
 * chat's reference changes only when someone reinstalls Baton, and every 1:1
 * message would otherwise read it first. Another instance's save shows here
 * once the entry expires, or at once when a send to the remembered chat fails
 * (the outbox then forgets it, and its retry reads the row).
 */
const REMEMBERED_CHATS = 10_000;
const REMEMBER_MS = 10 * 60_000;

export interface PersonalChat {
  tenantId: string;
  aadObjectId: string;
  /** Teams user id (29:...). */
  userId: string;
  conversationId: string;
  serviceUrl: string;
  botId: string;
}

const row = z.object({ userId: z.string(), conversationId: z.string(), serviceUrl: z.string(), botId: z.string() });

export class ConversationStore {
  private readonly remembered = new ExpiringCache<PersonalChat>(REMEMBER_MS, realClock, REMEMBERED_CHATS);

  constructor(private readonly table: TableClient) {}

  static async open(account: StorageAccount, prefix: string): Promise<ConversationStore> {
    return new ConversationStore(openTable(account, prefix, 'conversations'));
  }

  /** Saves (or refreshes) a person's personal chat. */
  async save(chat: PersonalChat): Promise<void> {
    const { tenantId, aadObjectId, ...rest } = chat;
    await this.table.upsertEntity({ partitionKey: tenantId, rowKey: aadObjectId, ...rest }, 'Replace');
    void this.remembered.set(`${tenantId}/${aadObjectId}`, Promise.resolve(chat));
  }

  /** The person's personal chat, or undefined when they never installed Baton. */
  async find(tenantId: string, aadObjectId: string): Promise<PersonalChat | undefined> {
    const key = `${tenantId}/${aadObjectId}`;
    const known = this.remembered.get(key);
    if (known) return known;
    try {
      const entity = await this.table.getEntity(tenantId, aadObjectId);
      const chat = { tenantId, aadObjectId, ...row.parse(entity) };
      void this.remembered.set(key, Promise.resolve(chat));
      return chat;
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /** Reads the person's chat from the table next time (a send to the remembered one failed). */
  forget(tenantId: string, aadObjectId: string): void {
    this.remembered.delete(`${tenantId}/${aadObjectId}`);
  }
}
