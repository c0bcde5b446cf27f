/**
 * The full process, end to end in the Agents Playground: Ada (the signed-in
 * user, sender and owner) posts a handoff to Grace; Grace asks, Ada answers;
 * Grace requests changes, Ada edits and resubmits; Grace accepts and Ada
 * closes. Grace acts through the Playground's connector (the Playground signs
 * in one user only); Ada clicks in the browser. Screenshots of every card:
 * test-results/process-e2e/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actAs,
  card,
  chromiumAvailable,
  clickAndAwaitAnswer,
  LABELS,
  openShowCard,
  ownView,
  refreshCard,
  runAs,
  pickPerson,
  type E2E,
  sendInGroupChat,
  startE2E,
  storedHandoffs,
  WALK,
} from './support';

const run = chromiumAvailable();
let e2e: E2E;

describe.runIf(run)('the whole process in the Agents Playground', WALK, () => {
  beforeAll(async () => {
    e2e = await startE2E('process-e2e');
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  it('runs new -> ask -> answer -> request changes -> resubmit -> accept -> close', async () => {
    const { page } = e2e;
    await sendInGroupChat(page, 'new');
    const form = card(page, 'New handoff');
    await form.waitFor();
    await form.getByRole('textbox', { name: LABELS.summary }).fill('Checkout page copy is ready for translation');
    await form.getByRole('textbox', { name: LABELS.whatIsReady }).fill('All strings are in the en-GB resource file.');
    await form
      .getByRole('textbox', { name: LABELS.criteria })
      .fill('Every string has a translator note\nThe build passes with the fr-FR file added');
    await form.getByRole('textbox', { name: LABELS.links }).fill('https://tickets.example/CHK-12');
    await form.getByRole('textbox', { name: 'Estimated effort' }).fill('2d');
    await pickPerson(form, 'Receiver *', 'Grace Hopper');
    await form.getByRole('button', { name: 'Post handoff' }).click();
    const posted = card(page, 'this handoff is for you to review');
    await posted.waitFor();
    await e2e.screenshot('1-posted');
    const [stored] = await storedHandoffs(e2e);
    const { id, messageId } = stored!;

    // Ada's own view is compact: her secondary actions wait behind ShowCards, their inputs hidden until asked for.
    await refreshCard(posted);
    const mine = card(page, 'Cancel handoff');
    await mine.waitFor();
    const blocker = mine.getByRole('textbox', { name: /^Blocked by/ });
    await expect.poll(() => blocker.isVisible()).toBe(false);
    await openShowCard(mine, 'Work state', blocker);
    await e2e.screenshot('1b-work-state-opened');
    await blocker.fill('Waiting for the fr-FR glossary');
    await clickAndAwaitAnswer(mine.getByRole('button', { name: 'Mark blocked' }));
    const blocked = await ownView(page, 'Waiting for the fr-FR glossary', { button: 'Work state' });
    const markReady = blocked.getByRole('button', { name: 'Mark ready' });
    await openShowCard(blocked, 'Work state', markReady);
    await markReady.click();
    await expect.poll(async () => (await storedHandoffs(e2e))[0]?.workState).toBe('ready');

    // Grace asks; the card in Ada's chat updates for everyone.
    expect(
      (await actAs(e2e, 'Grace Hopper', 'handoff.ask', { handoffId: id, comment: 'Which file holds the fr-FR strings?' }, messageId))
        .status,
    ).toBe(200);
    await card(page, 'Grace Hopper asked').waitFor();
    await e2e.screenshot('2-question');

    // Ada sees her own view (the Playground does not run Universal Actions refresh: she clicks Refresh) and answers.
    await refreshCard(card(page, 'Grace Hopper asked'));
    const toAnswer = card(page, 'Your answer');
    await toAnswer.getByRole('textbox', { name: 'Your answer' }).fill('resources/fr-FR.json, created by the build.');
    await toAnswer.getByRole('button', { name: 'Answer' }).click();
    // Her own view ("You answered") or the shared one, whichever the Playground draws last.
    await card(page, /(Ada Lovelace|You) answered/).waitFor();
    await e2e.screenshot('3-answered');

    // Grace requests changes; Ada edits and resubmits.
    await actAs(
      e2e,
      'Grace Hopper',
      'handoff.requestChanges',
      { handoffId: id, comment: 'Add the character limits for buttons.' },
      messageId,
    );
    await card(page, 'Add the character limits for buttons.').waitFor();
    await (await ownView(page, 'Add the character limits for buttons.', { button: 'Edit and resubmit' }))
      .getByRole('button', { name: 'Edit and resubmit' })
      .click();
    const edit = card(page, 'Edit handoff (becomes version 2)');
    await edit.waitFor();
    const criteria = edit.getByRole('textbox', { name: LABELS.criteria });
    await criteria.fill(`${await criteria.inputValue()}\nEvery button string has a character limit`);
    await edit.getByRole('button', { name: 'Resubmit', exact: true }).click();
    const v2 = card(page, 'added one acceptance criterion');
    await v2.waitFor();
    expect(await v2.textContent()).toContain('Add the character limits for buttons.');
    await e2e.screenshot('4-resubmitted');

    // Grace accepts, every criterion checked, through `npm run as` as a newcomer would.
    const output = await runAs(e2e, ['grace', 'accept']);
    expect(output).toMatch(
      /^Grace Hopper: accept on "Checkout page copy is ready for translation"\. Now: Accepted by you\. Waiting on Ada Lovelace \(owner\) to close it\. Due \w{3} \d{1,2} \w{3} \d{2}:\d{2}(, in [^.]+ of the owner.s working time)? \([^)]+\)\./,
    );
    await (await ownView(page, /Accepted by Grace Hopper/, { button: 'Close handoff' }))
      .getByRole('button', { name: 'Close handoff', exact: true })
      .click();
    // Her own view of the closed handoff: "Closed by you." (Everyone else's says "Closed by Ada Lovelace.")
    await ownView(page, /Closed by/, { text: /Closed by you/ });
    await e2e.screenshot('5-closed');
    await card(page, /Closed by you/)
      .getByRole('button', { name: 'Show history' })
      .click();
    // The newest eight events; the first (posting) is counted, not listed.
    await card(page, '1 earlier event not shown.').waitFor();
    await e2e.screenshot('6-closed-with-history');

    expect((await storedHandoffs(e2e))[0]?.status).toBe('closed');
    const history = await card(page, '1 earlier event not shown.').textContent();
    for (const step of [
      'changed the work state (Blocked: Waiting for the fr-FR glossary)',
      'asked a question',
      'answered',
      'requested changes',
      'resubmitted (v2: added one acceptance criterion)',
      'accepted it',
      'closed it',
    ])
      expect(history).toContain(step);
  });
});
