/**
 * Personal chats against a real Azurite: where Baton can reach a person 1:1.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ConversationStore, type PersonalChat } from '../../src/store/conversation-store';
import { uniquePrefix } from '../support/stack';

const TENANT = '11111111-1111-1111-1111-111111111111';
const OTHER_TENANT = '22222222-2222-2222-2222-222222222222';

let store: ConversationStore;
const prefix = uniquePrefix();

beforeAll(async () => {
  store = await ConversationStore.open(inject('tablesConnectionString'), prefix);
});

const chat = (aadObjectId: string, overrides: Partial<PersonalChat> = {}): PersonalChat => ({
  tenantId: TENANT,
  aadObjectId,
  userId: `29:user-${aadObjectId}`,
  conversationId: `a:personal-${aadObjectId}`,
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  botId: '28:bot-id',
  ...overrides,
});

describe('ConversationStore', () => {
  it('finds exactly what was saved', async () => {
    const saved = chat('00000000-0000-0000-0000-0000000000a1');
    await store.save(saved);
    expect(await store.find(TENANT, saved.aadObjectId)).toStrictEqual(saved);
  });

  it('answers undefined for a person who never installed Baton', async () => {
    expect(await store.find(TENANT, '00000000-0000-0000-0000-00000000dead')).toBeUndefined();
  });

  it('answers undefined for the same person in another tenant', async () => {
    const saved = chat('00000000-0000-0000-0000-0000000000b2');
    await store.save(saved);
    expect(await store.find(OTHER_TENANT, saved.aadObjectId)).toBeUndefined();
  });

  it('replaces the chat when saved twice', async () => {
    const id = '00000000-0000-0000-0000-0000000000c3';
    await store.save(chat(id));
    const refreshed = chat(id, { conversationId: 'a:personal-new', serviceUrl: 'https://smba.trafficmanager.net/amer/', userId: '29:user-new', botId: '28:other-bot' });
    await store.save(refreshed);
    expect(await store.find(TENANT, id)).toStrictEqual(refreshed);
  });

  it('keeps people apart', async () => {
    const first = chat('00000000-0000-0000-0000-0000000000d4');
    const second = chat('00000000-0000-0000-0000-0000000000e5');
    await store.save(first);
    await store.save(second);
    expect(await store.find(TENANT, first.aadObjectId)).toStrictEqual(first);
    expect(await store.find(TENANT, second.aadObjectId)).toStrictEqual(second);
  });

  it('remembers a chat it read or saved, and reads the table again once told to forget it', async () => {
    const saved = chat('00000000-0000-0000-0000-0000000000c3');
    await store.save(saved);
    // Another instance (another store on the same table) saves a new chat for the same person.
    const elsewhere = await ConversationStore.open(inject('tablesConnectionString'), prefix);
    const moved = { ...saved, conversationId: 'a:personal-moved' };
    await elsewhere.save(moved);
    expect(await store.find(TENANT, saved.aadObjectId)).toStrictEqual(saved);
    store.forget(TENANT, saved.aadObjectId);
    expect(await store.find(TENANT, saved.aadObjectId)).toStrictEqual(moved);
  });
});
