/**
 * src/graph's front door: the directory and the mailer for the current
 * settings. With Graph credentials, Microsoft Graph; without them, the
 * Playground's people and a folder of .eml files (local development).
 */
import { join } from 'node:path';
import type { AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import { type Config, ConfigError, GRAPH_PROBLEMS, type GraphSettings } from '../config';
import { PROJECT_ROOT } from '../project';
import type { Clock } from '../clock';
import type { Directory, Mailer } from '../app/ports';
import { GraphDirectory } from './directory';
import {
  createCredential,
  credentialAuthProvider,
  DEFAULT_GRAPH_BASE_URL,
  GraphApi,
  type GraphLog,
  type RetryPolicy,
} from './graph-client';
import { LocalDirectory } from '../local/directory';
import { GraphMailer } from './mail';
import { LocalMailbox } from '../local/mailbox';

export type GraphMode = 'graph' | 'local';

export interface GraphServices {
  mode: GraphMode;
  directory: Directory;
  mailer: Mailer;
  /** One line for start-up logs: which mode, and where people and mail come from and go. */
  description: string;
  /** Local mode: the folder mail is written to. */
  mailboxDir: string | undefined;
  /** The one tenant whose people the directory knows (Graph's app registration, or the Playground's). */
  tenantId: string;
}

export interface GraphServicesOptions {
  /** Local mode's outbox folder; .data/mailbox in the project by default. */
  mailboxDir?: string;
  /** Instead of the credential from the settings (tests). */
  authProvider?: AuthenticationProvider;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  log?: GraphLog;
}

/** The sender address local mail shows when MAIL_SENDER is not set: the Playground tenant's domain. */
const LOCAL_SENDER = 'baton@contoso.example';

/** Graph mode needs credentials; it is chosen by GRAPH_CLIENT_ID or GRAPH_USE_MANAGED_IDENTITY. */
export function graphModeOf(settings: GraphSettings | undefined): GraphMode {
  return settings?.clientId || settings?.useManagedIdentity ? 'graph' : 'local';
}

/** What is wrong with the Graph settings taken together, one sentence per setting. */
export function graphSettingsProblems(config: Config): string[] {
  const g = config.graph;
  const problems: string[] = [];
  if (graphModeOf(g) === 'local') {
    // A real bot meets real people, who are not in the Playground's directory; and mail must not end up in files on a server.
    // With what Graph mode will need besides, so one start names every missing setting.
    if (!config.localMode) {
      problems.push(GRAPH_PROBLEMS.clientId);
      if (!g?.tenantId) problems.push(GRAPH_PROBLEMS.tenantId);
      if (!g?.clientSecret) problems.push(GRAPH_PROBLEMS.secret);
      if (!g?.mailSender) problems.push(GRAPH_PROBLEMS.mailSender);
    }
    return problems;
  }
  // The directory answers for one tenant; Baton must know which, so other tenants' users never see it.
  if (!g?.tenantId) problems.push(GRAPH_PROBLEMS.tenantId);
  if (g?.useManagedIdentity) {
    if (g.clientSecret) problems.push(GRAPH_PROBLEMS.secretWithIdentity);
  } else {
    if (!g?.clientSecret) problems.push(GRAPH_PROBLEMS.secret);
  }
  if (!g?.mailSender) problems.push(GRAPH_PROBLEMS.mailSender);
  return problems;
}

/**
 * The directory and mailer for these settings.
 * @throws ConfigError naming each Graph setting that is missing or clashes
 */
export function createGraphServices(config: Config, options: GraphServicesOptions = {}): GraphServices {
  const problems = graphSettingsProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
  const g = config.graph;
  if (graphModeOf(g) === 'local') {
    const mailboxDir = options.mailboxDir ?? config.mailboxDir ?? join(PROJECT_ROOT, '.data', 'mailbox');
    const directory = LocalDirectory.fromFiles({ awayFile: config.awayFile });
    return {
      mode: 'local',
      directory,
      mailer: new LocalMailbox(mailboxDir, g?.mailSender ?? LOCAL_SENDER, { clock: options.clock }),
      // Getters: the directory reads its files on first use, not while a cold start builds Baton.
      get description() {
        return `local: the Agents Playground's ${directory.people.length} people (working hours in dev/working-hours.json, who is away in ${config.awayFile ?? 'dev/away.json'}), mail written to ${mailboxDir}`;
      },
      mailboxDir,
      get tenantId() {
        return directory.tenantId;
      },
    };
  }
  // Graph mode implies settings (graphModeOf), and the checks above passed.
  const settings = g!;
  const sender = settings.mailSender!;
  const baseUrl = settings.baseUrl ?? DEFAULT_GRAPH_BASE_URL;
  const authProvider = options.authProvider ?? credentialAuthProvider(createCredential(settings), baseUrl);
  const api = new GraphApi({ baseUrl, authProvider, retry: options.retry, clock: options.clock, log: options.log });
  const identity = settings.useManagedIdentity
    ? `managed identity${settings.clientId ? ` ${settings.clientId}` : ''}`
    : `app ${settings.clientId} in tenant ${settings.tenantId}`;
  return {
    mode: 'graph',
    directory: new GraphDirectory(api, { clock: options.clock }),
    mailer: new GraphMailer(api, sender, { clock: options.clock }),
    description: `Microsoft Graph at ${baseUrl} as ${identity}, mail from ${sender}`,
    mailboxDir: undefined,
    tenantId: settings.tenantId!,
  };
}
