/**
 * The weekly summary end to end (issue 11): Ada posts a handoff in the
 * Agents Playground with Katherine as a stakeholder; `npm run clock --
 * summary` moves Baton's clock to Monday 08:00 in Katherine's zone and runs
 * the hourly function; the queue function sends her summary to the local
 * outbox. /dev/mailbox, acting as Outlook, refreshes the card and sends its
 * Action.Execute to the bot on the Outlook channel: Katherine flags the
 * handoff urgent there, and the handoff's card in the Playground shows it.
 * Screenshots: test-results/summary-e2e/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { card, chromiumAvailable, type E2E, postHandoff, runClock, startE2E, WALK } from './support';

const run = chromiumAvailable();
let e2e: E2E;

describe.runIf(run)('the weekly summary in the outbox, acting as Outlook', WALK, () => {
  beforeAll(async () => {
    e2e = await startE2E('summary-e2e');
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  it("sends Katherine her summary, and her Flag priority in the email changes the handoff's card in Teams", async () => {
    const { page } = e2e;
    await postHandoff(e2e, {
      summary: 'Ledger export is ready for review',
      whatIsReady: 'The nightly ledger export runs behind a flag.',
      criteria: 'Totals match the finance report',
      link: 'https://finance.example/ledger/3',
      effort: '2h',
      receiver: 'Grace Hopper',
      stakeholder: 'Katherine Johnson',
    });
    await e2e.screenshot('0-posted');

    expect(await runClock(e2e, ['summary'])).toMatch(/Weekly summary: 1 person in 1 time zone/);

    const outbox = await e2e.context.newPage();
    const outboxUrl = `http://localhost:${e2e.stack.config.ports.host}/dev/mailbox`;
    // The queue function sends within a poll or two; the page lists what is in the folder when it loads.
    for (let tries = 0; ; tries += 1) {
      await outbox.goto(outboxUrl);
      if ((await outbox.getByRole('heading', { name: /Your week in handoffs/ }).count()) > 0) break;
      if (tries > 60) throw new Error('No summary reached the outbox');
      await outbox.waitForTimeout(250);
    }
    const host = outbox.locator('.card-host').first();
    // Outlook runs the card's refresh when it is shown: the card comes back from the bot.
    await expect.poll(() => host.getAttribute('data-busy')).toBe('false');
    await expect.poll(() => host.getAttribute('data-rendered')).toBe('true');
    await expect.poll(() => host.textContent()).toContain('Ledger export is ready for review');
    await outbox.screenshot({ path: `${e2e.shots}/1-summary-in-the-outbox.png`, fullPage: true });

    await host.getByRole('button', { name: 'Flag a priority change' }).click();
    await host.locator('select').nth(1).selectOption('urgent');
    await host.getByRole('textbox', { name: /Why/ }).fill('Finance closes the quarter early');
    await host.getByRole('button', { name: 'Flag it' }).click();
    await expect.poll(() => host.textContent()).toContain('You flagged “Ledger export is ready for review” as urgent');
    await outbox.screenshot({ path: `${e2e.shots}/2-flagged-from-the-email.png`, fullPage: true });

    await page.bringToFront();
    await card(page, /Urgent/).waitFor();
    expect(
      await card(page, /Ledger export is ready for review/)
        .last()
        .textContent(),
    ).toContain('Urgent');
    await e2e.screenshot('3-urgent-in-teams');
  });
});
