/**
 * The messaging extension end to end in the Agents Playground: Ada opens
 * "Create handoff" from a message's "..." menu, gets the form prefilled from
 * the message, submits it once with a mistake and once right, sends the
 * preview, and finds the handoff again with the search command.
 *
 * The Playground does not run botMessagePreview (it says so in the dialog),
 * so the test reads the preview the bot returned from the Playground's own
 * network traffic and presses "Send" through the Playground's invoke API, as
 * Teams would after the user clicks Send. Then the same dialog started from a
 * team template made with `template new`: Use this template, the checklist
 * refused unticked, and the card Send posts stamped with the template's version.
 * Screenshots: test-results/extension-e2e/.
 */
import type { Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  card,
  chromiumAvailable,
  clickAndAwaitAnswer,
  type E2E,
  LABELS,
  pickPerson,
  playgroundConfig,
  sendInGroupChat,
  startE2E,
  storedHandoffs,
  WALK,
} from './support';

const run = chromiumAvailable();
let e2e: E2E;

describe.runIf(run)('the messaging extension in the Agents Playground', WALK, () => {
  beforeAll(async () => {
    e2e = await startE2E('extension-e2e');
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  it('creates a handoff from a message and finds it by search', async () => {
    const { page } = e2e;
    await page.locator(`[role=treeitem][aria-label="${playgroundConfig.groupChat.name}"]`).click();
    const editor = page.locator('[data-lexical-editor="true"][role="textbox"]').first();
    await editor.click();
    // Not addressed to the bot: a plain message in the chat, the kind a handoff starts from.
    await page.keyboard.type('The invoice export now runs nightly. Totals are in https://finance.example/report/7');
    await page.locator('button[aria-label="Send Message"]').click();
    await page.getByText('The invoice export now runs nightly.').last().waitFor();

    await page.locator('button[aria-label="Show more information"]').last().click();
    await page.getByRole('menuitem', { name: 'Action Command' }).click();
    await page.getByPlaceholder('Input command id or leave blanks').fill('createHandoff');
    await page.getByRole('radio', { name: /Adaptive Cards/ }).check();
    await page.getByRole('button', { name: 'Create' }).click();

    const dialog = page.getByRole('dialog').locator('.ac-adaptiveCard', { hasText: 'New handoff' });
    await dialog.waitFor();
    const summary = dialog.getByRole('textbox', { name: LABELS.summary });
    expect(await summary.inputValue()).toBe('The invoice export now runs nightly.');
    expect(await dialog.getByRole('textbox', { name: LABELS.links }).inputValue()).toContain('https://finance.example/report/7');
    await e2e.screenshot('1-dialog-prefilled');

    await dialog.getByRole('button', { name: 'Post handoff' }).click();
    const withErrors = page
      .getByRole('dialog')
      .locator('.ac-adaptiveCard', { hasText: 'Add at least one acceptance criterion, one per line.' });
    await withErrors.waitFor();
    expect(await withErrors.getByRole('textbox', { name: LABELS.summary }).inputValue()).toBe('The invoice export now runs nightly.');
    await e2e.screenshot('2-dialog-with-errors');

    await withErrors.getByRole('textbox', { name: LABELS.criteria }).fill('Totals match the finance report for 3 nights');
    await withErrors.getByRole('textbox', { name: 'Estimated effort' }).fill('2h');
    await pickPerson(withErrors, 'Receiver *', 'Grace Hopper');
    const answered = page.waitForResponse(
      async (r: Response) => r.request().method() === 'POST' && (await r.text().catch(() => '')).includes('botMessagePreview'),
    );
    await withErrors.getByRole('button', { name: 'Post handoff' }).click();
    const preview = JSON.parse(await (await answered).text()) as Record<string, unknown>;
    const activityPreview = findPreview(preview);
    expect(activityPreview).toBeDefined();
    expect(await storedHandoffs(e2e)).toEqual([]);
    await e2e.screenshot('3-preview-returned');
    // The Playground shows its own "not supported" note for the preview; close the dialog as the user would.
    await page.getByRole('dialog').getByRole('button').first().click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    // "Send", as Teams sends it when the user clicks Send on the preview.
    const send = await fetch(`${e2e.stack.urls.playground}/_conversation/v1/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'composeExtension/submitAction',
        from: { id: playgroundConfig.currentUser.id },
        conversation: { id: playgroundConfig.groupChat.id },
        value: {
          commandId: 'createHandoff',
          commandContext: 'message',
          botMessagePreviewAction: 'send',
          botActivityPreview: [activityPreview],
        },
      }),
    });
    expect(send.status).toBeLessThan(300);
    const posted = card(page, 'this handoff is for you');
    await posted.waitFor();
    expect(await posted.textContent()).toContain('The invoice export now runs nightly.');
    const [stored] = await storedHandoffs(e2e);
    expect(stored).toMatchObject({ status: 'inReview' });
    expect(stored!.messageId).toBeTruthy();
    await e2e.screenshot('4-posted-from-message');

    // Search: the ME menu's search command, with Baton's command id and parameter.
    await page.locator('button[aria-label="Trigger Message Extension App"]').last().click();
    await page.getByRole('menuitem', { name: 'Search Command' }).click();
    await page.getByText('Specify Command ID or Parameter').click();
    await page.getByPlaceholder('Command ID').fill('findHandoffs');
    await page.getByPlaceholder('Parameter name').fill('query');
    await page.getByPlaceholder('Enter a search term').fill('invoice');
    const result = page.getByText('The invoice export now runs nightly.', { exact: true }).last();
    await page
      .getByText(/In review · waiting on Grace Hopper · .*Ada Lovelace → Grace Hopper/)
      .last()
      .waitFor();
    await e2e.screenshot('5-search-results');
    await result.click();
    await e2e.screenshot('6-result-inserted');
  });

  it('starts the dialog from a team template: Use this template re-renders it, an unticked item is refused, Send posts it stamped', async () => {
    const { page } = e2e;
    // A fresh page, as the first test left a result in the compose box: the Playground's chats start anew (the tables stay).
    await page.reload({ timeout: 60_000 });
    await page.locator('[data-lexical-editor="true"][role="textbox"]').first().waitFor();
    const hideLog = page.locator('button[title="Hide log panel"]');
    if (await hideLog.isVisible()) await hideLog.click();
    // Its own template, made as a person makes one: `template new` in the group chat.
    await sendInGroupChat(page, 'template new');
    const templateForm = card(page, 'New team template');
    await templateForm.waitFor();
    await templateForm.getByRole('textbox', { name: /^Name/ }).fill('Release to QA');
    await templateForm.getByRole('textbox', { name: /^Mandatory checklist/ }).fill('Release notes written\nFeature flag off by default');
    await templateForm.getByRole('textbox', { name: /^What is ready/ }).fill('The build is on staging.');
    await templateForm.getByRole('textbox', { name: /^Acceptance criteria/ }).fill('All smoke tests pass on staging');
    await clickAndAwaitAnswer(templateForm.getByRole('button', { name: 'Save template' }));
    await card(page, 'Saved: version 1.').waitFor();

    // The compose box's Create handoff offers it, as `new` does.
    await page.locator('button[aria-label="Trigger Message Extension App"]').last().click();
    await page.getByRole('menuitem', { name: 'Action Command' }).click();
    await page.getByPlaceholder('Input command id or leave blanks').fill('createHandoff');
    await page.getByRole('radio', { name: /Adaptive Cards/ }).check();
    await page.getByRole('button', { name: 'Create' }).click();
    const opened = page.getByRole('dialog').locator('.ac-adaptiveCard', { hasText: 'Start from a team template' });
    await opened.waitFor();
    await opened.getByRole('textbox', { name: LABELS.summary }).fill('Build 43 is ready for QA');
    await opened.getByRole('combobox').first().click();
    await page.getByRole('option', { name: 'Release to QA' }).click();
    await clickAndAwaitAnswer(opened.getByRole('button', { name: 'Use this template' }));

    // The dialog again, from the template: what was typed stays, the empty fields are the template's, its checklist asks.
    const fromTemplate = page
      .getByRole('dialog')
      .locator('.ac-adaptiveCard', { hasText: 'From the team template “Release to QA” (version 1).' });
    await fromTemplate.waitFor();
    expect(await fromTemplate.getByRole('textbox', { name: LABELS.summary }).inputValue()).toBe('Build 43 is ready for QA');
    expect(await fromTemplate.getByRole('textbox', { name: LABELS.whatIsReady }).inputValue()).toBe('The build is on staging.');
    await fromTemplate.getByRole('textbox', { name: LABELS.links }).fill('https://example.com/builds/43');
    await fromTemplate.getByRole('textbox', { name: 'Estimated effort' }).fill('2h');
    await pickPerson(fromTemplate, 'Receiver *', 'Grace Hopper');
    await fromTemplate.getByRole('checkbox', { name: 'Release notes written' }).check();
    await e2e.screenshot('7-dialog-from-template');
    await clickAndAwaitAnswer(fromTemplate.getByRole('button', { name: 'Post handoff' }));

    const refused = page
      .getByRole('dialog')
      .locator('.ac-adaptiveCard', { hasText: 'Nothing was posted: one checklist item is not ticked.' });
    await refused.waitFor();
    await refused.getByText('Tick this once it is done: this template asks for it before posting.').waitFor();
    expect(await storedHandoffs(e2e)).toHaveLength(1);
    await e2e.screenshot('8-dialog-checklist-refused');

    await refused.getByRole('checkbox', { name: 'Feature flag off by default' }).check();
    const answered = page.waitForResponse(
      async (r: Response) => r.request().method() === 'POST' && (await r.text().catch(() => '')).includes('botMessagePreview'),
    );
    await refused.getByRole('button', { name: 'Post handoff' }).click();
    const activityPreview = findPreview(JSON.parse(await (await answered).text()));
    expect(JSON.stringify(activityPreview)).toContain('confirmed the checklist of the team template “Release to QA” (version 1).');
    await page.getByRole('dialog').getByRole('button').first().click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    const send = await fetch(`${e2e.stack.urls.playground}/_conversation/v1/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'composeExtension/submitAction',
        from: { id: playgroundConfig.currentUser.id },
        conversation: { id: playgroundConfig.groupChat.id },
        value: {
          commandId: 'createHandoff',
          commandContext: 'compose',
          botMessagePreviewAction: 'send',
          botActivityPreview: [activityPreview],
        },
      }),
    });
    expect(send.status).toBeLessThan(300);
    const posted = card(page, 'Build 43 is ready for QA');
    await posted.getByText('Ada Lovelace confirmed the checklist of the team template “Release to QA” (version 1).').waitFor();
    expect(await storedHandoffs(e2e)).toHaveLength(2);
    await e2e.screenshot('9-posted-from-template');
  });
});

/** The activity preview inside whatever envelope the Playground wraps the bot's answer in. */
function findPreview(node: unknown): unknown {
  if (!node || typeof node !== 'object') return undefined;
  const record = node as Record<string, unknown>;
  if (record.type === 'botMessagePreview' && record.activityPreview) return record.activityPreview;
  for (const value of Object.values(record)) {
    const found = findPreview(value);
    if (found) return found;
  }
  return undefined;
}
