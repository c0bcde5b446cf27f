/**
 * Team templates' cards (issue 26), rendered through their builders: each a
 * valid Adaptive Card 1.5, the same as adaptivecards-templating renders it,
 * with the buttons each reader may use; the form with a template and a full
 * checklist, and the posted card that shows the ticked checklist, inside
 * the 40 KB a Teams message is budgeted.
 */
import { CardFactory, MessageFactory } from 'botbuilder';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { templateActions } from '../../src/app/templates';
import { handoffCard, handoffFormCard } from '../../src/cards/handoff-cards';
import { templateCard, templateFormCard, templateListCard, templateSummaryElements } from '../../src/cards/template-cards';
import { TEMPLATE_VERBS } from '../../src/cards/verbs';
import type { TemplateLoop } from '../../src/domain/template-metrics';
import {
  CHECK_ITEM_MAX,
  CHECKLIST_MAX,
  createTemplate,
  nextVersion,
  type Template,
  type TemplateFields,
  templateFormInput,
  TEMPLATES_MAX,
} from '../../src/domain/templates';
import { ada, alan, barbara, FIELDS, grace, posted } from '../support/builders';
import { expectValidCard } from '../support/card-schema';
import { nodesOfType } from '../support/cards';

const compared = vi.hoisted(() => ({ renders: 0 }));
vi.mock('../../src/cards/render', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/cards/render')>();
  const { Template: LibraryTemplate } = await import('adaptivecards-templating');
  return {
    ...actual,
    renderCard: (template: object, data: object) => {
      const card = actual.renderCard(template, data);
      expect(card, 'the same card as adaptivecards-templating renders').toEqual(new LibraryTemplate(template).expand({ $root: data }));
      compared.renders++;
      return card;
    },
  };
});
afterAll(() => {
  expect(compared.renders).toBeGreaterThan(10);
});

type Node = Record<string, unknown>;
const nodes = nodesOfType;
const buttons = (card: unknown) => nodes(card, 'Action.Execute').map((a) => [a.title, a.verb]);
const texts = (card: unknown) => [...nodes(card, 'TextBlock'), ...nodes(card, 'TextRun')].map((n) => n.text as string);
const utf16Bytes = (card: object) => JSON.stringify(MessageFactory.attachment(CardFactory.adaptiveCard(card))).length * 2;
const now = new Date('2026-05-11T09:00:00.000Z');

const FIELDS_OF_TEMPLATE: TemplateFields = {
  name: 'Release to QA',
  description: 'A build QA can test',
  whatIsReady: 'The build is on staging.',
  acceptanceCriteria: ['All smoke tests pass'],
  assumptions: '',
  links: [],
  effortMinutes: 240,
  priority: 'high',
  receiver: grace,
  owner: undefined,
  stakeholders: [],
  reviewGoalMinutes: 120,
  minLeadMinutes: undefined,
  checklist: ['Release notes written', 'Feature flag off by default'],
};
const release: Template = createTemplate({
  id: 'tpl-1',
  tenantId: 't1',
  conversationId: '19:chat',
  fields: FIELDS_OF_TEMPLATE,
  by: ada,
  at: '2026-05-04T09:00:00.000Z',
});
const LOOP: TemplateLoop = {
  posted: 5,
  accepted: 4,
  firstPassRate: 0.5,
  clarifications: 12,
  clarificationsPerHandoff: 2.4,
  others: { posted: 10, accepted: 9, firstPassRate: 0.9, clarifications: 8, clarificationsPerHandoff: 0.8 },
  questions: [
    {
      handoffId: 'a'.repeat(20),
      seq: 3,
      text: 'Which feature flag?',
      by: grace,
      at: '2026-05-08T10:00:00.000Z',
      summary: 'Build 42 for QA',
    },
    {
      handoffId: 'b'.repeat(20),
      seq: 2,
      text: 'Where are the notes?',
      by: alan,
      at: '2026-05-06T10:00:00.000Z',
      summary: 'Build 41 for QA',
    },
  ],
};

describe('the templates list', () => {
  it('offers New template while there is room, and each template with Open, Edit, Duplicate and Delete', () => {
    const card = templateListCard({ templates: [release], timeZone: 'UTC', now });
    expectValidCard(card);
    expect(buttons(card)).toEqual([
      ['Open', TEMPLATE_VERBS.show],
      ['Edit', TEMPLATE_VERBS.edit],
      ['Duplicate', TEMPLATE_VERBS.duplicate],
      ['Delete it', TEMPLATE_VERBS.delete],
      ['New template', TEMPLATE_VERBS.create],
    ]);
    expect(texts(card)).toContain('Version 1, created by Ada Lovelace, Mon 4 May, 09:00 · 2 checklist items');
    // Rendered as markdown, "<name>" would be dropped as a tag: the subtitle says it in words.
    expect(texts(card)[1]).toBe('1 of 20. Type "new" and a template\'s name to start a handoff from it.');
  });

  it('names the author only when someone else changed it since', () => {
    const edited = nextVersion(release, FIELDS_OF_TEMPLATE, grace, '2026-05-05T09:00:00.000Z');
    expect(texts(templateListCard({ templates: [edited], timeZone: 'UTC', now }))).toContain(
      'Version 2, saved it unchanged by Grace Hopper, Tue 5 May, 09:00 · 2 checklist items · made by Ada Lovelace',
    );
  });

  it('has no New template at the limit, and says how to start when empty', () => {
    const full = Array.from({ length: TEMPLATES_MAX }, (_, i) => ({ ...release, id: `t${i}`, name: `Template ${i}` }));
    const card = templateListCard({ templates: full, now });
    expectValidCard(card);
    expect(buttons(card).filter(([, verb]) => verb === TEMPLATE_VERBS.create)).toEqual([]);
    expect(texts(templateListCard({ templates: [], now }))[1]).toMatch(/^None yet\./);
  });
});

describe("the template's card", () => {
  it('shows the four weeks against the team, and the questions newest first with Add to checklist and Add to criteria', () => {
    const card = templateCard({ template: release, loop: LOOP, showQuestions: true, canEdit: true, timeZone: 'UTC', now });
    expectValidCard(card);
    expect(Object.fromEntries(nodes(card, 'FactSet').flatMap((f) => (f.facts as Node[]).map((x) => [x.title, x.value])))).toEqual({
      'Handoffs posted from it': '5',
      'First-pass acceptance': '50%',
      'Clarifications per handoff': "2.4 (the team's other handoffs: 0.8)",
    });
    expect(texts(card).filter((t) => t.startsWith('“'))).toEqual(['“Which feature flag?”', '“Where are the notes?”']);
    const adds = nodes(card, 'Action.Execute').filter((a) => a.verb === TEMPLATE_VERBS.addQuestion);
    expect(adds.map((a) => [a.title, a.data])).toEqual([
      ['Add to checklist', { templateId: 'tpl-1', handoffId: 'a'.repeat(20), seq: '3', to: 'checklist' }],
      ['Add to criteria', { templateId: 'tpl-1', handoffId: 'a'.repeat(20), seq: '3', to: 'acceptanceCriteria' }],
      ['Add to checklist', { templateId: 'tpl-1', handoffId: 'b'.repeat(20), seq: '2', to: 'checklist' }],
      ['Add to criteria', { templateId: 'tpl-1', handoffId: 'b'.repeat(20), seq: '2', to: 'acceptanceCriteria' }],
    ]);
  });

  it('says who made and changed it, and what it pre-fills, each once', () => {
    const line = (template: Template) =>
      texts(templateCard({ template, loop: LOOP, showQuestions: true, canEdit: true, timeZone: 'UTC', now })).find((t) =>
        t.startsWith('Version'),
      );
    expect(line(release)).toBe(
      'Version 1: created by Ada Lovelace, Mon 4 May, 09:00. Pre-fills the receiver Grace Hopper, effort 4h, high priority, review goal 2h.',
    );
    const edited = nextVersion(
      release,
      { ...FIELDS_OF_TEMPLATE, receiver: undefined, priority: 'normal' },
      grace,
      '2026-05-05T09:00:00.000Z',
    );
    expect(line(edited)).toBe(
      'Version 2: changed the priority and the receiver by Grace Hopper, Tue 5 May, 09:00. Made by Ada Lovelace. Pre-fills effort 4h, review goal 2h.',
    );
  });

  it('compares clarifications with the team only when the team has other handoffs', () => {
    const alone = {
      ...LOOP,
      others: { posted: 0, accepted: 0, firstPassRate: undefined, clarifications: 0, clarificationsPerHandoff: undefined },
    };
    const card = templateCard({ template: release, loop: alone, showQuestions: true, canEdit: true, now });
    const facts = Object.fromEntries(nodes(card, 'FactSet').flatMap((f) => (f.facts as Node[]).map((x) => [x.title, x.value])));
    expect(facts['Clarifications per handoff']).toBe('2.4 (no other handoffs here to compare with)');
  });

  it('has no Edit and no Add buttons for someone who may not change it, and no questions outside its chat', () => {
    const readOnly = templateCard({ template: release, loop: LOOP, showQuestions: true, canEdit: false, now });
    expect(buttons(readOnly)).toEqual([
      ['Duplicate', TEMPLATE_VERBS.duplicate],
      ['All templates', TEMPLATE_VERBS.list],
    ]);
    const elsewhere = templateCard({ template: release, loop: LOOP, showQuestions: false, canEdit: false, now });
    expectValidCard(elsewhere);
    expect(texts(elsewhere)).toContain('2 questions: open the template in its chat to see them.');
    expect(texts(elsewhere).some((t) => t.includes('Which feature flag?'))).toBe(false);
    // Outside its chat (opened from the weekly summary), no button that acts on the chat it was opened in.
    expect(buttons(elsewhere)).toEqual([]);
  });
});

describe('the card that makes or edits a template', () => {
  it('renders empty, and with every error, as valid cards whose Save names the version it edits', () => {
    const empty = templateFormCard({ members: [ada, grace] });
    expectValidCard(empty);
    expect(nodes(empty, 'Action.Execute').map((a) => a.data)).toEqual([{ templateId: '', version: '0' }, {}]);
    const fields = Object.keys(templateFormInput.shape);
    const errors = Object.fromEntries(fields.map((f) => [f, `Problem with ${f}.`]));
    const edit = templateFormCard({
      members: [ada, grace],
      values: { name: 'Release to QA' },
      errors,
      message: 'Nothing was saved.',
      editing: { templateId: 'tpl-1', version: 3, name: 'Release to QA' },
    });
    expectValidCard(edit);
    expect(texts(edit)[0]).toBe('Edit “Release to QA” (becomes version 4)');
    for (const f of fields) expect(texts(edit), f).toContain(`Problem with ${f}.`);
    expect(nodes(edit, 'Action.Execute')[0]?.data).toEqual({ templateId: 'tpl-1', version: '3' });
  });
});

describe('the handoff form with a template', () => {
  const full = Array.from({ length: CHECKLIST_MAX }, (_, i) => `${i} ${'語言テスト😀 '.repeat(40)}`.slice(0, CHECK_ITEM_MAX));
  const templates = Array.from({ length: TEMPLATES_MAX }, (_, i) => ({ id: crypto.randomUUID(), name: `${'T'.repeat(55)} ${i}` }));

  it("offers the conversation's templates, and a toggle per checklist item with its error; Post carries the template and version", () => {
    const errors = new Map(full.map((_, i) => [i, 'Tick this once it is done: this template asks for it before posting.']));
    const card = handoffFormCard({
      formId: 'f',
      members: [ada, grace],
      templates,
      template: { id: 'tpl-1', name: 'Release to QA', version: 3, checklist: full, ticked: [true], errors },
    });
    expectValidCard(card);
    const toggles = nodes(card, 'Input.Toggle');
    expect(toggles.map((t) => [t.id, t.value])).toEqual(full.map((_, i) => [`check${i}`, i === 0 ? 'true' : 'false']));
    expect(nodes(card, 'Input.ChoiceSet').find((c) => c.id === 'templateChoice')?.value).toBe('tpl-1');
    // With none chosen the value is '': clients that show no choice for it (the Agents Playground) show the placeholder, the same words.
    const none = nodes(handoffFormCard({ formId: 'f', members: [ada], templates }), 'Input.ChoiceSet').find(
      (c) => c.id === 'templateChoice',
    )!;
    expect([none.value, none.placeholder, (none.choices as Node[])[0]]).toEqual(['', 'No template', { title: 'No template', value: '' }]);
    expect(nodes(card, 'Action.Execute').map((a) => [a.title, a.verb, a.data])).toEqual([
      ['Use this template', TEMPLATE_VERBS.apply, { formId: 'f' }],
      ['Post handoff', 'handoff.create', { formId: 'f', templateId: 'tpl-1', templateVersion: '3' }],
    ]);
    expect(utf16Bytes(card)).toBeLessThan(40 * 1024);
  });

  it('shows no template part in a conversation without templates', () => {
    const card = handoffFormCard({ formId: 'f', members: [ada, grace] });
    expect(nodes(card, 'Input.Toggle')).toEqual([]);
    expect(nodes(card, 'Input.ChoiceSet').map((c) => c.id)).toEqual(['receiver', 'workState', 'owner', 'stakeholders', 'priority']);
  });
});

describe('the posted card', () => {
  it('shows the template, its version and the checklist its sender ticked, to everyone, within the budget', () => {
    const checklist = Array.from({ length: CHECKLIST_MAX }, (_, i) => `${i} ${'語言テスト😀 '.repeat(40)}`.slice(0, CHECK_ITEM_MAX));
    const { handoff } = posted({ fields: { ...FIELDS, whatIsReady: 'x'.repeat(1000) } });
    const stamped = { ...handoff, template: { id: 'tpl-1', name: 'Release to QA', version: 1, checklist } };
    for (const viewer of [undefined, ada, grace, alan, barbara]) {
      const card = handoffCard(stamped, viewer, { now, timeZone: 'UTC' });
      expectValidCard(card);
      // Ada's own view says "you" (issue 23).
      expect(texts(card)).toContain(
        `${viewer === ada ? 'You' : 'Ada Lovelace'} confirmed the checklist of the team template “Release to QA” (version 1).`,
      );
      expect(texts(card).filter((t) => t.startsWith('☑ '))).toHaveLength(CHECKLIST_MAX);
      expect(utf16Bytes(card)).toBeLessThan(40 * 1024);
    }
    expect(texts(handoffCard(handoff, undefined, { now })).some((t) => t.includes('template'))).toBe(false);
  });
});

describe('the template verbs', () => {
  it('each has a handler, and each is on a card', () => {
    const verbs = Object.values(TEMPLATE_VERBS);
    expect(Object.keys(templateActions).sort()).toEqual([...verbs].sort());
    const onCards = new Set(
      [
        templateListCard({ templates: [release], now }),
        templateCard({ template: release, loop: LOOP, showQuestions: true, canEdit: true, now }),
        templateFormCard({ members: [] }),
        handoffFormCard({ formId: 'f', members: [], templates: [release] }),
      ].flatMap((card) => nodes(card, 'Action.Execute').map((a) => a.verb as string)),
    );
    for (const verb of verbs) expect(onCards, verb).toContain(verb);
  });
});

describe("the weekly summary's templates to improve", () => {
  const team = {
    conversationId: '19:payments@thread.v2',
    templates: [
      {
        templateId: 'tpl-1',
        name: 'Release to QA',
        posted: 6,
        accepted: 4,
        firstPassRate: 0.5,
        clarifications: 14,
        clarificationsPerHandoff: 2.4,
        othersPerHandoff: 0.8,
        improve: true,
      },
    ],
  };

  it("opens the template's card from Teams, and says where to open it in the email, where a Teams card would replace the email's", () => {
    const teams = templateSummaryElements(team, true);
    expect(nodes(teams, 'Action.Execute').map((a) => [a.title, a.verb, a.data])).toEqual([
      ['Open “Release to QA”', TEMPLATE_VERBS.show, { templateId: 'tpl-1', conversationId: '19:payments@thread.v2' }],
    ]);
    const email = templateSummaryElements(team, false);
    expect(nodes(email, 'Action.Execute')).toEqual([]);
    expect(texts(email).some((t) => t.endsWith('Type templates in that chat to open it.'))).toBe(true);
  });
});
