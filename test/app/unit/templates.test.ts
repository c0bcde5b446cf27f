/**
 * Team templates' use cases on the in-memory stores (issue 26): a template
 * made, used, edited and used again (the first handoff keeps version 1), the
 * checklist refused at an unticked item with nothing stored, who may change
 * a template, two people saving at once, the limit of 20, and the loop: a
 * question asked on a handoff appears on its template's card, and Add to
 * checklist adds it.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { handoffActions, handoffIdForForm } from '../../../src/app/handoffs';
import { BACKGROUND, type Answer, type Caller } from '../../../src/app/ports';
import { newFormWithTemplates, templateActions } from '../../../src/app/templates';
import type { AdaptiveCard } from '../../../src/cards/render';
import { TEMPLATE_VERBS, VERBS } from '../../../src/cards/verbs';
import type { Person } from '../../../src/domain/handoff';
import { ada, alan, barbara, grace } from '../../support/builders';
import { callerFor, type MemoryApp, memoryApp } from '../../support/memory-app';
import { nodesOfType } from '../../support/cards';

const MEMBERS = [ada, grace, alan, barbara];
const b = BACKGROUND;
let m: MemoryApp;

const nodes = nodesOfType;
const texts = (card: unknown) => [...nodes(card, 'TextBlock'), ...nodes(card, 'TextRun')].map((n) => n.text as string);
const cardOf = (answer: Answer): AdaptiveCard => {
  if (!('card' in answer)) throw new Error(`expected a card, got ${JSON.stringify(answer)}`);
  return answer.card;
};
const inputValues = (card: unknown) =>
  Object.fromEntries(
    ['Input.Text', 'Input.ChoiceSet', 'Input.Date', 'Input.Toggle'].flatMap((t) => nodes(card, t).map((n) => [n.id, n.value])),
  );

/** A caller in the group chat (or a channel, where `owner` says whether they own the team). */
function caller(who: Person, where: { kind?: 'groupChat' | 'channel'; owner?: boolean } = {}): Caller {
  return {
    ...callerFor(who, { members: MEMBERS }),
    ...(where.kind ? { conversation: { id: '19:chat', serviceUrl: 'https://smba.example/', personal: false, kind: where.kind } } : {}),
    teamOwner: async () => where.owner === true,
  };
}

async function run(actions: typeof templateActions, verb: string, who: Caller, data: Record<string, unknown>): Promise<Answer> {
  const action = actions[verb]!;
  const answer = await action.run(m.app, who, action.data.parse(data));
  await m.app.deliveries.idle();
  return answer;
}

const RELEASE = {
  name: 'Release to QA',
  description: 'A build QA can test',
  whatIsReady: 'The build is on staging.',
  acceptanceCriteria: 'All smoke tests pass on staging',
  links: 'https://example.com/runbook',
  effort: '4h',
  priority: 'high',
  receiver: grace.aadObjectId,
  owner: alan.aadObjectId,
  reviewGoal: '2h',
  checklist: 'Release notes written\nFeature flag off by default',
};

async function makeTemplate(who: Caller = caller(ada), values: Record<string, string> = RELEASE): Promise<string> {
  const answer = await run(templateActions, TEMPLATE_VERBS.save, who, { ...values, version: '0' });
  expect(texts(cardOf(answer))).toContain('Saved: version 1.');
  const { templates } = await m.stores.templates.shelf('t1', '19:chat', b);
  return templates.find((t) => t.name === values.name)!.id;
}

/** The form `new release` shows, submitted with its values and the ticks given. */
async function postFromTemplate(
  words: string,
  ticks: boolean[],
  summary = 'Build 42 is ready for QA',
): Promise<{ answer: Answer; formId: string }> {
  const formId = crypto.randomUUID();
  const form = await newFormWithTemplates(m.app, caller(ada), formId, words);
  const post = nodes(form, 'Action.Execute').find((a) => a.title === 'Post handoff')!;
  const values = inputValues(form);
  const data = {
    ...values,
    ...Object.fromEntries(ticks.map((t, i) => [`check${i}`, t ? 'true' : 'false'])),
    summary,
    ...(post.data as object),
    confirmed: true,
  };
  const action = handoffActions[VERBS.createHandoff]!;
  const answer = await action.run(m.app, callerFor(ada, { members: MEMBERS, replyToId: `m-${formId}` }), action.data.parse(data));
  await m.app.deliveries.idle();
  return { answer, formId };
}

beforeEach(() => {
  m = memoryApp({ at: '2026-05-04T09:00:00.000Z' });
});

describe('a template made, used, edited and used again', () => {
  it('pre-fills the form; the first handoff keeps version 1 and its checklist after the template changes', async () => {
    const id = await makeTemplate();
    const form = await newFormWithTemplates(m.app, caller(ada), 'f', 'release');
    expect(inputValues(form)).toMatchObject({
      templateChoice: id,
      whatIsReady: 'The build is on staging.',
      acceptanceCriteria: 'All smoke tests pass on staging',
      effort: '4h',
      priority: 'high',
      receiver: grace.aadObjectId,
      owner: alan.aadObjectId,
      check0: 'false',
      check1: 'false',
    });
    const first = await postFromTemplate('release', [true, true]);
    const firstId = handoffIdForForm('t1', first.formId);
    const v1 = (await m.stores.handoffs.read(firstId, b))!.handoff;
    expect(v1.template).toEqual({
      id,
      name: 'Release to QA',
      version: 1,
      checklist: ['Release notes written', 'Feature flag off by default'],
      reviewGoalMinutes: 120,
    });
    // The template's review goal (2h), not the high priority's default, sets the review's due time.
    expect(v1.clock?.goalMinutes).toBe(120);
    expect(texts(cardOf(first.answer))).toContain('You confirmed the checklist of the team template “Release to QA” (version 1).');

    const edited = await run(templateActions, TEMPLATE_VERBS.save, caller(ada), {
      ...RELEASE,
      checklist: `${RELEASE.checklist}\nRollback tested`,
      templateId: id,
      version: '1',
    });
    expect(texts(cardOf(edited))).toContain('Saved: version 2.');
    const second = await postFromTemplate('release', [true, true, true], 'Build 43 is ready for QA');
    const v2 = (await m.stores.handoffs.read(handoffIdForForm('t1', second.formId), b))!.handoff;
    expect(v2.template?.version).toBe(2);
    expect(v2.template?.checklist).toEqual(['Release notes written', 'Feature flag off by default', 'Rollback tested']);
    expect((await m.stores.handoffs.read(firstId, b))!.handoff.template?.version).toBe(1);
    expect((await m.stores.templates.versions('t1', '19:chat', id, b)).map((t) => [t.version, t.change])).toEqual([
      [1, 'created'],
      [2, 'changed the checklist'],
    ]);
  });

  it('refuses a post with an unticked item, at that item, and stores nothing', async () => {
    const id = await makeTemplate();
    const { answer, formId } = await postFromTemplate('release', [true, false]);
    const card = cardOf(answer);
    expect(texts(card)).toContain('Nothing was posted: one checklist item is not ticked.');
    // The form shown again is the same form: the template choice stays, on the template in use.
    expect(nodes(card, 'Input.ChoiceSet').find((c) => c.id === 'templateChoice')?.value).toBe(id);
    expect(nodes(card, 'Input.Toggle').map((t) => [t.id, t.value])).toEqual([
      ['check0', 'true'],
      ['check1', 'false'],
    ]);
    expect(texts(card).filter((t) => t.startsWith('Tick this'))).toEqual([
      'Tick this once it is done: this template asks for it before posting.',
    ]);
    expect(await m.stores.handoffs.read(handoffIdForForm('t1', formId), b)).toBeUndefined();
    expect(m.sent).toEqual([]);
  });

  it('names a wrong field and the unticked items each for what they are', async () => {
    await makeTemplate();
    const { answer, formId } = await postFromTemplate('release', [false, false], '');
    expect(texts(cardOf(answer))).toContain('Nothing was posted: one field needs a change, and 2 checklist items are not ticked.');
    expect(texts(cardOf(answer)).filter((t) => t.startsWith('Tick this'))).toHaveLength(2);
    expect(await m.stores.handoffs.read(handoffIdForForm('t1', formId), b)).toBeUndefined();
  });

  it('asks the checklist again on a resubmission', async () => {
    await makeTemplate();
    const { formId } = await postFromTemplate('release', [true, true]);
    const id = handoffIdForForm('t1', formId);
    await run(handoffActions, VERBS.requestChanges, callerFor(grace, { members: MEMBERS }), {
      handoffId: id,
      comment: 'Add the rollback steps.',
    });
    const editForm = cardOf(await run(handoffActions, VERBS.edit, callerFor(ada, { members: MEMBERS }), { handoffId: id }));
    expect(nodes(editForm, 'Input.Toggle').map((t) => t.value)).toEqual(['false', 'false']);
    const values = {
      ...inputValues(editForm),
      whatIsReady: 'The build is on staging, with the rollback steps.',
      handoffId: id,
      formId: 'edit-1',
      confirmed: true,
    };
    const refused = cardOf(await run(handoffActions, VERBS.resubmit, callerFor(ada, { members: MEMBERS }), { ...values, check0: 'true' }));
    expect(texts(refused)).toContain('Nothing was resubmitted: one checklist item is not ticked.');
    expect((await m.stores.handoffs.read(id, b))!.handoff.version).toBe(1);
    await run(handoffActions, VERBS.resubmit, callerFor(ada, { members: MEMBERS }), { ...values, check0: 'true', check1: 'true' });
    expect((await m.stores.handoffs.read(id, b))!.handoff.version).toBe(2);
  });

  it('takes a deleted template off the choice; its handoffs keep their stamp', async () => {
    const id = await makeTemplate();
    const { formId } = await postFromTemplate('release', [true, true]);
    const list = cardOf(await run(templateActions, TEMPLATE_VERBS.delete, caller(ada), { templateId: id, version: '1' }));
    expect(texts(list)).toContain('Deleted “Release to QA”. Handoffs posted from it keep it as it was.');
    const form = await newFormWithTemplates(m.app, caller(ada), 'f2', 'release');
    expect(nodes(form, 'Input.ChoiceSet').map((c) => c.id)).not.toContain('templateChoice');
    expect(texts(form)).toContain(
      'This conversation has no templates yet, so "release" names none: here is the empty form ("template new" makes one).',
    );
    expect((await m.stores.handoffs.read(handoffIdForForm('t1', formId), b))!.handoff.template?.name).toBe('Release to QA');
  });
});

describe('who may change a template', () => {
  it("a team owner edits someone else's template in a channel; a plain member cannot", async () => {
    const id = await makeTemplate(caller(ada, { kind: 'channel' }));
    const edit = { ...RELEASE, description: 'Changed', templateId: id, version: '1' };
    const plain = await run(templateActions, TEMPLATE_VERBS.save, caller(grace, { kind: 'channel', owner: false }), edit);
    expect('refusal' in plain && plain.refusal).toBe('Only Ada Lovelace, who made "Release to QA", or an owner of the team can change it.');
    expect((await m.stores.templates.read('t1', '19:chat', id, b))?.version).toBe(1);
    const owner = await run(templateActions, TEMPLATE_VERBS.save, caller(grace, { kind: 'channel', owner: true }), edit);
    expect(texts(cardOf(owner))).toContain('Saved: version 2.');
    expect(await m.stores.templates.read('t1', '19:chat', id, b)).toMatchObject({ version: 2, description: 'Changed', changedBy: grace });
  });

  it('any member of a group chat may', async () => {
    const id = await makeTemplate();
    const answer = await run(templateActions, TEMPLATE_VERBS.delete, caller(alan), { templateId: id, version: '1' });
    expect('refusal' in answer).toBe(false);
    expect(await m.stores.templates.read('t1', '19:chat', id, b)).toMatchObject({ deleted: true, changedBy: alan });
  });
});

describe('two people saving at once', () => {
  it('one wins; the other is told who changed it, and nothing of theirs is saved until they save again', async () => {
    const id = await makeTemplate();
    // Both opened version 1.
    await run(templateActions, TEMPLATE_VERBS.save, caller(grace), {
      ...RELEASE,
      description: 'Grace was here',
      templateId: id,
      version: '1',
    });
    m.at('2026-05-04T09:05:00.000Z');
    const late = await run(templateActions, TEMPLATE_VERBS.save, caller(alan), {
      ...RELEASE,
      description: 'Alan was here',
      templateId: id,
      version: '1',
    });
    expect('refusal' in late && late.refusal).toBe(
      'Grace Hopper changed “Release to QA” (changed the description, Mon 4 May, 09:00 UTC) after you opened it: nothing was saved. Save again to replace their version with yours, or Cancel.',
    );
    const retry = nodes(cardOf(late), 'Action.Execute')[0]!.data as Record<string, string>;
    expect(retry).toEqual({ templateId: id, version: '2' });
    expect((await m.stores.templates.read('t1', '19:chat', id, b))?.description).toBe('Grace was here');
    await run(templateActions, TEMPLATE_VERBS.save, caller(alan), { ...RELEASE, description: 'Alan was here', ...retry });
    expect(await m.stores.templates.read('t1', '19:chat', id, b)).toMatchObject({ version: 3, description: 'Alan was here' });
  });

  it('a conversation keeps 20 templates at most', async () => {
    for (let i = 0; i < 20; i += 1) await makeTemplate(caller(ada), { name: `Template ${i}` });
    const refused = await run(templateActions, TEMPLATE_VERBS.save, caller(ada), { name: 'One too many', version: '0' });
    expect('refusal' in refused && refused.refusal).toBe(
      'This conversation has 20 templates, the most it can keep: delete one it no longer uses first.',
    );
    expect((await m.stores.templates.shelf('t1', '19:chat', b)).templates).toHaveLength(20);
  });
});

describe('the loop', () => {
  it("shows a question asked on a handoff on its template's card; Add to checklist adds it", async () => {
    const id = await makeTemplate();
    const { formId } = await postFromTemplate('release', [true, true]);
    const handoffId = handoffIdForForm('t1', formId);
    m.at('2026-05-05T10:00:00.000Z');
    await run(handoffActions, VERBS.ask, callerFor(grace, { members: MEMBERS }), { handoffId, comment: 'Which feature flag guards it?' });
    m.at('2026-05-05T10:30:00.000Z');
    const card = cardOf(await run(templateActions, TEMPLATE_VERBS.show, caller(ada), { templateId: id }));
    expect(texts(card)).toContain('“Which feature flag guards it?”');
    expect(texts(card)).toContain('Grace Hopper, Tue 5 May, 10:00, on “Build 42 is ready for QA”');
    const add = nodes(card, 'Action.Execute').find((a) => a.title === 'Add to checklist')!;
    const added = cardOf(await run(templateActions, TEMPLATE_VERBS.addQuestion, caller(ada), add.data as Record<string, unknown>));
    expect(texts(added)).toContain('Added “Which feature flag guards it?” to the checklist: version 2.');
    expect((await m.stores.templates.read('t1', '19:chat', id, b))?.checklist).toEqual([
      'Release notes written',
      'Feature flag off by default',
      'Which feature flag guards it?',
    ]);
    // The next handoff asks for it.
    const next = await newFormWithTemplates(m.app, caller(ada), 'f3', 'release');
    expect(nodes(next, 'Input.Toggle').map((t) => t.title)).toContain('Which feature flag guards it?');
  });
});
