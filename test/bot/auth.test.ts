/**
 * With bot credentials set, the endpoint accepts only Bot Framework tokens.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Baton, createBaton } from '../../src/baton';
import { createLogger } from '../../src/logger';
import { loadConfig } from '../../src/config';
import { message, people } from '../support/activities';
import { type Connector, startConnector } from '../support/connector';
import { uniquePrefix } from '../support/stack';

let baton: Baton;
let connector: Connector;

beforeAll(async () => {
  connector = await startConnector([people.ada]);
  const config = loadConfig({
    BOT_ID: '6f1c2a4e-8a0b-4c39-9d6e-0f6b3c1d2e4f',
    BOT_PASSWORD: 'not-a-real-secret',
    // A real bot needs Graph (real people are not in the local directory); these tests never reach it.
    GRAPH_TENANT_ID: '11111111-2222-3333-4444-555555555555',
    GRAPH_CLIENT_ID: '66666666-7777-8888-9999-000000000000',
    GRAPH_CLIENT_SECRET: 'not-a-real-secret',
    MAIL_SENDER: 'baton@contoso.example',
    TABLES_CONNECTION_STRING: inject('tablesConnectionString'),
    BATON_TABLE_PREFIX: uniquePrefix(),
  });
  baton = await createBaton(config, { log: createLogger({ sink: () => undefined }) });
});
afterAll(() => connector.close());

describe('with BOT_ID set', () => {
  it('is not in local mode', () => {
    expect(baton.config.localMode).toBe(false);
  });

  it('answers a request without a token with 401 and sends nothing', async () => {
    const result = await baton.bot.handle(JSON.stringify(message(connector.url, people.ada, 'new')), '');
    expect(result.status).toBe(401);
    expect(connector.sent).toEqual([]);
  });

  it('answers a request with a token that is not a Bot Framework JWT with 401', async () => {
    const result = await baton.bot.handle(JSON.stringify(message(connector.url, people.ada, 'new')), 'Bearer not.a.jwt');
    expect(result.status).toBe(401);
    expect(connector.sent).toEqual([]);
  });
});
