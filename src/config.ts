/**
 * The one place that reads settings. Every setting is validated by zod, and a
 * bad one stops start-up with a message that names it.
 *
 * Azure Functions loads every function file into one worker: a module that
 * throws at import takes all of them down, so callers validate at first use
 * (`getConfig()` in a handler) and the local host validates at start-up.
 */
import { z } from 'zod';

/** Azurite's well-known development account (public, documented by Azure). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** The connection string of an Azurite Table service on the given loopback port. */
export function azuriteConnectionString(port: number, host = '127.0.0.1'): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=http://${host}:${port}/${AZURITE_ACCOUNT};`;
}

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const optional = z.string().trim().transform((v) => (v === '' ? undefined : v)).optional();

const settings = z
  .object({
    BOT_ID: optional.pipe(z.uuid({ message: 'must be the bot\'s Microsoft App ID (a GUID)' }).optional()),
    BOT_PASSWORD: optional,
    BOT_TYPE: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
    BOT_TENANT_ID: optional,
    TABLES_CONNECTION_STRING: optional,
    AzureWebJobsStorage: optional,
    BATON_TABLE_PREFIX: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,30}$/, 'must be letters and digits, starting with a letter').default('baton'),
    BATON_HOST_PORT: port(7071),
    AZURITE_TABLE_PORT: port(10002),
    PLAYGROUND_PORT: port(56150),
    /** Set by App Service on every Azure Functions instance. */
    WEBSITE_INSTANCE_ID: optional,
  })
  .superRefine((s, ctx) => {
    if (s.BOT_ID && s.BOT_TYPE !== 'UserAssignedMSI' && !s.BOT_PASSWORD) {
      ctx.addIssue({ code: 'custom', path: ['BOT_PASSWORD'], message: 'is required when BOT_ID is set (the bot\'s client secret)' });
    }
    if (s.BOT_ID && s.BOT_TYPE !== 'MultiTenant' && !s.BOT_TENANT_ID) {
      ctx.addIssue({ code: 'custom', path: ['BOT_TENANT_ID'], message: `is required when BOT_TYPE is ${s.BOT_TYPE}` });
    }
    if (!s.BOT_ID && s.WEBSITE_INSTANCE_ID) {
      ctx.addIssue({ code: 'custom', path: ['BOT_ID'], message: 'is required on Azure: without it the bot endpoint would accept unauthenticated requests' });
    }
    if (s.WEBSITE_INSTANCE_ID && !s.TABLES_CONNECTION_STRING && !s.AzureWebJobsStorage) {
      ctx.addIssue({ code: 'custom', path: ['TABLES_CONNECTION_STRING'], message: 'is required on Azure (or AzureWebJobsStorage)' });
    }
  });

export interface Config {
  /** Without bot credentials Baton runs in local mode: no token checks, loopback connectors only. */
  localMode: boolean;
  bot: { appId: string; password: string; type: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI'; tenantId: string };
  tables: { connectionString: string; prefix: string };
  ports: { host: number; azurite: number; playground: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Baton's settings are not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates settings from an environment (process.env by default). Throws {@link ConfigError}. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = settings.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'settings'} ${issue.message}`));
  }
  const s = parsed.data;
  return {
    localMode: !s.BOT_ID,
    bot: { appId: s.BOT_ID ?? '', password: s.BOT_PASSWORD ?? '', type: s.BOT_TYPE, tenantId: s.BOT_TENANT_ID ?? '' },
    tables: {
      connectionString: s.TABLES_CONNECTION_STRING ?? s.AzureWebJobsStorage ?? azuriteConnectionString(s.AZURITE_TABLE_PORT),
      prefix: s.BATON_TABLE_PREFIX,
    },
    ports: { host: s.BATON_HOST_PORT, azurite: s.AZURITE_TABLE_PORT, playground: s.PLAYGROUND_PORT },
  };
}

let cached: Config | undefined;

/** The process's settings, validated once on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
