/**
 * Time away, end to end in the Agents Playground (issue 25): Ada hands Grace
 * a review and owns it; `npm run as -- grace away 3d alan` turns on Grace's
 * automatic replies (the local directory's dev/away.json) and names Alan her
 * successor, as the README tells a newcomer to. The card's turn line says she
 * is away and when the review is due; Ada, the owner, gets one message in her
 * personal chat with Reassign to Alan in one click, which hands it to him. Screenshots: test-results/away-e2e/ (the README's are copies).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  card,
  chromiumAvailable,
  clickAndAwaitAnswer,
  type E2E,
  openChat,
  postHandoff,
  runAs,
  startE2E,
  storedHandoffs,
  WALK,
} from './support';

const run = chromiumAvailable();
let e2e: E2E;

describe.runIf(run)('time away in the Agents Playground', WALK, () => {
  beforeAll(async () => {
    e2e = await startE2E('away-e2e');
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  it('says on the card who is away, tells the owner once with Reassign to the successor, and hands it on', async () => {
    const { page } = e2e;
    await postHandoff(e2e, {
      summary: 'Invoice export is ready for review',
      whatIsReady: 'The nightly export writes totals per customer.',
      criteria: 'Totals match the finance report for 3 nights',
      link: 'https://finance.example/report/7',
      effort: '2h',
      receiver: 'Grace Hopper',
    });

    // Tuesday 24 November, 04:00 in New York: Grace is away for three days, back on Friday; Alan takes over.
    const said = await runAs(e2e, ['grace', 'away', '3d', 'alan']);
    expect(said).toContain(
      "Grace Hopper's automatic replies are on from Tue 24 Nov, 04:00 (America/New_York) until Fri 27 Nov; successor Alan Turing.",
    );
    expect(said).toContain('1 due time moved, the absence began, 0 handed over, 1 message sent');

    const turn = card(page, /Waiting on Grace Hopper, away until Fri 27 Nov\.\s*Due /);
    await turn.waitFor();
    expect(await turn.textContent()).not.toMatch(/overdue/i);
    await e2e.screenshot('1-turn-line-away');

    // Ada owns it: one message in her personal chat (09:00 in London, her working hours), Reassign to Alan in one click.
    await openChat(page, 'Personal Chat');
    const message = card(page, 'Grace Hopper is away until Fri 27 Nov: a handoff you own waits on Grace.');
    await message.waitFor();
    expect(await message.textContent()).toContain('Grace named Alan Turing to take over while away');
    await e2e.screenshot('2-owner-message');
    await clickAndAwaitAnswer(message.getByRole('button', { name: 'Reassign to Alan Turing' }));
    await card(page, 'Handed to Alan Turing by you.').waitFor();
    await e2e.screenshot('3-handed-on');

    const [handoff] = await storedHandoffs(e2e);
    expect(handoff?.status).toBe('inReview');
    await openChat(page, 'Payments team');
    await card(page, /Alan Turing, this handoff is for you to review\.\s*Due /).waitFor();

    // Back: her replies off, and Baton sees the return at once.
    expect(await runAs(e2e, ['grace', 'back'])).toContain('Grace Hopper is back: automatic replies off in ');
  });
});
