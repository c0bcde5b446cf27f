/**
 * The bot through its real endpoint: Teams activity JSON posted to
 * /api/messages on the local Functions host, replies captured at a local
 * connector (the activities' serviceUrl), records read back from Azurite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKGROUND } from '../../src/app/ports';
import { handoffIdForForm } from '../../src/app/handoffs';
import { cardAction, FIXTURE_DAY, message, people, TENANT } from '../support/activities';
import { type Connector, startConnector } from '../support/connector';
import { startTestApp, type TestApp } from '../support/stack';
import { findInputs, textsOf } from '../support/cards';

let app: TestApp;
let connector: Connector;

/** The Playground's tenant (.m365agentsplayground.yml): the local directory answers for its users only. */
const PLAYGROUND_TENANT = '00000000-0000-0000-0000-0000000b0a70';
const inPlayground = {
  conversation: { id: '19:baton-group@thread.v2', conversationType: 'groupChat', isGroup: true, tenantId: PLAYGROUND_TENANT },
};

beforeAll(async () => {
  connector = await startConnector([people.ada, people.grace, people.alan, { id: '28:baton-bot', name: 'Baton', aadObjectId: '' }]);
  app = await startTestApp({ at: FIXTURE_DAY });
});
afterAll(async () => {
  await app?.close();
  await connector?.close();
});

const validForm = (formId: string) => ({
  formId,
  summary: 'Payments retry logic is ready for QA',
  whatIsReady: 'Retry worker merged behind the payments-retry flag.',
  acceptanceCriteria: '- All retry tests pass in CI\n- A failed payment is retried 3 times within 10 minutes',
  assumptions: 'Staging uses the sandbox gateway.',
  links: 'https://github.com/contoso/payments/pull/42',
  effort: '4h',
  workState: 'ready',
  blocker: '',
  neededBy: '',
  receiver: people.grace.aadObjectId,
  owner: '',
});

/** Accept's data with every acceptance criterion of validForm checked. */
const allChecked = (handoffId: string) => ({ handoffId, criterion0: 'true', criterion1: 'true' });

async function createHandoff(formId = crypto.randomUUID()) {
  const response = await app.post(
    cardAction(connector.url, people.ada, 'handoff.create', validForm(formId), { replyToId: `form-${formId}` }),
  );
  expect(response.status).toBe(200);
  return { formId, id: handoffIdForForm(TENANT, formId), response };
}

describe('chat commands', () => {
  it('answers "new" with the handoff form listing the conversation members, without the bot', async () => {
    const before = connector.sent.length;
    const response = await app.post(message(connector.url, people.ada, '<at>Baton</at> new'));
    expect(response.status).toBe(200);
    const posted = connector.sent.slice(before);
    expect(posted).toHaveLength(1);
    const card = posted[0]!.activity.attachments![0]!;
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const receiver = findInputs(card.content).find((i) => i.id === 'receiver')!;
    expect(receiver.choices).toEqual([
      { title: 'Ada Lovelace', value: people.ada.aadObjectId },
      { title: 'Alan Turing', value: people.alan.aadObjectId },
      { title: 'Grace Hopper', value: people.grace.aadObjectId },
    ]);
    expect(findInputs(card.content).map((i) => i.id)).toEqual([
      // What every handoff needs first; the rest behind "More fields".
      'summary',
      'whatIsReady',
      'acceptanceCriteria',
      'receiver',
      'links',
      'effort',
      'neededBy',
      'workState',
      'blocker',
      'owner',
      'stakeholders',
      'priority',
      'assumptions',
    ]);
    // People come from Teams' people picker (the organisation), with the chat's members listed first.
    const pickers = findInputs(card.content).filter((i) => (i as unknown as Record<string, unknown>)['choices.data'] !== undefined);
    expect(pickers.map((i) => [i.id, (i as unknown as Record<string, unknown>)['choices.data']])).toEqual(
      ['receiver', 'owner', 'stakeholders'].map((id) => [id, { type: 'Data.Query', dataset: 'graph.microsoft.com/users' }]),
    );
  });

  it('answers "help" and a bare @Baton with the help, and an unknown word with one short line', async () => {
    const before = connector.sent.length;
    await app.post(message(connector.url, people.ada, 'help'));
    await app.post(message(connector.url, people.ada, '<at>Baton</at>'));
    await app.post(message(connector.url, people.ada, 'frobnicate'));
    await app.post(message(connector.url, people.ada, '[x](https://evil.example)'));
    const [help, bare, unknown, link] = connector.sent.slice(before).map((s) => s.activity.text ?? '');
    expect(help).toContain('**new**');
    expect(bare).toBe(help);
    expect(unknown).toBe(
      'I don\'t know "frobnicate". Try **new** (a handoff form), **mine** (your open handoffs), **summary**, **settings**, **away** or **help**.',
    );
    // An echoed word cannot become a link under the bot's name.
    expect(link).toBe(
      'I don\'t know "xhttpsevilexample". Try **new** (a handoff form), **mine** (your open handoffs), **summary**, **settings**, **away** or **help**.',
    );
  });
});

describe('submitting the form', () => {
  it('returns the same form with a message at each wrong field, keeps the values and stores nothing', async () => {
    const formId = crypto.randomUUID();
    const bad = {
      ...validForm(formId),
      summary: 'Retry logic is done. It also needs a review.',
      acceptanceCriteria: '  \n ',
      links: 'http://insecure.example.com/pr/1',
      effort: 'a while',
      workState: 'blocked',
      receiver: '',
    };
    const response = await app.post(cardAction(connector.url, people.ada, 'handoff.create', bad));
    expect(response.status).toBe(200);
    expect(response.body.type).toBe('application/vnd.microsoft.card.adaptive');
    const card = response.body.value;
    const texts = textsOf(card);
    expect(texts).toContain('Nothing was posted: 6 fields need a change.');
    expect(texts).toContain('Keep the summary to one sentence; put details in "What is ready".');
    expect(texts).toContain('Add at least one acceptance criterion, one per line.');
    expect(texts).toContain('"http://insecure.example.com/pr/1" is not an https link.');
    expect(texts.some((t) => t.startsWith('Effort not understood'))).toBe(true);
    expect(texts).toContain('Name what blocks this work.');
    expect(texts).toContain('Choose who receives this handoff.');
    const values = Object.fromEntries(findInputs(card).map((i) => [i.id, i.value]));
    expect(values.summary).toBe(bad.summary);
    expect(values.links).toBe(bad.links);
    expect(values.workState).toBe('blocked');
    expect(await app.stores.handoffs.read(handoffIdForForm(TENANT, formId), BACKGROUND)).toBeUndefined();
  });

  it('rejects a receiver who is neither in the conversation nor in the directory', async () => {
    const formId = crypto.randomUUID();
    const response = await app.post(
      cardAction(
        connector.url,
        people.ada,
        'handoff.create',
        { ...validForm(formId), receiver: '11111111-2222-3333-4444-555555555555' },
        inPlayground,
      ),
    );
    expect(textsOf(response.body.value)).toContain(
      'No one in the directory matches "11111111-2222-3333-4444-555555555555". Check the spelling, or use their email address.',
    );
    expect(await app.stores.handoffs.read(handoffIdForForm(PLAYGROUND_TENANT, formId), BACKGROUND)).toBeUndefined();
  });

  it("resolves a typed email, UPN or name from the directory (here: the Playground's people)", async () => {
    const formId = crypto.randomUUID();
    const response = await app.post(
      cardAction(
        connector.url,
        people.ada,
        'handoff.create',
        { ...validForm(formId), receiver: 'katherine@contoso.example', stakeholders: 'Margaret Hamilton' },
        inPlayground,
      ),
    );
    expect(textsOf(response.body.value)).toContain('<at>Katherine Johnson</at>, this handoff is for you to review.');
    // Due in Katherine's working time (Sydney): the sender's view says whose.
    expect(textsOf(response.body.value)).toContainEqual(
      expect.stringMatching(/^Due \{\{DATE\(.+\)\}\}, in 1 working day of the receiver's time$/),
    );
    const stored = (await app.stores.handoffs.read(handoffIdForForm(PLAYGROUND_TENANT, formId), BACKGROUND))?.handoff;
    // Katherine is not in this chat: her Teams id is the MRI of her Entra account.
    expect(stored?.receiver).toEqual({
      aadObjectId: '10000000-0000-0000-0000-0000000000d4',
      userId: '8:orgid:10000000-0000-0000-0000-0000000000d4',
      name: 'Katherine Johnson',
    });
    expect(stored?.stakeholders.map((p) => p.name)).toEqual(['Margaret Hamilton']);
  });

  it('never looks up people of one tenant for a user of another', async () => {
    const formId = crypto.randomUUID();
    const response = await app.post(
      cardAction(connector.url, people.ada, 'handoff.create', { ...validForm(formId), receiver: 'katherine@contoso.example' }),
    );
    expect(textsOf(response.body.value)).toContain(
      '"katherine@contoso.example" is not in this conversation, and Baton cannot look up people outside it in your organisation.',
    );
    expect(JSON.stringify(response.body.value)).not.toContain('Katherine Johnson');
    expect(await app.stores.handoffs.read(handoffIdForForm(TENANT, formId), BACKGROUND)).toBeUndefined();
  });

  it('says which typed person is ambiguous, and stores nothing', async () => {
    const formId = crypto.randomUUID();
    const response = await app.post(
      cardAction(connector.url, people.ada, 'handoff.create', { ...validForm(formId), receiver: 'A' }, inPlayground),
    );
    const message = textsOf(response.body.value).find((t) => t.startsWith('"A" matches'));
    expect(message).toMatch(/^"A" matches 2 people: Ada Lovelace .*, Alan Turing .*\. Use an email address to pick one\.$/);
    expect(await app.stores.handoffs.read(handoffIdForForm(PLAYGROUND_TENANT, formId), BACKGROUND)).toBeUndefined();
  });

  it('accepts a member picked by their Teams id, as some clients send it', async () => {
    const formId = crypto.randomUUID();
    await app.post(cardAction(connector.url, people.ada, 'handoff.create', { ...validForm(formId), receiver: people.grace.id }));
    expect((await app.stores.handoffs.read(handoffIdForForm(TENANT, formId), BACKGROUND))?.handoff.receiver.aadObjectId).toBe(
      people.grace.aadObjectId,
    );
  });

  it('stores a valid form and replaces the form for everyone with the card that tags the receiver', async () => {
    const before = connector.sent.length;
    const { id, formId, response } = await createHandoff();
    const stored = await app.handoff(id);
    expect(stored).toMatchObject({
      status: 'inReview',
      summary: 'Payments retry logic is ready for QA',
      acceptanceCriteria: ['All retry tests pass in CI', 'A failed payment is retried 3 times within 10 minutes'],
      effortMinutes: 240,
      sender: { aadObjectId: people.ada.aadObjectId, name: 'Ada Lovelace' },
      receiver: { aadObjectId: people.grace.aadObjectId, userId: people.grace.id },
      owner: { aadObjectId: people.ada.aadObjectId },
      tenantId: TENANT,
      conversation: { messageId: `form-${formId}` },
    });
    expect(await app.history(id)).toMatchObject([{ seq: 1, type: 'posted', actor: { name: 'Ada Lovelace' } }]);

    // The sender's own view (Ada is also the owner): work state, reassignment and cancelling, each behind its ShowCard; no review.
    const senderCard = response.body.value;
    expect(textsOf(senderCard)).toContain('<at>Grace Hopper</at>, this handoff is for you to review.');
    expect(textsOf(senderCard)).toContainEqual(
      expect.stringMatching(/^Due \{\{DATE\(.+\)\}\}, in 7 h 59 min of the receiver's working time$/),
    );
    // Her own view says "you", never her name.
    expect(textsOf(senderCard)).toContain('you');
    expect(textsOf(senderCard).join('\n')).not.toContain('Ada Lovelace');
    expect(findInputs(senderCard).map((i) => i.id)).toEqual(['blocker', 'newReceiver', 'reason']);
    expect(
      findInputs(senderCard)
        .find((i) => i.id === 'newReceiver')
        ?.choices?.map((c) => c.title),
    ).toEqual(['Ada Lovelace', 'Alan Turing']);

    // Everyone's view: the form message is replaced in place, the receiver is mentioned.
    const update = connector.sent.slice(before).find((s) => s.method === 'PUT');
    expect(update?.activityId).toBe(`form-${formId}`);
    const shared = update!.activity.attachments![0]!.content as any;
    expect(shared.msteams.entities).toEqual([
      { type: 'mention', text: '<at>Grace Hopper</at>', mentioned: { id: people.grace.id, name: 'Grace Hopper' } },
    ]);
    expect(shared.refresh.userIds).toEqual([people.grace.id, people.ada.id]);
    expect(findInputs(shared)).toEqual([]);
    expect(shared.refresh.action).toMatchObject({ verb: 'handoff.refresh', data: { handoffId: id } });
  });

  it('creates one handoff when Teams retries the submit or the user clicks twice', async () => {
    const formId = crypto.randomUUID();
    const submit = cardAction(connector.url, people.ada, 'handoff.create', validForm(formId));
    const again = { ...submit, id: 'f:second-click' };
    const responses = await Promise.all([app.post(submit), app.post(submit), app.post(again)]);
    for (const r of responses) expect(textsOf(r.body.value)).toContain('Payments retry logic is ready for QA');
    // One set of outbox rows too: the person index, everyone's card and the due index, written once.
    expect(await app.countRows(handoffIdForForm(TENANT, formId))).toEqual({ handoff: 1, events: 1, activities: 1, outbox: 3 });
    expect(
      (await app.stores.people.handoffsOf(TENANT, people.ada.aadObjectId, 1000, BACKGROUND)).filter(
        (r) => r.handoffId === handoffIdForForm(TENANT, formId),
      ),
    ).toHaveLength(1);
  });

  it('refuses someone else reusing a form that already created a handoff', async () => {
    const formId = crypto.randomUUID();
    await app.post(cardAction(connector.url, people.ada, 'handoff.create', validForm(formId)));
    const response = await app.post(cardAction(connector.url, people.alan, 'handoff.create', validForm(formId)));
    expect(response.body).toMatchObject({ statusCode: 403, type: 'application/vnd.microsoft.error' });
    expect((await app.stores.handoffs.read(handoffIdForForm(TENANT, formId), BACKGROUND))?.handoff.sender.name).toBe('Ada Lovelace');
  });
});

describe('reviewing', () => {
  it('gives the receiver Accept and Request changes, and everyone else a read-only card', async () => {
    const { id } = await createHandoff();
    const asGrace = await app.post(cardAction(connector.url, people.grace, 'handoff.refresh', { handoffId: id }));
    const asAlan = await app.post(cardAction(connector.url, people.alan, 'handoff.refresh', { handoffId: id }));
    const titles = (card: unknown) => JSON.stringify(card).match(/"verb":"handoff\.(accept|requestChanges|ask)"/g) ?? [];
    expect(titles(asGrace.body.value)).toEqual(['"verb":"handoff.accept"', '"verb":"handoff.requestChanges"', '"verb":"handoff.ask"']);
    expect(titles(asAlan.body.value)).toEqual([]);
    // The receiver checks the criteria off one by one.
    expect(
      findInputs(asGrace.body.value)
        .filter((i) => i.type === 'Input.Toggle')
        .map((i) => i.id),
    ).toEqual(['criterion0', 'criterion1']);
    expect(findInputs(asAlan.body.value).filter((i) => i.type === 'Input.Toggle')).toEqual([]);
  });

  it('accepts, updates the card for everyone and records who decided', async () => {
    const { id } = await createHandoff();
    const before = connector.sent.length;
    const response = await app.post(cardAction(connector.url, people.grace, 'handoff.accept', allChecked(id)));
    expect(response.body.type).toBe('application/vnd.microsoft.card.adaptive');
    // Grace's own card says "you"; the close is Ada's, as the owner.
    expect(textsOf(response.body.value)).toContain('Accepted by you. Waiting on Ada Lovelace (owner) to close it.');
    expect(textsOf(response.body.value)).toContainEqual(expect.stringMatching(/, in .+ of the owner's working time$/));
    const update = connector.sent.slice(before).find((s) => s.method === 'PUT');
    expect(textsOf(update!.activity.attachments![0]!.content)).toContain('Accepted');
    expect(textsOf(update!.activity.attachments![0]!.content)).toContain(
      'Accepted by Grace Hopper. Waiting on Ada Lovelace (owner) to close it.',
    );
    const history = await app.history(id);
    expect(history.map((e) => [e.type, e.actor.name])).toEqual([
      ['posted', 'Ada Lovelace'],
      ['accepted', 'Grace Hopper'],
    ]);
  });

  it('requires a comment to request changes, and keeps it', async () => {
    const { id } = await createHandoff();
    const empty = await app.post(cardAction(connector.url, people.grace, 'handoff.requestChanges', { handoffId: id, comment: '  ' }));
    expect(textsOf(empty.body.value)).toContain('Say what needs to change: a comment is required.');
    expect((await app.handoff(id))?.status).toBe('inReview');
    const withComment = await app.post(
      cardAction(connector.url, people.grace, 'handoff.requestChanges', { handoffId: id, comment: 'Add the timeout test.' }),
    );
    expect(textsOf(withComment.body.value)).toContain('Add the timeout test.');
    expect((await app.handoff(id))?.decision).toMatchObject({ status: 'changesRequested', text: 'Add the timeout test.' });
  });

  it('a second click on a decided handoff shows who decided and changes nothing', async () => {
    const { id } = await createHandoff();
    await app.post(cardAction(connector.url, people.grace, 'handoff.accept', allChecked(id)));
    const late = await app.post(cardAction(connector.url, people.grace, 'handoff.requestChanges', { handoffId: id, comment: 'wait' }));
    expect(textsOf(late.body.value).some((t) => t.startsWith('This handoff was already accepted by you on '))).toBe(true);
    expect(await app.countRows(id)).toMatchObject({ events: 2 });
  });

  it('refuses a forged action from someone who is not the receiver', async () => {
    const { id } = await createHandoff();
    const forged = await app.post(cardAction(connector.url, people.alan, 'handoff.accept', allChecked(id)));
    expect(textsOf(forged.body.value)).toContain('Only the receiver, Grace Hopper, can do that on this handoff.');
    expect((await app.handoff(id))?.status).toBe('inReview');
  });

  it('lets exactly one of two simultaneous decisions win', async () => {
    const { id } = await createHandoff();
    const [a, b] = await Promise.all([
      app.post(cardAction(connector.url, people.grace, 'handoff.accept', allChecked(id))),
      app.post(cardAction(connector.url, people.grace, 'handoff.requestChanges', { handoffId: id, comment: 'Needs work.' })),
    ]);
    const history = await app.history(id);
    expect(history).toHaveLength(2);
    const winner = history[1]!.type;
    const loser = winner === 'accepted' ? b : a;
    expect(textsOf(loser.body.value).some((t) => t.startsWith('This handoff was already'))).toBe(true);
    expect((await app.handoff(id))?.status).toBe(winner);
  });

  it('applies a replayed activity once and answers it with the current card', async () => {
    const { id } = await createHandoff();
    const accept = cardAction(connector.url, people.grace, 'handoff.accept', allChecked(id));
    const before = connector.sent.length;
    const first = await app.post(accept);
    const rows = async () => (await app.stores.outbox.rows(id, BACKGROUND, { all: true })).map((r) => [r.key, r.effect.kind]);
    const afterFirst = await rows();
    const retry = await app.post(accept);
    expect(retry.body).toEqual(first.body);
    // Created: card, index (and the due index); accepted: card, index (the listing search reads) and Ada's message (she
    // is sender and owner), and the due index when the next wake-up moved. The replay adds no row and sends nothing.
    expect(afterFirst.filter(([, kind]) => kind !== 'due').map(([, kind]) => kind)).toEqual(['card', 'index', 'card', 'index', 'message']);
    expect(await rows()).toEqual(afterFirst);
    expect(await app.countRows(id)).toMatchObject({ handoff: 1, events: 2, activities: 2 });
    expect(connector.sent.slice(before).filter((s) => s.method === 'PUT')).toHaveLength(1);
  });

  it('applies an activity Teams delivers twice at the same moment once, and answers both with the card, no notice', async () => {
    const { id } = await createHandoff();
    const accept = cardAction(connector.url, people.grace, 'handoff.accept', allChecked(id));
    const answers = await Promise.all([app.post(accept), app.post(accept)]);
    expect((await app.history(id)).map((e) => e.type)).toEqual(['posted', 'accepted']);
    for (const answer of answers) {
      expect(answer.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
      // Neither the refusal of a decided handoff nor the note of a lost race: it is the same click.
      expect(textsOf(answer.body.value).filter((t) => t.startsWith('This handoff was already') || t.startsWith('Others changed'))).toEqual(
        [],
      );
    }
  });

  it('reports a handoff of another tenant as not found', async () => {
    const { id } = await createHandoff();
    const other = cardAction(connector.url, people.grace, 'handoff.accept', allChecked(id));
    other.conversation = { ...other.conversation, tenantId: 'ffffffff-0000-0000-0000-000000000000' };
    const response = await app.post(other);
    expect(response.body).toMatchObject({ statusCode: 404, type: 'application/vnd.microsoft.error' });
    expect((await app.handoff(id))?.status).toBe('inReview');
  });
});

describe('bad requests', () => {
  it('answers an unknown verb and malformed data with 400 application/vnd.microsoft.error', async () => {
    const unknown = await app.post(cardAction(connector.url, people.grace, 'handoff.delete', { handoffId: 'x' }));
    expect(unknown.body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest' } });
    const malformed = await app.post(cardAction(connector.url, people.grace, 'handoff.accept', { handoffId: '../../etc' }));
    expect(malformed.body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error' });
    expect(malformed.body.value.message).toContain('handoffId');
  });

  it('answers a body that is not an activity with 400', async () => {
    expect((await app.post('not json')).status).toBe(400);
    expect((await app.post({ hello: 'world' })).status).toBe(400);
  });

  it('refuses, in local mode, an activity whose connector is not on this machine', async () => {
    const response = await app.post(message('https://smba.trafficmanager.net/emea/', people.ada, 'new'));
    expect(response.status).toBe(403);
  });

  it('refuses, in local mode, an activity a web page on another host posts from a browser', async () => {
    const before = connector.sent.length;
    const forged = await app.post(message(connector.url, people.ada, 'help'), { origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    expect(connector.sent.length).toBe(before);
    expect((await app.post(message(connector.url, people.ada, 'help'), { origin: 'http://localhost:56150' })).status).toBe(200);
  });
});
