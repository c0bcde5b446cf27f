/**
 * The production configuration, for the cold start beside the local one:
 * Graph mode with the Function App's managed identity, as infra/azure.bicep
 * deploys it (GRAPH_USE_MANAGED_IDENTITY, GRAPH_CLIENT_ID, GRAPH_TENANT_ID,
 * MAIL_SENDER). Microsoft Graph is the tests' stand-in (test/graph/stand-in.ts)
 * and the managed identity's token endpoint is App Service's, stood in here
 * (IDENTITY_ENDPOINT and IDENTITY_HEADER, which @azure/identity's
 * ManagedIdentityCredential reads on App Service and Functions). Handoffs to
 * accept are made beforehand, so a cold process's first card action is an
 * Accept, which reads the owner's working hours from Graph: Entra identity
 * and Graph's client load then, on first use (src/lazy.ts).
 *
 * What it leaves out: the bot's token check (BOT_ID), which fetches the Bot
 * Framework's signing keys from the internet once per process.
 */
import { createServer } from 'node:http';
import { handoffIdForForm } from '../src/app/handoffs';
import { DEFAULT_WORKING_HOURS } from '../src/domain/working-hours';
import { createBaton } from '../src/baton';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { cardAction, people, TENANT } from '../test/support/activities';
import { startGraphStandIn, TOKEN } from '../test/graph/stand-in';

export interface Production {
  /** The settings a cold process gets on top of the bench's. */
  env: Record<string, string>;
  /** Token requests the identity stand-in answered, and Graph requests the stand-in took: the figure used them. */
  tokens(): number;
  graphRequests(): number;
  close(): Promise<void>;
}

/** App Service's managed identity endpoint (API version 2019-08-01), answering every request with the stand-in's token. */
async function startIdentityStandIn(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    if (req.headers['x-identity-header'] !== 'bench') return res.writeHead(401).end();
    const resource = new URL(req.url ?? '/', 'http://localhost').searchParams.get('resource') ?? '';
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        access_token: TOKEN,
        expires_on: String(Math.floor(Date.now() / 1000) + 3600),
        resource,
        token_type: 'Bearer',
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/msi/token`,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function startProduction(): Promise<Production> {
  const graph = await startGraphStandIn(
    [people.ada, people.grace, people.alan].map((p) => ({
      id: p.aadObjectId,
      displayName: p.name,
      mail: `${p.name.split(' ')[0]!.toLowerCase()}@contoso.example`,
      userPrincipalName: `${p.name.split(' ')[0]!.toLowerCase()}@contoso.example`,
      accountEnabled: true,
    })),
  );
  const identity = await startIdentityStandIn();
  return {
    env: {
      GRAPH_USE_MANAGED_IDENTITY: 'true',
      GRAPH_CLIENT_ID: '3f1c2a9e-8b7d-4c6e-9a5f-1e2d3c4b5a69',
      GRAPH_TENANT_ID: TENANT,
      MAIL_SENDER: 'baton@contoso.example',
      GRAPH_BASE_URL: graph.url,
      IDENTITY_ENDPOINT: identity.url,
      IDENTITY_HEADER: 'bench',
    },
    tokens: identity.requests,
    graphRequests: () => graph.requests.length,
    close: async () => {
      await graph.close();
      await identity.close();
    },
  };
}

/** Handoffs from Ada to Grace, owned by Alan, in review: one for each cold process to accept first. */
export async function handoffsToAccept(env: Record<string, string>, serviceUrl: string, count: number): Promise<string[]> {
  const baton = createBaton(
    loadConfig({ TABLES_CONNECTION_STRING: env.TABLES_CONNECTION_STRING, BATON_TABLE_PREFIX: env.BATON_TABLE_PREFIX }),
    {
      // Whose hours they are does not matter here: the cold processes read them.
      graph: {
        tenantId: TENANT,
        directory: {
          resolvePeople: async () => [],
          getWorkingHours: async () => DEFAULT_WORKING_HOURS,
          getAutomaticReplies: async () => ({ status: 'disabled' }),
          chatTopic: async () => undefined,
        },
      },
      log: createLogger({ level: 'error' }),
    },
  );
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const formId = crypto.randomUUID();
    const form = {
      formId,
      summary: 'Payments retry logic is ready for QA',
      whatIsReady: 'Retry worker merged behind the payments-retry flag.',
      acceptanceCriteria: 'All retry tests pass in CI\nA failed payment is retried 3 times',
      owner: people.alan.aadObjectId,
      links: 'https://github.com/contoso/payments/pull/42',
      effort: '4h',
      workState: 'ready',
      receiver: people.grace.aadObjectId,
    };
    const answer = await baton.bot.handle(
      JSON.stringify(cardAction(serviceUrl, people.ada, 'handoff.create', form, { replyToId: `cold-${formId}` })),
      '',
    );
    if (answer.status !== 200) throw new Error(`seeding a handoff answered ${answer.status}`);
    ids.push(handoffIdForForm(TENANT, formId));
  }
  await baton.app.deliveries.idle();
  return ids;
}
