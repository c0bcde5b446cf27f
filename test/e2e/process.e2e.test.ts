/**
 * The full process, end to end in the Agents Playground: Ada (the signed-in
 * user, sender and owner) posts a handoff to Grace; Grace asks, Ada answers;
 * Grace requests changes, Ada edits and resubmits; Grace accepts and Ada
 * closes. Grace acts through the Playground's connector (the Playground signs
 * in one user only); Ada clicks in the browser. Screenshots of every card:
 * test-results/process-e2e/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs, card, chromiumAvailable, pickPerson, type E2E, sendInGroupChat, startE2E, storedHandoffs } from './support';

const run = chromiumAvailable();
let e2e: E2E;

describe.runIf(run)('the whole process in the Agents Playground', () => {
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
    await form.getByRole('textbox', { name: 'Summary, in one sentence *' }).fill('Checkout page copy is ready for translation');
    await form.getByRole('textbox', { name: 'What is ready *' }).fill('All strings are in the en-GB resource file.');
    await form.getByRole('textbox', { name: 'Acceptance criteria, one per line *' }).fill('Every string has a translator note\nThe build passes with the fr-FR file added');
    await form.getByRole('textbox', { name: 'Dependencies and links (https, one per line)' }).fill('https://tickets.example/CHK-12');
    await form.getByRole('textbox', { name: 'Estimated effort' }).fill('2d');
    await pickPerson(form, 'Receiver *', 'Grace Hopper');
    await form.getByRole('button', { name: 'Post handoff' }).click();
    await card(page, 'this handoff is for you').waitFor();
    await e2e.screenshot('1-posted');
    const [stored] = await storedHandoffs(e2e);
    const { id, messageId } = stored!;

    // Grace asks; the card in Ada's chat updates for everyone.
    expect((await actAs(e2e, 'Grace Hopper', 'handoff.ask', { handoffId: id, comment: 'Which file holds the fr-FR strings?' }, messageId)).status).toBe(200);
    await card(page, 'Grace Hopper asked').waitFor();
    await e2e.screenshot('2-question');

    // Ada sees her own view (the Playground does not run Universal Actions refresh: she clicks Refresh) and answers.
    await card(page, 'Grace Hopper asked').getByRole('button', { name: 'Refresh' }).click();
    const toAnswer = card(page, 'Your answer');
    await toAnswer.getByRole('textbox', { name: 'Your answer' }).fill('resources/fr-FR.json, created by the build.');
    await toAnswer.getByRole('button', { name: 'Answer' }).click();
    await card(page, 'Ada Lovelace answered').waitFor();
    await e2e.screenshot('3-answered');

    // Grace requests changes; Ada edits and resubmits.
    await actAs(e2e, 'Grace Hopper', 'handoff.requestChanges', { handoffId: id, comment: 'Add the character limits for buttons.' }, messageId);
    await card(page, 'Add the character limits for buttons.').waitFor();
    await card(page, 'Add the character limits for buttons.').getByRole('button', { name: 'Refresh' }).click();
    await card(page, 'Changes requested').getByRole('button', { name: 'Edit and resubmit' }).click();
    const edit = card(page, 'Edit handoff (becomes version 2)');
    await edit.waitFor();
    const criteria = edit.getByRole('textbox', { name: 'Acceptance criteria, one per line *' });
    await criteria.fill(`${await criteria.inputValue()}\nEvery button string has a character limit`);
    await edit.getByRole('button', { name: 'Resubmit', exact: true }).click();
    await card(page, 'Changed in version 2: acceptance criteria (+1 -0).').waitFor();
    await e2e.screenshot('4-resubmitted');

    // Grace accepts with every criterion checked; Ada, the owner, closes.
    const accepted = await actAs(e2e, 'Grace Hopper', 'handoff.accept', { handoffId: id, criterion0: 'true', criterion1: 'true', criterion2: 'true' }, messageId);
    expect(accepted.status).toBe(200);
    await card(page, /Accepted by Grace Hopper/).waitFor();
    await card(page, /Accepted by Grace Hopper/).getByRole('button', { name: 'Refresh' }).click();
    await card(page, /Accepted by Grace Hopper/).getByRole('button', { name: 'Close', exact: true }).click();
    await card(page, /Closed by Ada Lovelace/).waitFor();
    await card(page, /Closed by Ada Lovelace/).getByRole('button', { name: 'Show history' }).click();
    await card(page, 'posted the handoff').waitFor();
    await e2e.screenshot('5-closed-with-history');

    expect((await storedHandoffs(e2e))[0]?.status).toBe('closed');
    const history = await card(page, 'posted the handoff').textContent();
    for (const step of ['asked a question', 'answered', 'requested changes', 'resubmitted', 'accepted it', 'closed it']) expect(history).toContain(step);
  });
});
