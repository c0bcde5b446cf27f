/**
 * Where Baton can reach a person 1:1: the personal chat's conversation
 * reference, saved when the person installs the app or talks to it there.
 * Partition: the tenant; row: the person's Entra object id.
 */
import { RestError, type TableClient } from '@azure/data-tables';
import * as z from 'zod';
import { openTable } from './tables';
import type { StorageAccount } from './account';

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
  constructor(private readonly table: TableClient) {}

  static async open(account: StorageAccount, prefix: string): Promise<ConversationStore> {
    return new ConversationStore(openTable(account, prefix, 'conversations'));
  }

  /** Saves (or refreshes) a person's personal chat. */
  async save(chat: PersonalChat): Promise<void> {
    const { tenantId, aadObjectId, ...rest } = chat;
    await this.table.upsertEntity({ partitionKey: tenantId, rowKey: aadObjectId, ...rest }, 'Replace');
  }

  /** The person's personal chat, or undefined when they never installed Baton. */
  async find(tenantId: string, aadObjectId: string): Promise<PersonalChat | undefined> {
    try {
      const entity = await this.table.getEntity(tenantId, aadObjectId);
      return { tenantId, aadObjectId, ...row.parse(entity) };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }
}
