/**
 * End-to-end support: the dev stack (Azurite, the Functions host, the Agents
 * Playground) on free ports, and Debian's Chromium driving the Playground.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { azuriteConnectionString } from '../../src/config';
import { type DevStack, startDevStack } from '../../src/host/dev-stack';
import { freePort, PROJECT_ROOT } from '../../src/host/processes';

export { chromiumAvailable } from '../support/chromium';
import { chromiumExecutable } from '../support/chromium';

interface PlaygroundUser {
  id: string;
  name: string;
  aadObjectId: string;
}

/** The Playground's mock tenant, read from the checked-in config. */
export const playgroundConfig = parse(readFileSync(join(PROJECT_ROOT, '.m365agentsplayground.yml'), 'utf8')) as {
  tenantId: string;
  currentUser: PlaygroundUser;
  users: PlaygroundUser[];
  groupChat: { id: string; name: string };
  personalChat: { id: string };
};

export function playgroundUser(name: string): PlaygroundUser {
  const user = [playgroundConfig.currentUser, ...playgroundConfig.users].find((u) => u.name === name);
  if (!user) throw new Error(`No Playground user named ${name}`);
  return user;
}

export interface E2E {
  stack: DevStack;
  page: Page;
  context: BrowserContext;
  shots: string;
  connectorUrl: string;
  prefix: string;
  connectionString: string;
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts the stack on free ports and opens the Playground in headless Chromium. */
export async function startE2E(name: string): Promise<E2E> {
  const [azurite, host, playground] = [await freePort(), await freePort(), await freePort()];
  const prefix = `e2e${Date.now()}`;
  const env = {
    ...process.env,
    AZURITE_TABLE_PORT: String(azurite),
    BATON_HOST_PORT: String(host),
    PLAYGROUND_PORT: String(playground),
    BATON_TABLE_PREFIX: prefix,
    TABLES_CONNECTION_STRING: '',
    BOT_ID: '',
  };
  const stack = await startDevStack({ env, log: () => undefined });
  const shots = join(PROJECT_ROOT, 'test-results', name);
  mkdirSync(shots, { recursive: true });
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'baton-chromium-')), {
    executablePath: chromiumExecutable(),
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // The Playground asks for web fonts from a CDN; this machine is offline, so refuse at once.
  await context.route(/^https?:\/\/(?!localhost|127\.0\.0\.1)/, (route) => route.abort());
  const page = context.pages()[0] ?? (await context.newPage());
  // A step that cannot happen should fail naming its locator, well before the test's own timeout.
  page.setDefaultTimeout(10_000);
  const configLoaded = page.waitForResponse((r) => r.url().includes('/_internal/v1/config'), { timeout: 30_000 });
  await page.goto(stack.urls.playground!);
  await configLoaded;
  await page.locator('[data-lexical-editor="true"][role="textbox"]').first().waitFor();
  // The log panel repeats message text; hide it so text lookups match cards only.
  const hideLog = page.locator('button[title="Hide log panel"]');
  if (await hideLog.isVisible()) await hideLog.click();
  return {
    stack,
    page,
    context,
    shots,
    connectorUrl: `http://localhost:${playground}/_connector`,
    prefix,
    connectionString: azuriteConnectionString(azurite),
    screenshot: (shot) => page.screenshot({ path: join(shots, `${shot}.png`), fullPage: true }).then(() => undefined),
    close: async () => {
      await context.close().catch(() => undefined);
      await stack.stop();
    },
  };
}

/** Opens the group chat and sends a message that @mentions the bot (group chats forward only those). */
export async function sendInGroupChat(page: Page, text: string): Promise<void> {
  await page.locator(`[role=treeitem][aria-label="${playgroundConfig.groupChat.name}"]`).click();
  const editor = page.locator('[data-lexical-editor="true"][role="textbox"]').first();
  await editor.click();
  await page.keyboard.type('@Ba');
  await page.locator('#typeahead-menu [role=menuitem]', { hasText: 'Baton' }).click();
  await page.keyboard.type(` ${text}`);
  await page.locator('button[aria-label="Send Message"]').click();
}

/** The last card that contains the text. */
export function card(page: Page, text: string | RegExp): Locator {
  return page.locator('.ac-adaptiveCard', { hasText: text }).last();
}

/** Picks a person in a people picker (Input.ChoiceSet with Data.Query): type part of the name, choose the match. */
export async function pickPerson(scope: Locator, label: string, name: string): Promise<void> {
  // The picker's own input is labelled "People Picker"; the card's label sits next to it.
  const field = scope.locator('label', { hasText: label }).locator('xpath=..').getByRole('combobox');
  await field.click();
  await scope.page().keyboard.type(name.split(' ')[0]!);
  await scope.page().getByRole('option', { name: new RegExp(name) }).first().click();
}

/** The newest handoff rows in the test's table (the bot made the ids; the test reads them back). */
export async function storedHandoffs(e2e: E2E): Promise<{ id: string; messageId: string; status: string }[]> {
  const table = TableClient.fromConnectionString(e2e.connectionString, `${e2e.prefix}handoffs`, { allowInsecureConnection: true });
  const rows: { id: string; messageId: string; status: string; createdAt: string }[] = [];
  for await (const row of table.listEntities<{ conversation: string; status: string; createdAt: string }>({ queryOptions: { filter: "RowKey eq 'handoff'" } })) {
    rows.push({ id: row.partitionKey!, messageId: (JSON.parse(row.conversation) as { messageId: string }).messageId, status: row.status, createdAt: row.createdAt });
  }
  return rows.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Posts a card action to the bot as another member of the group chat, through the Playground's connector. */
export async function actAs(e2e: E2E, name: string, verb: string, data: Record<string, unknown>, replyToId: string): Promise<{ status: number; body: any }> {
  const user = playgroundUser(name);
  const activity = {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: crypto.randomUUID(),
    channelId: 'msteams',
    serviceUrl: e2e.connectorUrl,
    timestamp: new Date().toISOString(),
    from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
    recipient: { id: '00000000-0000-0000-0000-00000000b070', name: 'Baton' },
    conversation: { id: playgroundConfig.groupChat.id, conversationType: 'groupChat', isGroup: true, tenantId: playgroundConfig.tenantId },
    channelData: { tenant: { id: playgroundConfig.tenantId }, source: { name: 'message' } },
    replyToId,
    value: { action: { type: 'Action.Execute', verb, data } },
  };
  const response = await fetch(e2e.stack.urls.messages, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
