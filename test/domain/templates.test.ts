/**
 * Team templates' rules (issue 26): the template card's hard rules and caps,
 * who may change a template, a name matched by `new <name>`, an item added
 * from a question, and what a version changed, in words.
 */
import { describe, expect, it } from 'vitest';
import {
  copyName,
  createRefusal,
  createTemplate,
  describeChange,
  editRefusal,
  matchTemplate,
  parseTemplateForm,
  templateFormInput,
  templateFormValues,
  uncheckedItems,
  withItemAdded,
} from '../../src/domain/templates';
import { ada, alan, grace } from '../support/builders';

const members = [ada, grace, alan];
const form = (values: Record<string, string>) => templateFormInput.parse(values);

describe('the template card', () => {
  it('takes a template with every field, and gives the same values back to edit it', () => {
    const input = form({
      name: '  Release   to QA ',
      description: 'A build for QA',
      whatIsReady: 'The build is on staging.',
      acceptanceCriteria: '- All smoke tests pass\n- No P1 bugs open',
      links: 'https://example.com/runbook',
      effort: '4h',
      priority: 'high',
      receiver: grace.aadObjectId,
      owner: alan.aadObjectId,
      stakeholders: `${alan.aadObjectId},${grace.aadObjectId}`,
      reviewGoal: '2h',
      minLead: '1d',
      checklist: 'Release notes written\nFeature flag off by default',
    });
    const parsed = parseTemplateForm(input, { members, others: [] });
    expect(parsed).toEqual({
      ok: true,
      fields: {
        name: 'Release to QA',
        description: 'A build for QA',
        whatIsReady: 'The build is on staging.',
        acceptanceCriteria: ['All smoke tests pass', 'No P1 bugs open'],
        assumptions: '',
        links: ['https://example.com/runbook'],
        effortMinutes: 240,
        priority: 'high',
        receiver: grace,
        owner: alan,
        stakeholders: [alan, grace],
        reviewGoalMinutes: 120,
        minLeadMinutes: 480,
        checklist: ['Release notes written', 'Feature flag off by default'],
      },
    });
    if (!parsed.ok) return;
    expect(templateFormValues(parsed.fields)).toEqual({
      ...input,
      name: 'Release to QA',
      acceptanceCriteria: 'All smoke tests pass\nNo P1 bugs open',
      minLead: '1d',
    });
  });

  it('refuses at each wrong field, with the caps in the message', () => {
    const parsed = parseTemplateForm(
      form({
        name: 'release to qa',
        description: 'd'.repeat(201),
        acceptanceCriteria: Array.from({ length: 11 }, (_, i) => `Criterion ${i}`).join('\n'),
        links: 'http://example.com',
        effort: 'soon',
        reviewGoal: '0h',
        priority: 'asap',
        receiver: 'aad-stranger',
        checklist: Array.from({ length: 16 }, (_, i) => `Item ${i}`).join('\n'),
      }),
      { members, others: [{ name: 'Release to QA' }] },
    );
    expect(parsed).toEqual({
      ok: false,
      errors: {
        name: 'This conversation already has a template named "release to qa".',
        description: 'Keep the description to 200 characters (it has 201).',
        acceptanceCriteria: 'Keep to 10 criteria (there are 11).',
        links: '"http://example.com" is not an https link.',
        effort: 'Effort not understood: use a number and a unit, like 4h, 2d or 1w.',
        reviewGoal: 'Review goal not understood: use a number and a unit, like 4h, 2d or 1w.',
        priority: 'Choose normal, high or urgent.',
        receiver: 'The receiver must be a member of this conversation.',
        checklist: 'Keep to 15 checklist items (there are 16).',
      },
    });
  });

  it("takes people as a client's picker names them: by Entra object id or by Teams user id (the Agents Playground's)", () => {
    const parsed = parseTemplateForm(
      form({
        name: 'Release to QA',
        receiver: grace.userId,
        owner: alan.aadObjectId,
        stakeholders: `${ada.userId},${alan.userId},${alan.aadObjectId}`,
      }),
      { members, others: [] },
    );
    expect(parsed).toMatchObject({ ok: true, fields: { receiver: grace, owner: alan, stakeholders: [ada, alan] } });
    if (parsed.ok) expect(templateFormValues(parsed.fields)).toMatchObject({ receiver: grace.aadObjectId });
  });

  it('needs a name, and holds each checklist item to 160 characters', () => {
    const parsed = parseTemplateForm(form({ checklist: `Short\n${'x'.repeat(161)}` }), { members, others: [] });
    expect(parsed).toEqual({
      ok: false,
      errors: {
        name: 'Give the template a name, like "Release to QA".',
        checklist: 'Keep each checklist item to 160 characters (item 2 has 161).',
      },
    });
  });

  it('names a duplicate so that no two templates share a name', () => {
    expect(copyName('Release to QA', [{ name: 'Release to QA' }])).toBe('Release to QA (copy)');
    expect(copyName('Release to QA', [{ name: 'Release to QA (copy)' }])).toBe('Release to QA (copy 2)');
    expect(copyName('x'.repeat(60), [])).toBe(`${'x'.repeat(53)} (copy)`);
  });
});

describe('who may change a template', () => {
  const template = { author: ada, name: 'Release to QA' };
  it.each([
    ['its author, in a channel', ada, 'channel', false, undefined],
    ['an owner of the team', grace, 'channel', true, undefined],
    [
      'a plain member of the team',
      grace,
      'channel',
      false,
      'Only Ada Lovelace, who made "Release to QA", or an owner of the team can change it.',
    ],
    ['any member of a group chat', grace, 'groupChat', false, undefined],
    ['someone else, in a personal chat', grace, 'personal', false, 'Only Ada Lovelace, who made "Release to QA", can change it.'],
  ] as const)('%s', (_what, who, kind, teamOwner, refusal) => {
    expect(editRefusal(template, who, { kind, teamOwner })).toBe(refusal);
  });

  it('a conversation keeps 20 templates at most', () => {
    expect(createRefusal(19)).toBeUndefined();
    expect(createRefusal(20)).toBe('This conversation has 20 templates, the most it can keep: delete one it no longer uses first.');
  });
});

describe('new <name>', () => {
  const templates = [{ name: 'Release to QA' }, { name: 'Release to production' }, { name: 'Design review' }, { name: 'Review' }];
  it('finds the template named, or the only one that starts with or contains the words', () => {
    expect(matchTemplate(templates, 'review')).toEqual({ name: 'Review' });
    expect(matchTemplate(templates, 'release to q')).toEqual({ name: 'Release to QA' });
    expect(matchTemplate(templates, 'design')).toEqual({ name: 'Design review' });
    expect(matchTemplate(templates, 'PRODUCTION')).toEqual({ name: 'Release to production' });
  });
  it('gives the candidates when several match, and none when nothing does', () => {
    expect(matchTemplate(templates, 'release')).toEqual([{ name: 'Release to QA' }, { name: 'Release to production' }]);
    expect(matchTemplate(templates, 'month-end')).toEqual([]);
  });
});

describe('the loop: a question added to the template', () => {
  const t = createTemplate({
    id: 't1',
    tenantId: 't',
    conversationId: 'c',
    by: ada,
    at: '2026-05-04T09:00:00.000Z',
    fields: {
      name: 'Release to QA',
      description: '',
      whatIsReady: '',
      acceptanceCriteria: [],
      assumptions: '',
      links: [],
      effortMinutes: undefined,
      priority: 'normal',
      receiver: undefined,
      owner: undefined,
      stakeholders: [],
      reviewGoalMinutes: undefined,
      minLeadMinutes: undefined,
      checklist: ['Release notes written'],
    },
  });
  it('adds the question as the last item, cut at a word to the cap', () => {
    expect(withItemAdded(t, 'checklist', '  Which   feature flag?  ')).toMatchObject({
      ok: true,
      item: 'Which feature flag?',
      fields: { checklist: ['Release notes written', 'Which feature flag?'] },
    });
    const long = withItemAdded(t, 'acceptanceCriteria', `${'word '.repeat(40)}end`);
    expect(long.ok && long.item.length <= 160 && long.item.endsWith('word…')).toBe(true);
  });
  it('refuses one the list has, and a full list', () => {
    expect(withItemAdded(t, 'checklist', 'release notes written')).toEqual({ ok: false, message: 'The checklist already has it.' });
    const full = { ...t, checklist: Array.from({ length: 15 }, (_, i) => `Item ${i}`) };
    expect(withItemAdded(full, 'checklist', 'One more?')).toEqual({
      ok: false,
      message: 'The checklist is full (15 items): edit the template to make room.',
    });
  });
  it('says what a version changed', () => {
    expect(describeChange(t, { ...t, name: 'QA release', checklist: [], priority: 'urgent' })).toBe(
      'changed the name, the priority and the checklist',
    );
    expect(describeChange(t, t)).toBe('saved it unchanged');
  });
});

describe('the checklist on the form', () => {
  it('names each item left unticked', () => {
    expect([...uncheckedItems(['A', 'B', 'C'], [true, false])].map(([i]) => i)).toEqual([1, 2]);
    expect(uncheckedItems(['A'], [true]).size).toBe(0);
  });
});
