/**
 * Overdue nudges and the escalation, end to end in the Agents Playground
 * (issue 10): Ada posts a handoff to Grace and owns it; `npm run clock --
 * next` moves Baton's local clock past each due time and runs the overdue
 * check, as the README tells a newcomer to. Grace never installed Baton, so
 * Ada, the owner, hears instead, at the start of her working day (it fell
 * due in her evening); a goal later the review is escalated to
 * her; then Grace asks a question and Ada, holding the ball, is nudged in
 * her personal chat. Screenshots: test-results/overdue-e2e/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs, card, chromiumAvailable, type E2E, openChat, postHandoff, runClock, startE2E, storedHandoffs, WALK } from './support';

const run = chromiumAvailable();
let e2e: E2E;

describe.runIf(run)('overdue steps in the Agents Playground', WALK, () => {
  beforeAll(async () => {
    e2e = await startE2E('overdue-e2e');
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  it('nudges, escalates and says so on the card, with the clock moved by npm run clock', async () => {
    const { page } = e2e;
    await postHandoff(e2e, {
      summary: 'Invoice export is ready for review',
      whatIsReady: 'The nightly export writes totals per customer.',
      criteria: 'Totals match the finance report for 3 nights',
      link: 'https://finance.example/report/7',
      effort: '2h',
      receiver: 'Grace Hopper',
    });
    await e2e.screenshot('1-posted-with-due-time');
    const [handoff] = await storedHandoffs(e2e);

    // Past the review's due time: Grace cannot be told (no personal chat), so the owner is, at once.
    expect(await runClock(e2e, ['next'])).toContain('Overdue check: 1 overdue nudge.');
    const overdue = card(page, /Overdue since /);
    await overdue.waitFor();
    expect(await overdue.textContent()).toContain('Grace Hopper has not installed Baton');
    await e2e.screenshot('2-overdue-in-the-chat');
    // It fell due at 16:30 in New York, 21:30 in London: Ada hears at the start of her next working day, not at night.
    await openChat(page, 'Personal Chat');
    const told = card(page, /Grace Hopper's review was due .+ and is overdue\. Baton could not tell Grace Hopper/);
    expect(await told.count()).toBe(0);
    expect(await runClock(e2e, ['12h'])).toContain('Overdue check: nothing was due.');
    await told.waitFor();
    await e2e.screenshot('3-owner-told-in-her-morning');

    // A goal later: escalated to the owner.
    expect(await runClock(e2e, ['next'])).toContain('Overdue check: 1 escalation to the owner.');
    await card(page, /Grace Hopper's review was due .+ and is now escalated to you\./).waitFor();
    await openChat(page, 'Payments team');
    await card(page, /Escalated to Ada Lovelace \(owner\)/).waitFor();
    await e2e.screenshot('4-escalated');

    // Grace asks; now Ada holds the ball, and her own answer falls due.
    expect(
      (
        await actAs(
          e2e,
          'Grace Hopper',
          'handoff.ask',
          { handoffId: handoff!.id, comment: 'Which night is the first to compare?' },
          handoff!.messageId,
        )
      ).status,
    ).toBe(200);
    await card(page, "Waiting on Ada Lovelace to answer Grace Hopper's question.").waitFor();
    expect(await runClock(e2e, ['next'])).toContain('Overdue check: 1 overdue nudge.');
    await openChat(page, 'Personal Chat');
    await card(page, 'Your answer to the question on this handoff was due').waitFor();
    await e2e.screenshot('5-sender-nudged');
  });
});
