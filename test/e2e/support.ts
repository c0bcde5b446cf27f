/**
 * End-to-end support: the dev stack (Azurite, the Functions host, the Agents
 * Playground) on free ports, and Debian's Chromium driving the Playground.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TableClient } from '@azure/data-tables';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { azuriteConnectionString } from '../../src/config';
import { type DevStack, startDevStack } from '../../src/host/dev-stack';
import { cardActionFrom, type PlaygroundUser, playgroundPerson, readPlaygroundConfig } from '../../src/host/playground';
import { freePort, PROJECT_ROOT } from '../../src/host/processes';
import { FIXTURE_DAY } from '../support/activities';
import { chromiumExecutable } from '../support/chromium';

export { chromiumAvailable } from '../support/chromium';

const run = promisify(execFile);

/** The form's labels, as a person reads them (each states its field's cap). */
export const LABELS = {
  summary: 'Summary, in one sentence (at most 200 characters) *',
  whatIsReady: 'What is ready (at most 1,000 characters) *',
  criteria: 'Acceptance criteria, one per line (up to 10, each at most 160 characters) *',
  links: 'Dependencies and links (https, one per line, up to 6)',
} as const;

/** The Playground's mock tenant, read from the checked-in config. */
export const playgroundConfig = readPlaygroundConfig();

export function playgroundUser(name: string): PlaygroundUser {
  return playgroundPerson(playgroundConfig, name);
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

/**
 * How long one walk through the Playground may take. Each browser step has its
 * own 10-second limit, which names the step that cannot happen; this one only
 * catches a hang. A walk takes about 13 s on a calm machine, and went over
 * 30 s with both cores busy (load 7.5).
 */
export const WALK = { timeout: 90_000 };

/** Starts the stack on free ports and opens the Playground in headless Chromium. */
export async function startE2E(name: string): Promise<E2E> {
  const [azurite, azuriteQueue, host, playground] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const prefix = `e2e${Date.now()}`;
  // The test's mail, automatic replies and browser profile: one folder, gone with the test.
  const scratch = mkdtempSync(join(tmpdir(), 'baton-e2e-'));
  const env = {
    ...process.env,
    AZURITE_TABLE_PORT: String(azurite),
    AZURITE_QUEUE_PORT: String(azuriteQueue),
    // The stack's own Azurite holds the summary's queue; mail goes to a folder of the test's own.
    AzureWebJobsStorage: '',
    BATON_SUMMARY_QUEUE: '',
    BATON_MAILBOX_DIR: join(scratch, 'mailbox'),
    // The local people's automatic replies: `npm run as -- grace away 3d` writes them here, not in the project's dev/.
    BATON_AWAY_FILE: join(scratch, 'away.json'),
    BATON_HOST_PORT: String(host),
    PLAYGROUND_PORT: String(playground),
    BATON_TABLE_PREFIX: prefix,
    TABLES_CONNECTION_STRING: '',
    BOT_ID: '',
    // Baton's clock starts at an instant the tests name, whatever the machine's date (its scripts run beside it).
    BATON_CLOCK_START: FIXTURE_DAY,
  };
  const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
  const stack = await startDevStack({ env, log: () => undefined }).catch((error: unknown) => {
    removeScratch();
    throw error;
  });
  const shots = join(PROJECT_ROOT, 'test-results', name);
  mkdirSync(shots, { recursive: true });
  let context: BrowserContext | undefined;
  try {
    return await openPlayground(stack, shots, { azurite, playground, prefix, scratch }, (c) => (context = c));
  } catch (error) {
    // A start that fails halfway leaves nothing running: no Azurite, no Playground, no browser.
    await context?.close().catch(() => undefined);
    await stack.stop();
    removeScratch();
    throw error;
  }
}

async function openPlayground(
  stack: Awaited<ReturnType<typeof startDevStack>>,
  shots: string,
  ports: { azurite: number; playground: number; prefix: string; scratch: string },
  opened: (context: BrowserContext) => void,
): Promise<E2E> {
  const { azurite, playground, prefix, scratch } = ports;
  const context = await chromium.launchPersistentContext(join(scratch, 'chromium'), {
    executablePath: chromiumExecutable(),
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  opened(context);
  // The Playground asks for web fonts from a CDN; this machine is offline, so refuse at once.
  await context.route(/^https?:\/\/(?!localhost|127\.0\.0\.1)/, (route) => route.abort());
  const page = context.pages()[0] ?? (await context.newPage());
  // A step that cannot happen should fail naming its locator, well before the test's own timeout.
  page.setDefaultTimeout(10_000);
  const configLoaded = page.waitForResponse((r) => r.url().includes('/_internal/v1/config'), { timeout: 30_000 });
  // The Playground's first load compiles its bundle: on a busy machine it takes far longer than a click.
  await page.goto(stack.urls.playground!, { timeout: 60_000 });
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
      rmSync(scratch, { recursive: true, force: true });
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

/** The last card that contains the text; a ShowCard's card inside it is part of it, never a card of its own. */
export function card(page: Page, text: string | RegExp): Locator {
  return page.locator('.ac-adaptiveCard:not(.ac-adaptiveCard .ac-adaptiveCard)', { hasText: text }).last();
}

/**
 * Clicks a card button and waits until the Playground has the bot's answer
 * (its invoke's response read to the end), so the next click lands on the
 * card the answer renders, not on the one it is about to replace.
 */
export async function clickAndAwaitAnswer(button: Locator): Promise<void> {
  const answered = button.page().waitForResponse((r) => r.url().includes('/v1/invoke') && r.request().method() === 'POST');
  await button.click();
  await (await answered).finished();
}

/**
 * Refreshes a card to the clicker's own view, as a person does where Teams
 * does not refresh it: Refresh is a secondary action, in the card's "..."
 * menu.
 */
export async function refreshCard(scope: Locator): Promise<void> {
  const page = scope.page();
  const answered = page.waitForResponse((r) => r.url().includes('/v1/invoke') && r.request().method() === 'POST');
  await scope.getByRole('button', { name: 'More options', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Refresh' }).click();
  await (await answered).finished();
}

/**
 * The card with `text` in the clicker's own view: the one that shows `button`,
 * or `mine` when it is a text only that view has ("Closed by you"). After a
 * click the Playground may draw everyone's card over the answer (a race of two
 * updates, which a busy machine makes likely); a person would press Refresh,
 * and so does this.
 */
export async function ownView(page: Page, text: string | RegExp, mine: { button: string } | { text: RegExp }): Promise<Locator> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = card(page, text);
    await found.waitFor();
    const shown = 'button' in mine ? found.getByRole('button', { name: mine.button }) : found.getByText(mine.text);
    if (await shown.isVisible()) return found;
    const what = 'button' in mine ? mine.button : String(mine.text);
    if (Date.now() > deadline) throw new Error(`No card with "${String(text)}" shows ${what}, even after Refresh`);
    await refreshCard(found);
  }
}

/**
 * Opens an Action.ShowCard until its input shows. The Playground re-renders a
 * card when an answer for it arrives, which closes an open ShowCard; opening
 * it again is what a person would do.
 */
export async function openShowCard(scope: Locator, button: string, input: Locator): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (!(await input.isVisible())) await scope.getByRole('button', { name: button }).click();
    try {
      await input.waitFor({ state: 'visible', timeout: 1000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

/** Picks a person in a people picker (Input.ChoiceSet with Data.Query): type part of the name, choose the match. */
export async function pickPerson(scope: Locator, label: string, name: string): Promise<void> {
  // The picker's own input is labelled "People Picker"; the card's label sits next to it.
  const field = scope.locator('label', { hasText: label }).locator('xpath=..').getByRole('combobox');
  await field.click();
  await scope.page().keyboard.type(name.split(' ')[0]!);
  await scope
    .page()
    .getByRole('option', { name: new RegExp(name) })
    .first()
    .click();
}

/** Posts a handoff from the group chat's form, as a person fills it, and waits for its card. */
export async function postHandoff(
  e2e: E2E,
  fields: { summary: string; whatIsReady: string; criteria: string; link: string; effort: string; receiver: string; stakeholder?: string },
): Promise<void> {
  const { page } = e2e;
  await sendInGroupChat(page, 'new');
  const form = card(page, 'New handoff');
  await form.waitFor();
  await form.getByRole('textbox', { name: LABELS.summary }).fill(fields.summary);
  await form.getByRole('textbox', { name: LABELS.whatIsReady }).fill(fields.whatIsReady);
  await form.getByRole('textbox', { name: LABELS.criteria }).fill(fields.criteria);
  await form.getByRole('textbox', { name: LABELS.links }).fill(fields.link);
  await form.getByRole('textbox', { name: 'Estimated effort' }).fill(fields.effort);
  await pickPerson(form, 'Receiver *', fields.receiver);
  if (fields.stakeholder) {
    // Stakeholders wait behind "More fields" with the other optional fields.
    await form.getByRole('button', { name: 'More fields', exact: true }).click();
    await pickPerson(form, 'Stakeholders', fields.stakeholder);
  }
  await form.getByRole('button', { name: 'Post handoff' }).click();
  await card(page, 'this handoff is for you to review.').waitFor();
}

/** The newest handoff rows in the test's table (the bot made the ids; the test reads them back). */
export async function storedHandoffs(e2e: E2E): Promise<{ id: string; messageId: string; status: string; workState: string }[]> {
  const table = TableClient.fromConnectionString(e2e.connectionString, `${e2e.prefix}handoffs`, { allowInsecureConnection: true });
  const rows: { id: string; messageId: string; status: string; workState: string; createdAt: string }[] = [];
  for await (const row of table.listEntities<{ conversation: string; status: string; workState: string; createdAt: string }>({
    queryOptions: { filter: "RowKey eq 'handoff'" },
  })) {
    rows.push({
      id: row.partitionKey!,
      messageId: (JSON.parse(row.conversation) as { messageId: string }).messageId,
      status: row.status,
      workState: row.workState,
      createdAt: row.createdAt,
    });
  }
  return rows.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Runs one of the project's scripts (`npm run as`, `npm run clock`) against the test's stack (its ports and tables), as a newcomer would against theirs. */
async function runScript(e2e: E2E, script: string, args: string[]): Promise<string> {
  const env = {
    ...process.env,
    BATON_HOST_PORT: String(e2e.stack.config.ports.host),
    PLAYGROUND_PORT: String(e2e.stack.config.ports.playground),
    AZURITE_TABLE_PORT: String(e2e.stack.config.ports.azurite),
    AZURITE_QUEUE_PORT: String(e2e.stack.config.ports.azuriteQueue),
    AzureWebJobsStorage: '',
    BATON_TABLE_PREFIX: e2e.prefix,
    TABLES_CONNECTION_STRING: '',
    BOT_ID: '',
    BATON_AWAY_FILE: e2e.stack.config.awayFile ?? '',
  };
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'scripts', script), ...args], {
    env,
    cwd: PROJECT_ROOT,
  });
  return stdout;
}

/** `npm run as -- <args>`: acts as another of the Playground's people. */
export const runAs = (e2e: E2E, args: string[]) => runScript(e2e, 'as.ts', args);

/** `npm run clock -- <args>`: moves Baton's clock forward and runs the overdue check. */
export const runClock = (e2e: E2E, args: string[]) => runScript(e2e, 'clock.ts', args);

/** Opens one of the Playground's chats by its name in the chat list ("Personal Chat", "Payments team"). */
export async function openChat(page: Page, name: string): Promise<void> {
  await page.locator(`[role=treeitem][aria-label="${name}"]`).click();
}

/** Posts a card action to the bot as another member of the group chat, through the Playground's connector (what `npm run as` does). */
export async function actAs(
  e2e: E2E,
  name: string,
  verb: string,
  data: Record<string, unknown>,
  replyToId: string,
): Promise<{ status: number; body: any }> {
  const activity = cardActionFrom(playgroundConfig, playgroundUser(name), e2e.connectorUrl, { verb, data, replyToId });
  const response = await fetch(e2e.stack.urls.messages, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
