/**
 * The foundation, end to end: in the Agents Playground (a real Teams client
 * simulator) in headless Chromium, Ada types "new" in the group chat, submits
 * the form with a mistake, fixes it, posts the handoff to Grace, and sees
 * Grace's acceptance arrive on the card. Screenshots: test-results/handoff-e2e/.
 */
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortInUse } from '../../src/host/processes';
import { actAs, card, chromiumAvailable, LABELS, pickPerson, type E2E, sendInGroupChat, startE2E, storedHandoffs, WALK } from './support';

const run = chromiumAvailable();
let e2e: E2E;

describe.runIf(run)('a handoff in the Agents Playground', WALK, () => {
  beforeAll(async () => {
    e2e = await startE2E('handoff-e2e');
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  it("has the Playground listen on loopback only, not on the machine's other addresses", async () => {
    const port = e2e.stack.config.ports.playground;
    expect(await isPortInUse(port)).toBe(true);
    // A machine with no network address but loopback has nothing more to check (CI has one).
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4');
    for (const address of others) expect(await isPortInUse(port, address!.address), address!.address).toBe(false);
  });

  it('goes from "new" to a form, an error, a fix, a posted card and an acceptance', async () => {
    const { page } = e2e;
    await sendInGroupChat(page, 'new');
    const form = card(page, 'New handoff');
    await form.waitFor();
    await e2e.screenshot('1-form');

    await form.getByRole('textbox', { name: LABELS.summary }).fill('Payments retry logic is ready for QA');
    await form.getByRole('textbox', { name: LABELS.whatIsReady }).fill('Retry worker merged behind the payments-retry flag.');
    await form
      .getByRole('textbox', { name: LABELS.criteria })
      .fill('All retry tests pass in CI\nA failed payment is retried 3 times within 10 minutes');
    await form.getByRole('textbox', { name: LABELS.links }).fill('http://github.example/contoso/payments/pull/42');
    await form.getByRole('textbox', { name: 'Estimated effort' }).fill('4h');
    await pickPerson(form, 'Receiver *', 'Grace Hopper');
    await form.getByRole('button', { name: 'Post handoff' }).click();

    const withError = card(page, '"http://github.example/contoso/payments/pull/42" is not an https link.');
    await withError.waitFor();
    expect(await withError.getByRole('textbox', { name: LABELS.summary }).inputValue()).toBe('Payments retry logic is ready for QA');
    expect(await storedHandoffs(e2e)).toEqual([]);
    await e2e.screenshot('2-form-with-error');

    await withError.getByRole('textbox', { name: LABELS.links }).fill('https://github.example/contoso/payments/pull/42');
    await withError.getByRole('button', { name: 'Post handoff' }).click();
    const posted = card(page, 'this handoff is for you');
    await posted.waitFor();
    const text = await posted.textContent();
    expect(text).toContain('Payments retry logic is ready for QA');
    expect(text).toContain('In review');
    expect(text).toContain('Grace Hopper');
    await e2e.screenshot('3-posted');

    const [handoff] = await storedHandoffs(e2e);
    expect(handoff).toMatchObject({ status: 'inReview' });
    const accepted = await actAs(
      e2e,
      'Grace Hopper',
      'handoff.accept',
      { handoffId: handoff!.id, criterion0: 'true', criterion1: 'true' },
      handoff!.messageId,
    );
    expect(accepted.status).toBe(200);
    await card(page, 'Accepted by Grace Hopper').waitFor();
    await e2e.screenshot('4-accepted');
    expect((await storedHandoffs(e2e))[0]?.status).toBe('accepted');
  });
});
