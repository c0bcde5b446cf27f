/**
 * The messaging extension through the real endpoint: fetchTask (compose and
 * message), submitAction (invalid, valid, preview send and edit, retried),
 * query (text, filters, empty, paging, other tenants) and queryLink.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BACKGROUND } from '../../src/app/ports';
import { createBaton } from '../../src/baton';
import { createLogger } from '../../src/logger';
import { loadConfig } from '../../src/config';
import { postHandoff } from '../../src/domain/handoff';
import { handoffIdForForm } from '../../src/app/handoffs';
import { tableRoundTrips } from '../../src/store/table';
import { countRows } from '../support/rows';
import { cardAction, extensionInvoke, fetchTaskFromMessage, FIXTURE_DAY, message, people, TENANT } from '../support/activities';
import { findInputs, textsOf } from '../support/cards';
import { type Connector, type Member, startConnector } from '../support/connector';
import { startTestApp, type TestApp, uniquePrefix } from '../support/stack';

const stranger: Member = { id: '29:1edsger-dijkstra', name: 'Edsger Dijkstra', aadObjectId: '00000000-0000-0000-0000-0000000000e5' };

let app: TestApp;
let connector: Connector;

beforeAll(async () => {
  connector = await startConnector([people.ada, people.grace, people.alan, stranger]);
  app = await startTestApp({ at: FIXTURE_DAY });
});
afterAll(async () => {
  await app?.close();
  await connector?.close();
});

const form = (formId: string, overrides: Record<string, unknown> = {}) => ({
  formId,
  summary: 'Invoice export runs nightly',
  whatIsReady: 'The export job is scheduled at 02:00 UTC.',
  acceptanceCriteria: 'Totals match the finance report for 3 nights',
  links: 'https://finance.example/report/7',
  effort: '2h',
  workState: 'ready',
  receiver: people.grace.aadObjectId,
  ...overrides,
});

const submit = (from: Member, data: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  app.post(
    extensionInvoke(connector.url, from, 'composeExtension/submitAction', {
      commandId: 'createHandoff',
      commandContext: 'compose',
      data,
      ...extra,
    }),
  );

/** Creates handoffs through the chat card form, as Ada. */
async function created(overrides: Record<string, unknown> = {}, from: Member = people.ada) {
  const formId = crypto.randomUUID();
  const response = await app.post(cardAction(connector.url, from, 'handoff.create', form(formId, overrides), { replyToId: `m-${formId}` }));
  expect(response.status).toBe(200);
  return handoffIdForForm(TENANT, formId);
}

const query = (
  from: Member,
  text: string | undefined,
  options: { skip?: number; count?: number } = {},
  overrides: Record<string, unknown> = {},
) =>
  app.post(
    extensionInvoke(
      connector.url,
      from,
      'composeExtension/query',
      {
        commandId: 'findHandoffs',
        parameters: text === undefined ? [{ name: 'initialRun', value: 'true' }] : [{ name: 'query', value: text }],
        queryOptions: { skip: options.skip ?? 0, count: options.count ?? 25 },
      },
      overrides,
    ),
  );
/**
 * The preview as Teams sends it back with Send and Edit: the documented
 * envelope (`type: "message/card"`, `context.theme`), the card re-serialised
 * with nulls and defaults for what Baton left out, as a recorded Teams
 * payload shows, and here, as the worst case, the `refresh` Baton put on it
 * gone, and with it the form's values it used to carry.
 */
function reserialisedByTeams(activity: { attachments: { contentType: string; content: Record<string, unknown> }[] }) {
  const element = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(element);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) if (key !== 'refresh') out[key] = element(value);
    if (typeof out.type === 'string' && !/^(Action\.|AdaptiveCard$|mention$)/.test(String(out.type)))
      return { id: null, isVisible: true, separator: false, spacing: 'default', height: 'auto', fallback: null, ...out };
    return out;
  };
  const card = element(activity.attachments[0]!.content) as Record<string, unknown>;
  return {
    type: 'message/card',
    attachments: [
      {
        contentType: activity.attachments[0]!.contentType,
        content: { fallbackText: null, speak: null, lang: null, minHeight: null, rtl: null, ...card } as Record<string, unknown>,
      },
    ],
    context: { theme: 'default' },
  };
}

const titles = (response: { body: any }) => response.body.composeExtension.attachments.map((a: any) => a.preview.content.title as string);

describe('create from the compose box or a message', () => {
  it('opens the form as a dialog whose buttons are Action.Submit carrying the verb', async () => {
    const response = await app.post(
      extensionInvoke(connector.url, people.ada, 'composeExtension/fetchTask', { commandId: 'createHandoff', commandContext: 'compose' }),
    );
    expect(response.status).toBe(200);
    const { task } = response.body;
    expect(task.type).toBe('continue');
    expect(task.value.title).toBe('Create handoff');
    const card = task.value.card.content;
    expect(JSON.stringify(card)).not.toContain('Action.Execute');
    expect(card.actions[0]).toMatchObject({ type: 'Action.Submit', title: 'Post handoff', data: { verb: 'handoff.create' } });
    expect(
      findInputs(card)
        .find((i) => i.id === 'receiver')
        ?.choices?.map((c) => c.title),
    ).toEqual(['Ada Lovelace', 'Alan Turing', 'Edsger Dijkstra', 'Grace Hopper']);
  });

  it('prefills from your own message with no receiver (you cannot receive your own handoff) and you as the owner', async () => {
    // The fixture's message is Grace's: Grace opens the form on it.
    const response = await app.post(fetchTaskFromMessage(connector.url, people.grace));
    const card = response.body.task.value.card.content;
    const values = Object.fromEntries(findInputs(card).map((i) => [i.id, i.value]));
    expect(values.summary).toBe('The invoice export now runs nightly.');
    expect([values.receiver, values.owner]).toEqual(['', people.grace.aadObjectId]);
  });

  it("prefills the form from Microsoft 365 Copilot's parameters, a receiver by a member's name, never the person asking", async () => {
    const open = (from: Member, taskParameters: unknown) =>
      app.post(
        extensionInvoke(connector.url, from, 'composeExtension/fetchTask', {
          commandId: 'createHandoff',
          commandContext: 'compose',
          data: { taskParameters },
        }),
      );
    const valuesOf = (response: { body: any }) =>
      Object.fromEntries(findInputs(response.body.task.value.card.content).map((i) => [i.id, i.value]));
    const asked = await open(people.ada, [
      { name: 'summary', value: 'The invoice export is ready for review' },
      { name: 'receiver', value: 'grace' },
      { name: 'neededBy', value: '2026-12-04' },
      // Copilot may send what the prompt did not say as null or empty.
      { name: 'whatIsReady', value: null },
    ]);
    expect(valuesOf(asked)).toMatchObject({
      summary: 'The invoice export is ready for review',
      receiver: people.grace.aadObjectId,
      neededBy: '2026-12-04',
      whatIsReady: '',
    });
    expect(valuesOf(await open(people.ada, [{ name: 'receiver', value: 'Ada Lovelace' }])).receiver).toBe('');
    expect(valuesOf(await open(people.ada, [{ name: 'neededBy', value: 'Friday' }])).neededBy).toBe('');
    expect(valuesOf(await open(people.ada, 'not a list')).summary).toBe('');
  });

  it('prefills the form from the message it was opened on', async () => {
    const response = await app.post(fetchTaskFromMessage(connector.url, people.ada));
    const values = Object.fromEntries(findInputs(response.body.task.value.card.content).map((i) => [i.id, i.value]));
    expect(values.summary).toBe('The invoice export now runs nightly.');
    expect(values.whatIsReady).toBe(
      'The invoice export now runs nightly. Can someone check the totals against https://finance.example/report/7?',
    );
    expect(values.links).toBe(
      'https://teams.microsoft.com/l/message/19:baton-group@thread.v2/1764000009999\nhttps://finance.example/report/7?',
    );
    expect(values.receiver).toBe(people.grace.aadObjectId);
  });

  it('keeps a wrong form in the dialog with its values and stores nothing', async () => {
    const formId = crypto.randomUUID();
    const response = await submit(people.ada, { ...form(formId, { links: 'ftp://files.example/x' }), verb: 'handoff.create' });
    const card = response.body.task.value.card.content;
    expect(textsOf(card)).toContain('"ftp://files.example/x" is not an https link.');
    expect(findInputs(card).find((i) => i.id === 'summary')?.value).toBe('Invoice export runs nightly');
    expect(await app.stores.handoffs.read(handoffIdForForm(TENANT, formId), BACKGROUND)).toBeUndefined();
  });

  it('previews a valid form, then "Send" stores it once and posts its live card once, however often Teams retries', async () => {
    const formId = crypto.randomUUID();
    const preview = await submit(people.ada, { ...form(formId), verb: 'handoff.create' });
    expect(preview.body.composeExtension.type).toBe('botMessagePreview');
    const previewActivity = preview.body.composeExtension.activityPreview;
    expect(textsOf(previewActivity.attachments[0].content)).toContain('Invoice export runs nightly');
    expect(await app.stores.handoffs.read(handoffIdForForm(TENANT, formId), BACKGROUND)).toBeUndefined();

    const before = connector.sent.length;
    const send = extensionInvoke(connector.url, people.ada, 'composeExtension/submitAction', {
      commandId: 'createHandoff',
      commandContext: 'compose',
      botMessagePreviewAction: 'send',
      botActivityPreview: [previewActivity],
    });
    const responses = await Promise.all([app.post(send), app.post(send), app.post({ ...send, id: 'f:retry-3' })]);
    for (const r of responses) expect(r.status).toBe(200);
    const posted = connector.sent.slice(before).filter((s) => s.method === 'POST');
    expect(posted).toHaveLength(1);
    const id = handoffIdForForm(TENANT, formId);
    expect(await app.countRows(id)).toMatchObject({ handoff: 1, events: 1 });
    expect((await app.handoff(id))?.conversation.messageId).toBe(posted[0]!.activityId);
  });

  it("sends from the preview's id alone, the card re-serialised by Teams without its refresh: the draft is on Baton's side", async () => {
    const formId = crypto.randomUUID();
    const preview = await submit(people.ada, { ...form(formId), verb: 'handoff.create' });
    const resent = reserialisedByTeams(preview.body.composeExtension.activityPreview);
    expect(resent.attachments[0]!.content.refresh).toBeUndefined();
    expect(JSON.stringify(resent)).not.toContain('"draft"');
    const edit = await app.post(
      extensionInvoke(connector.url, people.ada, 'composeExtension/submitAction', {
        commandId: 'createHandoff',
        botMessagePreviewAction: 'edit',
        botActivityPreview: [resent],
      }),
    );
    const values = Object.fromEntries(findInputs(edit.body.task.value.card.content).map((i) => [i.id, i.value]));
    expect([values.summary, values.receiver]).toEqual(['Invoice export runs nightly', people.grace.aadObjectId]);
    const before = connector.sent.length;
    const send = await app.post(
      extensionInvoke(connector.url, people.ada, 'composeExtension/submitAction', {
        commandId: 'createHandoff',
        botMessagePreviewAction: 'send',
        botActivityPreview: [resent],
      }),
    );
    expect(send).toEqual({ status: 200, body: {} });
    const id = handoffIdForForm(TENANT, formId);
    expect(await app.handoff(id)).toMatchObject({
      summary: 'Invoice export runs nightly',
      receiver: { aadObjectId: people.grace.aadObjectId },
    });
    expect(connector.sent.slice(before).filter((s) => s.method === 'POST')).toHaveLength(1);
  });

  it('sends what was previewed whatever the card says, and only for the person who filled it in', async () => {
    const formId = crypto.randomUUID();
    const preview = await submit(people.ada, { ...form(formId), verb: 'handoff.create' });
    const activity = preview.body.composeExtension.activityPreview;
    // A forged card: another receiver in its data and a draft of the old shape; the stored draft is what is sent.
    activity.attachments[0].content.refresh.action.data.draft = { ...form(formId), receiver: people.alan.aadObjectId };
    activity.attachments[0].content.refresh.action.data.receiver = people.alan.aadObjectId;
    const sendAs = (who: Member) =>
      app.post(
        extensionInvoke(connector.url, who, 'composeExtension/submitAction', {
          commandId: 'createHandoff',
          botMessagePreviewAction: 'send',
          botActivityPreview: [activity],
        }),
      );
    const stolen = await sendAs(people.alan);
    expect(textsOf(stolen.body.task.value.card.content)).toContain(
      'This preview is no longer available (a preview keeps for a day); please fill the form again.',
    );
    expect(await app.stores.handoffs.read(handoffIdForForm(TENANT, formId), BACKGROUND)).toBeUndefined();
    expect((await sendAs(people.ada)).body).toEqual({});
    expect((await app.handoff(handoffIdForForm(TENANT, formId)))?.receiver.aadObjectId).toBe(people.grace.aadObjectId);
  });

  it('"Edit" on the preview reopens the form with the values', async () => {
    const formId = crypto.randomUUID();
    const preview = await submit(people.ada, { ...form(formId), verb: 'handoff.create' });
    const edit = await app.post(
      extensionInvoke(connector.url, people.ada, 'composeExtension/submitAction', {
        commandId: 'createHandoff',
        botMessagePreviewAction: 'edit',
        botActivityPreview: [preview.body.composeExtension.activityPreview],
      }),
    );
    const values = Object.fromEntries(findInputs(edit.body.task.value.card.content).map((i) => [i.id, i.value]));
    expect(values.summary).toBe('Invoice export runs nightly');
    expect(values.receiver).toBe(people.grace.aadObjectId);
  });
});

/** The fixtures' group chat under another id: the templates this block makes are seen by no other test. */
const TEMPLATE_CHAT = { isGroup: true, conversationType: 'groupChat', tenantId: TENANT, id: '19:me-templates@thread.v2' };
const inTemplateChat = { conversation: TEMPLATE_CHAT };

type CardNode = Record<string, unknown>;
/** Every action of a card, wherever it is (the card's actions, an ActionSet). */
const actionsOf = (card: unknown): CardNode[] => {
  const found: CardNode[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      if (typeof (n as CardNode).type === 'string' && String((n as CardNode).type).startsWith('Action.')) found.push(n as CardNode);
      Object.values(n).forEach(walk);
    }
  };
  walk(card);
  return found;
};
const valuesOf = (card: unknown) => Object.fromEntries(findInputs(card).map((i) => [i.id, i.value ?? '']));

/** The dialog's submitAction in a chat of this block's. */
/** Ada opens the create dialog from the compose box of `chat`. */
const openDialogIn = (chat: { conversation: object }) =>
  app.post(
    extensionInvoke(
      connector.url,
      people.ada,
      'composeExtension/fetchTask',
      { commandId: 'createHandoff', commandContext: 'compose' },
      chat,
    ),
  );

const submitIn = (chat: { conversation: object }, data: Record<string, unknown>) =>
  app.post(
    extensionInvoke(
      connector.url,
      people.ada,
      'composeExtension/submitAction',
      { commandId: 'createHandoff', commandContext: 'compose', data },
      chat,
    ),
  );

/**
 * What Teams sends when a button of the dialog is pressed: an Action.Submit
 * sends the card's inputs, as the person left them, merged with the button's data.
 */
function pressInDialog(card: unknown, title: string, typed: Record<string, string> = {}) {
  const button = actionsOf(card).find((a) => a.title === title);
  expect(button, `the dialog has "${title}"`).toMatchObject({ type: 'Action.Submit' });
  return submitIn(inTemplateChat, { ...valuesOf(card), ...typed, ...(button!.data as object) });
}

describe('create from a team template in the dialog', () => {
  it('offers the templates; Use this template restarts the dialog from it; the checklist is refused unticked; the preview and Send keep its version', async () => {
    // Ada makes "Release to QA" with `template new` in the chat, as the chat command does.
    const before = connector.sent.length;
    await app.post(message(connector.url, people.ada, '<at>Baton</at> template new', inTemplateChat));
    const templateForm = connector.sent.slice(before)[0]!.activity.attachments![0]!.content;
    const save = actionsOf(templateForm).find((a) => a.title === 'Save template')!;
    const saved = await app.post(
      cardAction(
        connector.url,
        people.ada,
        save.verb as string,
        {
          ...(save.data as object),
          name: 'Release to QA',
          whatIsReady: 'The build is on staging.',
          acceptanceCriteria: 'All smoke tests pass on staging',
          receiver: people.grace.aadObjectId,
          checklist: 'Release notes written\nFeature flag off by default',
        },
        inTemplateChat,
      ),
    );
    expect(textsOf(saved.body.value)).toContain('Saved: version 1.');
    const [template] = (await app.stores.templates.shelf(TENANT, TEMPLATE_CHAT.id, BACKGROUND)).templates;

    // The dialog, opened from the compose box, offers the chat's templates as `new` does.
    const opened = await openDialogIn(inTemplateChat);
    const dialog = opened.body.task.value.card.content;
    expect(findInputs(dialog).find((i) => i.id === 'templateChoice')?.choices).toEqual([
      { title: 'No template', value: '' },
      { title: 'Release to QA', value: template!.id },
    ]);
    expect(actionsOf(dialog).find((a) => a.title === 'Use this template')).toMatchObject({
      type: 'Action.Submit',
      data: { verb: 'template.apply' },
    });
    expect(JSON.stringify(dialog)).not.toContain('Action.Execute');

    // Use this template: the dialog again, from the template; what Ada typed stays, the empty fields are the template's.
    const applied = await pressInDialog(dialog, 'Use this template', { templateChoice: template!.id, summary: 'Build 42 is ready for QA' });
    expect(applied.body.task.type).toBe('continue');
    const fromTemplate = applied.body.task.value.card.content;
    expect(textsOf(fromTemplate)).toContain('From the team template “Release to QA” (version 1).');
    expect(valuesOf(fromTemplate)).toMatchObject({
      templateChoice: template!.id,
      summary: 'Build 42 is ready for QA',
      whatIsReady: 'The build is on staging.',
      acceptanceCriteria: 'All smoke tests pass on staging',
      receiver: people.grace.aadObjectId,
      check0: 'false',
      check1: 'false',
    });
    expect(actionsOf(fromTemplate).find((a) => a.title === 'Post handoff')).toMatchObject({
      type: 'Action.Submit',
      data: { verb: 'handoff.create', templateId: template!.id, templateVersion: '1' },
    });
    const formId = (actionsOf(fromTemplate).find((a) => a.title === 'Post handoff')!.data as { formId: string }).formId;
    const id = handoffIdForForm(TENANT, formId);

    // Posted with one item unticked: refused at that item, in the dialog; nothing stored, no preview.
    const typed = { links: 'https://example.com/b/42', effort: '2h' };
    const refused = await pressInDialog(fromTemplate, 'Post handoff', { ...typed, check0: 'true' });
    expect(refused.body.task?.type).toBe('continue');
    const refusedCard = refused.body.task.value.card.content;
    expect(textsOf(refusedCard)).toContain('Nothing was posted: one checklist item is not ticked.');
    expect(textsOf(refusedCard)).toContain('Tick this once it is done: this template asks for it before posting.');
    expect(valuesOf(refusedCard)).toMatchObject({ templateChoice: template!.id, check0: 'true', check1: 'false' });
    expect(await app.stores.handoffs.read(id, BACKGROUND)).toBeUndefined();

    // Both ticked: the preview says what Ada confirmed; still nothing stored.
    const previewed = await pressInDialog(refusedCard, 'Post handoff', { check1: 'true' });
    expect(previewed.body.composeExtension.type).toBe('botMessagePreview');
    const activityPreview = previewed.body.composeExtension.activityPreview;
    expect(textsOf(activityPreview.attachments[0].content)).toContain(
      'Ada Lovelace confirmed the checklist of the team template “Release to QA” (version 1).',
    );
    expect(await app.stores.handoffs.read(id, BACKGROUND)).toBeUndefined();

    // Edit on the preview: the dialog from the same template, the checklist as Ada ticked it.
    const previewAction = (botMessagePreviewAction: 'edit' | 'send') =>
      app.post(
        extensionInvoke(
          connector.url,
          people.ada,
          'composeExtension/submitAction',
          { commandId: 'createHandoff', botMessagePreviewAction, botActivityPreview: [activityPreview] },
          inTemplateChat,
        ),
      );
    const edited = (await previewAction('edit')).body.task.value.card.content;
    expect(textsOf(edited)).toContain('From the team template “Release to QA” (version 1).');
    expect(valuesOf(edited)).toMatchObject({
      templateChoice: template!.id,
      summary: 'Build 42 is ready for QA',
      check0: 'true',
      check1: 'true',
    });

    // The template changes before Send: the handoff keeps the version the form showed, and its checklist.
    const editForm = await app.post(cardAction(connector.url, people.ada, 'template.edit', { templateId: template!.id }, inTemplateChat));
    const editSave = actionsOf(editForm.body.value).find((a) => a.title === 'Save template')!;
    const resaved = await app.post(
      cardAction(
        connector.url,
        people.ada,
        'template.save',
        { ...valuesOf(editForm.body.value), checklist: 'Release notes written', ...(editSave.data as object) },
        inTemplateChat,
      ),
    );
    expect(textsOf(resaved.body.value)).toContain('Saved: version 2.');
    expect((await previewAction('send')).body).toEqual({});
    expect((await app.handoff(id))?.template).toEqual({
      id: template!.id,
      name: 'Release to QA',
      version: 1,
      checklist: ['Release notes written', 'Feature flag off by default'],
    });
  });

  it('a template picked in the dialog but not applied comes back as the form from it, and nothing is posted', async () => {
    const chat = { conversation: { ...TEMPLATE_CHAT, id: '19:me-templates-picked@thread.v2' } };
    const before = connector.sent.length;
    await app.post(message(connector.url, people.ada, '<at>Baton</at> template new', chat));
    const save = actionsOf(connector.sent.slice(before)[0]!.activity.attachments![0]!.content).find((a) => a.title === 'Save template')!;
    await app.post(
      cardAction(
        connector.url,
        people.ada,
        'template.save',
        { ...(save.data as object), name: 'Design review', whatIsReady: 'Figma file is final.', checklist: 'Accessibility checked' },
        chat,
      ),
    );
    const [template] = (await app.stores.templates.shelf(TENANT, chat.conversation.id, BACKGROUND)).templates;
    const opened = await openDialogIn(chat);
    const dialog = opened.body.task.value.card.content;
    const post = actionsOf(dialog).find((a) => a.title === 'Post handoff')!;
    const formId = (post.data as { formId: string }).formId;
    const answer = await submitIn(chat, { ...valuesOf(dialog), ...form(formId), templateChoice: template!.id, ...(post.data as object) });
    const card = answer.body.task.value.card.content;
    expect(textsOf(card)).toContain('From the team template “Design review” (version 1).');
    expect(valuesOf(card)).toMatchObject({ summary: 'Invoice export runs nightly', check0: 'false' });
    expect(await app.stores.handoffs.read(handoffIdForForm(TENANT, formId), BACKGROUND)).toBeUndefined();
  });
});

describe('search', () => {
  let payments: string;
  let blocked: string;
  let otherPeople: string;

  beforeAll(async () => {
    payments = await created({ summary: 'Payments retry logic is ready for QA' });
    blocked = await created({ summary: 'Ledger sync waits for the new schema', workState: 'blocked', blocker: 'Schema review' });
    otherPeople = await created({ summary: 'Alan hands the payments dashboard to Edsger', receiver: stranger.aadObjectId }, people.alan);
    // The form refuses a past date, so an overdue handoff is one posted long ago: store it as it would be now.
    const person = (m: Member) => ({ aadObjectId: m.aadObjectId, userId: m.id, name: m.name });
    const old = postHandoff({
      id: handoffIdForForm(TENANT, crypto.randomUUID()),
      tenantId: TENANT,
      fields: {
        summary: 'Quarterly report numbers are in',
        whatIsReady: 'Q3 numbers',
        acceptanceCriteria: ['Totals match'],
        assumptions: '',
        links: [],
        effortMinutes: 60,
        workState: 'ready',
        blocker: '',
        neededBy: '2020-01-01',
        priority: 'normal',
      },
      sender: person(people.ada),
      receiver: person(people.grace),
      owner: person(people.ada),
      stakeholders: [],
      conversation: { id: '19:baton-group@thread.v2', serviceUrl: connector.url, messageId: 'm-old' },
      at: '2019-12-20T09:00:00.000Z',
      late: false,
    });
    await app.stores.people.add(old.handoff, [], BACKGROUND);
    await app.stores.handoffs.commit(
      { handoff: old.handoff, etag: undefined, events: [old.event], markers: ['a-old'], effects: [], leaseUntil: '' },
      BACKGROUND,
    );
  });

  it("finds my handoffs by words in the summary or a person's name", async () => {
    expect(titles(await query(people.ada, 'payments'))).toEqual(['Payments retry logic is ready for QA']);
    expect(titles(await query(people.grace, 'ada ledger'))).toEqual(['Ledger sync waits for the new schema']);
    expect(titles(await query(people.ada, 'nothing-like-this'))).toEqual([]);
  });

  it('never shows a handoff the person is not on, nor one of another tenant', async () => {
    expect(titles(await query(people.ada, 'dashboard'))).toEqual([]);
    expect(titles(await query(stranger, 'dashboard'))).toEqual(['Alan hands the payments dashboard to Edsger']);
    expect(
      titles(
        await query(
          people.ada,
          'payments',
          {},
          { conversation: { id: '19:x', tenantId: 'ffffffff-0000-0000-0000-000000000000', conversationType: 'groupChat' } },
        ),
      ),
    ).toEqual([]);
  });

  it('applies the quick filters', async () => {
    expect(titles(await query(people.ada, 'blocked'))).toEqual(['Ledger sync waits for the new schema']);
    expect(titles(await query(people.ada, 'overdue'))).toEqual(['Quarterly report numbers are in']);
    await app.post(cardAction(connector.url, people.grace, 'handoff.accept', { handoffId: payments, criterion0: 'true' }));
    // Accepted is still open, as in `mine`: it waits on its owner to close it.
    expect(titles(await query(people.ada, 'open payments'))).toEqual(['Payments retry logic is ready for QA']);
    await app.post(cardAction(connector.url, people.ada, 'handoff.close', { handoffId: payments, comment: '' }));
    expect(titles(await query(people.ada, 'open payments'))).toEqual([]);
    expect(titles(await query(people.ada, 'payments'))).toEqual(['Payments retry logic is ready for QA']);
    expect(titles(await query(people.grace, 'mine ledger'))).toEqual(['Ledger sync waits for the new schema']);
  });

  it('means by "mine" what the mine command means: open, and sent, received or owned, not merely followed', async () => {
    const followed = await created(
      { summary: 'Grace follows this mine-filter one', receiver: people.ada.aadObjectId, stakeholders: people.grace.aadObjectId },
      people.alan,
    );
    const received = await created({ summary: 'Grace receives this mine-filter one' });
    expect(titles(await query(people.grace, 'mine mine-filter'))).toEqual(['Grace receives this mine-filter one']);
    expect(titles(await query(people.grace, 'mine-filter')).sort()).toEqual([
      'Grace follows this mine-filter one',
      'Grace receives this mine-filter one',
    ]);
    await app.post(cardAction(connector.url, people.ada, 'handoff.cancel', { handoffId: received, reason: 'Not needed.' }));
    expect(titles(await query(people.grace, 'mine mine-filter'))).toEqual([]);
    expect(followed).not.toBe(received);
  });

  it('shows my open handoffs on an empty query, and pages', async () => {
    const open = titles(await query(people.ada, undefined));
    expect(open).toEqual(expect.arrayContaining(['Ledger sync waits for the new schema', 'Quarterly report numbers are in']));
    expect(open).not.toContain('Payments retry logic is ready for QA');
    const all = titles(await query(people.grace, 'a', { count: 25 }));
    const first = titles(await query(people.grace, 'a', { skip: 0, count: 2 }));
    const second = titles(await query(people.grace, 'a', { skip: 2, count: 2 }));
    expect(first).toHaveLength(2);
    expect([...first, ...second]).toEqual(all.slice(0, 4));
  });

  it('returns a card that refreshes into the live card for the people on it, with a title and status line preview', async () => {
    const result = (await query(people.ada, 'ledger')).body.composeExtension.attachments[0];
    expect(result.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(result.content.refresh).toEqual({
      action: { type: 'Action.Execute', title: 'Refresh', verb: 'handoff.refresh', data: { handoffId: blocked } },
      userIds: [people.grace.id, people.ada.id],
    });
    // Blocked work is blocked, not waiting on its receiver: no due time, and who is on it.
    const line = 'Blocked: Schema review · Ada Lovelace is on it · Ada Lovelace → Grace Hopper';
    expect(result.preview.content).toEqual({ title: 'Ledger sync waits for the new schema', text: line });
    expect(textsOf(result.content)).toEqual(['Ledger sync waits for the new schema', result.preview.content.text]);
    expect(result.content.actions).toContainEqual({
      type: 'Action.OpenUrl',
      title: 'Go to the card',
      url: `${loadConfig().publicBaseUrl}/api/handoffs/${blocked}`,
    });
    expect(otherPeople).not.toBe(blocked);
  });

  it('lists a long summary on one line, cut at a word, and says whose turn it is and a raised priority first', async () => {
    const summary =
      'Reconciliation of the settlement ledger against the acquirer files for every merchant in the EU region, with the mismatches explained';
    const id = await created({ summary, priority: 'urgent' });
    await app.post(
      cardAction(connector.url, people.grace, 'handoff.ask', { handoffId: id, comment: 'Which acquirer file is the source of truth?' }),
    );
    const result = (await query(people.ada, 'reconciliation acquirer')).body.composeExtension.attachments[0];
    expect(result.preview.content.title).toBe('Reconciliation of the settlement ledger against the acquirer files for every…');
    expect(result.preview.content.text).toMatch(
      /^Question asked · waiting on Ada Lovelace · due .+ · Urgent · Ada Lovelace → Grace Hopper$/,
    );
    // Chosen, the card shows all of the summary.
    expect(textsOf(result.content)[0]).toBe(summary);
  });

  it("is one query of the person's index partition: it reads no handoff to filter or to show", async () => {
    const before = { ...tableRoundTrips };
    const found = titles(await query(people.ada, 'open'));
    expect(found.length).toBeGreaterThan(1);
    expect(tableRoundTrips.count - before.count).toBe(1);
    expect(tableRoundTrips.reads - before.reads).toBe(1);
    // Counted as the request's own (what npm run bench reports per search).
    expect(tableRoundTrips.inRequests - before.inRequests).toBe(1);
  });
});

describe('link unfurling', () => {
  it('unfurls a Baton link into the card for people on the handoff, and a plain preview for others', async () => {
    const id = await created({ summary: 'Refund flow is ready for review' });
    // Baton's links use the configured public base URL (here the local default), not the test host's port.
    const link = `${loadConfig().publicBaseUrl}/api/handoffs/${id}`;
    expect(link).toBe(`http://localhost:7071/api/handoffs/${id}`);
    const unfurl = (from: Member, url: string) => app.post(extensionInvoke(connector.url, from, 'composeExtension/queryLink', { url }));
    const forGrace = (await unfurl(people.grace, link)).body.composeExtension.attachments[0];
    expect(textsOf(forGrace.content)).toContain('Refund flow is ready for review');
    const forStranger = (await unfurl(stranger, link)).body.composeExtension.attachments[0];
    expect(forStranger.content).toEqual({ title: 'Baton handoff', text: 'Only the people on this handoff can see its details.' });
    expect(JSON.stringify(forStranger)).not.toContain('Refund');
    const elsewhere = (await unfurl(people.grace, `https://evil.example/api/handoffs/${id}`)).body.composeExtension.attachments[0];
    expect(elsewhere.content.title).toBe('Baton handoff');
  });

  it('redirects a Baton link to the card in Teams', async () => {
    const id = await created({ summary: 'Tax rules are ready for review' });
    const response = await fetch(`${app.host.url}/api/handoffs/${id}`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toContain(
      `https://teams.microsoft.com/l/message/${encodeURIComponent('19:baton-group@thread.v2')}/m-`,
    );
    expect((await fetch(`${app.host.url}/api/handoffs/0123456789abcdef0123`, { redirect: 'manual' })).status).toBe(404);
  });
});

describe('a "Send" whose card could not be posted at first', () => {
  it('is posted once by the outbox, never twice, however often Teams resends or instances sweep', async () => {
    let now = Date.parse('2026-11-24T10:00:00Z');
    const clock = { now: () => now, sleep: async () => undefined };
    const prefix = uniquePrefix();
    const config = loadConfig({ TABLES_CONNECTION_STRING: inject('tablesConnectionString'), BATON_TABLE_PREFIX: prefix });
    const quiet = createLogger({ sink: () => undefined });
    // Two instances of the Function App on the same storage.
    const [baton, other] = await Promise.all([createBaton(config, { clock, log: quiet }), createBaton(config, { clock, log: quiet })]);
    const post = (activity: unknown) => baton.bot.handle(JSON.stringify(activity), '');
    const formId = crypto.randomUUID();
    const preview = await post(
      extensionInvoke(connector.url, people.ada, 'composeExtension/submitAction', {
        commandId: 'createHandoff',
        data: { ...form(formId), verb: 'handoff.create' },
      }),
    );
    const activityPreview = (preview.body as any).composeExtension.activityPreview;
    const send = (id: string) =>
      post({
        ...extensionInvoke(connector.url, people.ada, 'composeExtension/submitAction', {
          commandId: 'createHandoff',
          botMessagePreviewAction: 'send',
          botActivityPreview: [activityPreview],
        }),
        id,
      });
    const id = handoffIdForForm(TENANT, formId);
    const { stores } = baton.app;
    const posts = () => connector.sent.filter((s) => s.method === 'POST' && s.conversationId === '19:baton-group@thread.v2').length;
    const before = posts();

    // Busy for longer than the connector client's own quick retries.
    connector.throttleNextPosts = 10;
    expect(await send('f:send-1')).toEqual({ status: 200, body: {} });
    await baton.app.deliveries.idle();
    connector.throttleNextPosts = 0;
    expect((await stores.handoffs.read(id, BACKGROUND))?.handoff.conversation.messageId).toBeUndefined();
    expect(await stores.outbox.rows(id, BACKGROUND)).toMatchObject([
      { effect: { kind: 'post' }, state: 'pending', attempts: 1, lastError: expect.stringContaining('503') },
    ]);
    expect(posts()).toBe(before);

    // Teams resends within seconds: the handoff exists, its post waits for its backoff, nothing is posted.
    now += 5_000;
    expect(await send('f:send-2')).toEqual({ status: 200, body: {} });
    await baton.app.deliveries.idle();
    expect(posts()).toBe(before);
    expect(await countRows(inject('tablesConnectionString'), prefix, id)).toMatchObject({ handoff: 1, events: 1, activities: 1 });

    // Past the backoff, both instances sweep at once: the card is posted once, and its message recorded.
    now += 120_000;
    const reports = await Promise.all([baton.app.deliveries.sweep(), other.app.deliveries.sweep()]);
    expect(reports.reduce((sum, r) => sum + r.delivered, 0)).toBe(1);
    expect(posts()).toBe(before + 1);
    const posted = connector.sent.filter((s) => s.method === 'POST' && s.conversationId === '19:baton-group@thread.v2').at(-1)!;
    expect((await stores.handoffs.read(id, BACKGROUND))?.handoff.conversation.messageId).toBe(posted.activityId);
    expect(await stores.outbox.rows(id, BACKGROUND)).toEqual([]);

    // A late resend and a later sweep find nothing left to post.
    await send('f:send-3');
    now += 120_000;
    await baton.app.deliveries.sweep();
    await baton.app.deliveries.idle();
    expect(posts()).toBe(before + 1);
  });
});
