/**
 * The handoff form's hard rules (PRODUCT.md, "Prepare"): each wrong field gets
 * its own message, and only the wrong fields get one.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { Person } from '../../src/domain/handoff';
import {
  type FormResult,
  type HandoffFormInput,
  handoffFormInput,
  parseHandoffForm,
  splitLines,
  STAKEHOLDERS_MAX,
} from '../../src/domain/handoff-form';

const ada: Person = { aadObjectId: 'aad-ada', userId: '29:ada', name: 'Ada Lovelace' };
const grace: Person = { aadObjectId: 'aad-grace', userId: '29:grace', name: 'Grace Hopper' };
const alan: Person = { aadObjectId: 'aad-alan', userId: '29:alan', name: 'Alan Turing' };
const outsider: Person = { aadObjectId: 'aad-outsider', userId: '29:outsider', name: 'Out Sider' };

const TODAY = '2026-05-10';
const context = { members: [ada, grace, alan], sender: ada, today: TODAY };

/** A form that passes every rule; tests override one field to break one rule. */
function form(overrides: Partial<HandoffFormInput> = {}): HandoffFormInput {
  return {
    formId: 'form-1',
    summary: 'Payments retry logic is ready for QA',
    whatIsReady: 'Retry worker merged behind the payments-retry flag.',
    acceptanceCriteria: 'All retry tests pass in CI',
    assumptions: '',
    links: '',
    effort: '',
    workState: 'ready',
    blocker: '',
    neededBy: '',
    receiver: grace.aadObjectId,
    owner: '',
    stakeholders: '',
    priority: '',
    confirmed: false,
    ...overrides,
  };
}

function errorsOf(result: FormResult) {
  expect(result.ok).toBe(false);
  return result.ok ? {} : result.errors;
}

describe('parseHandoffForm: a valid form', () => {
  it('gives exactly the parsed fields, people and trimmed text', () => {
    const result = parseHandoffForm(
      form({
        summary: '  Payments retry logic is ready for QA  ',
        whatIsReady: '\n Retry worker merged behind the payments-retry flag. \n',
        acceptanceCriteria: [
          '- All retry tests pass in CI',
          '* A failed payment is retried 3 times within 10 minutes',
          '',
          '1. Dashboard shows the retry count',
          '   ',
          '[ ] Alerts fire after 3 failures',
          '2) Runbook updated',
          '\t• Flag defaults to off  ',
          '[x] Already checked item',
        ].join('\r\n'),
        assumptions: '  Staging uses the sandbox gateway.  ',
        links: ' https://github.com/org/payments/pull/42, https://example.com/doc\nhttps://tickets.example.com/PAY-7 ,,',
        effort: ' 1h 30m ',
        workState: 'inProgress',
        blocker: '  Waiting for the staging database ',
        neededBy: ' 2026-05-20 ',
        receiver: ` ${grace.aadObjectId} `,
        owner: alan.aadObjectId,
        stakeholders: ` ${alan.aadObjectId}, ${ada.aadObjectId} `,
        priority: ' urgent ',
      }),
      context,
    );
    expect(result).toEqual({
      ok: true,
      value: {
        fields: {
          summary: 'Payments retry logic is ready for QA',
          whatIsReady: 'Retry worker merged behind the payments-retry flag.',
          acceptanceCriteria: [
            'All retry tests pass in CI',
            'A failed payment is retried 3 times within 10 minutes',
            'Dashboard shows the retry count',
            'Alerts fire after 3 failures',
            'Runbook updated',
            'Flag defaults to off',
            'Already checked item',
          ],
          assumptions: 'Staging uses the sandbox gateway.',
          links: ['https://github.com/org/payments/pull/42', 'https://example.com/doc', 'https://tickets.example.com/PAY-7'],
          effortMinutes: 90,
          workState: 'inProgress',
          blocker: '',
          neededBy: '2026-05-20',
          priority: 'urgent',
        },
        receiver: grace,
        owner: alan,
        stakeholders: [alan, ada],
      },
    });
  });

  it('defaults the owner to the sender, work state to ready, priority to normal, and leaves optional fields empty', () => {
    const result = parseHandoffForm(form({ workState: '  ', priority: '  ', stakeholders: ' , ' }), context);
    expect(result).toEqual({
      ok: true,
      value: {
        fields: {
          summary: 'Payments retry logic is ready for QA',
          whatIsReady: 'Retry worker merged behind the payments-retry flag.',
          acceptanceCriteria: ['All retry tests pass in CI'],
          assumptions: '',
          links: [],
          effortMinutes: undefined,
          workState: 'ready',
          blocker: '',
          neededBy: undefined,
          priority: 'normal',
        },
        receiver: grace,
        owner: ada,
        stakeholders: [],
      },
    });
  });

  it('keeps the sender as default owner even when the sender is not in the member list', () => {
    const result = parseHandoffForm(form(), { members: [grace], sender: ada, today: TODAY });
    expect(result.ok && result.value.owner).toEqual(ada);
  });

  it('keeps the blocker, trimmed, only when the work is blocked', () => {
    const blocked = parseHandoffForm(form({ workState: 'blocked', blocker: '  Waiting for the staging database ' }), context);
    expect(blocked.ok && blocked.value.fields.workState).toBe('blocked');
    expect(blocked.ok && blocked.value.fields.blocker).toBe('Waiting for the staging database');
    const ready = parseHandoffForm(form({ workState: 'ready', blocker: 'Waiting for the staging database' }), context);
    expect(ready.ok && ready.value.fields.blocker).toBe('');
  });

  it('accepts a needed-by date of today, and a summary of exactly 200 characters', () => {
    const result = parseHandoffForm(form({ neededBy: TODAY, summary: 'a'.repeat(200) }), context);
    expect(result.ok && result.value.fields.neededBy).toBe(TODAY);
    expect(result.ok && result.value.fields.summary).toBe('a'.repeat(200));
  });

  it('accepts an owner who is also the sender, and refuses a handoff to oneself', () => {
    const owned = parseHandoffForm(form({ owner: ada.aadObjectId }), context);
    expect(owned.ok && owned.value.owner).toEqual(ada);
    expect(errorsOf(parseHandoffForm(form({ receiver: ada.aadObjectId }), context))).toEqual({
      receiver: 'You cannot hand work to yourself: choose who takes it over.',
    });
  });

  it('accepts a summary that is one sentence with dots and a final full stop', () => {
    const result = parseHandoffForm(form({ summary: 'Release v1.2.3 of payments.js is ready for QA.' }), context);
    expect(result.ok).toBe(true);
  });

  it('works on input shaped by the zod schema (absent values become empty strings)', () => {
    const input = handoffFormInput.parse({
      formId: 'form-2',
      summary: 'Ready for QA',
      whatIsReady: 'Merged.',
      acceptanceCriteria: '- tests pass',
      receiver: grace.aadObjectId,
    });
    const result = parseHandoffForm(input, context);
    expect(result.ok && result.value.fields).toEqual({
      summary: 'Ready for QA',
      whatIsReady: 'Merged.',
      acceptanceCriteria: ['tests pass'],
      assumptions: '',
      links: [],
      effortMinutes: undefined,
      workState: 'ready',
      blocker: '',
      neededBy: undefined,
      priority: 'normal',
    });
    expect(result.ok && result.value.stakeholders).toEqual([]);
  });
});

describe('parseHandoffForm: one hard rule at a time', () => {
  const ONE_SENTENCE = 'Keep the summary to one sentence; put details in "What is ready".';
  const EFFORT = 'Effort not understood: use a number and a unit, like 30m, 4h, 2d or 1w (at most 12w).';
  const BAD_DATE = 'Give the date as YYYY-MM-DD.';
  const STAKEHOLDER_NOT_MEMBER = 'Every stakeholder must be a member of this conversation.';

  it.each<[string, Partial<HandoffFormInput>, Record<string, string>]>([
    ['summary empty', { summary: '' }, { summary: 'Write a one-sentence summary.' }],
    ['summary blank', { summary: '  \n ' }, { summary: 'Write a one-sentence summary.' }],
    ['summary over 200 characters', { summary: 'a'.repeat(201) }, { summary: 'Keep the summary to 200 characters (it has 201).' }],
    [
      'summary counted after trimming',
      { summary: `  ${'b'.repeat(250)}  ` },
      { summary: 'Keep the summary to 200 characters (it has 250).' },
    ],
    ['summary with two sentences', { summary: 'Retry logic is ready. Please review it.' }, { summary: ONE_SENTENCE }],
    ['summary with a question then a sentence', { summary: 'Is retry ready? Yes it is' }, { summary: ONE_SENTENCE }],
    ['summary with a quoted sentence end', { summary: 'He said "done." Then left' }, { summary: ONE_SENTENCE }],
    ['summary with a newline', { summary: 'Retry logic\nis ready' }, { summary: ONE_SENTENCE }],
    ['summary with a carriage return', { summary: 'Retry logic\ris ready' }, { summary: ONE_SENTENCE }],
    ['whatIsReady empty', { whatIsReady: '   ' }, { whatIsReady: 'Say what is ready: your definition of done.' }],
    [
      'whatIsReady too long',
      { whatIsReady: 'w'.repeat(1001) },
      { whatIsReady: 'Keep this to 1000 characters (it has 1001); link longer documents.' },
    ],
    ['no acceptance criterion', { acceptanceCriteria: '' }, { acceptanceCriteria: 'Add at least one acceptance criterion, one per line.' }],
    [
      'only blank criteria lines',
      { acceptanceCriteria: ' \n\t\r\n  ' },
      { acceptanceCriteria: 'Add at least one acceptance criterion, one per line.' },
    ],
    [
      'only empty bullets',
      { acceptanceCriteria: '- \n* \n1. \n[ ]' },
      { acceptanceCriteria: 'Add at least one acceptance criterion, one per line.' },
    ],
    [
      'more than 10 criteria',
      { acceptanceCriteria: Array.from({ length: 11 }, (_, i) => `check ${i}`).join('\n') },
      { acceptanceCriteria: 'Keep to 10 criteria (there are 11).' },
    ],
    [
      'a criterion over 160 characters',
      { acceptanceCriteria: `ok\n${'c'.repeat(161)}` },
      { acceptanceCriteria: 'Keep each criterion to 160 characters (criterion 2 has 161).' },
    ],
    [
      'assumptions too long',
      { assumptions: 'a'.repeat(801) },
      { assumptions: 'Keep this to 800 characters (it has 801); link longer documents.' },
    ],
    [
      'an http link',
      { links: 'https://ok.example.com http://example.com/pr/1' },
      { links: '"http://example.com/pr/1" is not an https link.' },
    ],
    ['an ftp link', { links: 'ftp://files.example.com/a.zip' }, { links: '"ftp://files.example.com/a.zip" is not an https link.' }],
    ['a javascript: link', { links: 'javascript:alert(1)' }, { links: '"javascript:alert(1)" is not an https link.' }],
    ['a bare host', { links: 'example.com/doc' }, { links: '"example.com/doc" is not an https link.' }],
    ['bare words', { links: 'see the wiki' }, { links: '"see" is not an https link.' }],
    ['https without a host', { links: 'https://' }, { links: '"https://" is not an https link.' }],
    [
      'a long bad link, cut to 80 characters',
      { links: `http://${'x'.repeat(100)}` },
      { links: `"http://${'x'.repeat(73)}" is not an https link.` },
    ],
    [
      'more than 6 links',
      { links: Array.from({ length: 7 }, (_, i) => `https://example.com/${i}`).join(' ') },
      { links: 'Keep to 6 links (there are 7).' },
    ],
    [
      'a link over 250 characters',
      { links: `https://example.com/${'p'.repeat(240)}` },
      { links: `Keep each link to 250 characters ("https://example.com/${'p'.repeat(40)}..." has 260).` },
    ],
    ['effort without a unit', { effort: '4' }, { effort: EFFORT }],
    ['effort in words', { effort: 'a while' }, { effort: EFFORT }],
    ['effort over 12 weeks', { effort: '13w' }, { effort: EFFORT }],
    ['Blocked without a blocker', { workState: 'blocked', blocker: '   ' }, { blocker: 'Name what blocks this work.' }],
    [
      'blocker over 200 characters',
      { workState: 'blocked', blocker: 'b'.repeat(201) },
      { blocker: 'Keep the blocker to 200 characters at most.' },
    ],
    ['receiver is the sender', { receiver: ada.aadObjectId }, { receiver: 'You cannot hand work to yourself: choose who takes it over.' }],
    ['unknown workState', { workState: 'done' }, { workState: 'Choose Ready, In progress or Blocked.' }],
    ['workState given as the title, not the value', { workState: 'Blocked' }, { workState: 'Choose Ready, In progress or Blocked.' }],
    ['neededBy not a calendar day', { neededBy: '2026-02-30' }, { neededBy: BAD_DATE }],
    ['neededBy with a short year', { neededBy: '26-1-1' }, { neededBy: BAD_DATE }],
    ['neededBy month 13', { neededBy: '2026-13-01' }, { neededBy: BAD_DATE }],
    ['neededBy in another format', { neededBy: '20/05/2026' }, { neededBy: BAD_DATE }],
    ['neededBy with a time', { neededBy: '2026-05-20T10:00' }, { neededBy: BAD_DATE }],
    ['neededBy yesterday', { neededBy: '2026-05-09' }, { neededBy: 'The needed-by date is in the past.' }],
    ['neededBy last year', { neededBy: '2025-12-31' }, { neededBy: 'The needed-by date is in the past.' }],
    ['receiver missing', { receiver: '  ' }, { receiver: 'Choose who receives this handoff.' }],
    ['receiver not a member', { receiver: outsider.aadObjectId }, { receiver: 'The receiver must be a member of this conversation.' }],
    [
      'receiver given by Teams user id instead of aadObjectId',
      { receiver: grace.userId },
      { receiver: 'The receiver must be a member of this conversation.' },
    ],
    ['owner not a member', { owner: outsider.aadObjectId }, { owner: 'The owner must be a member of this conversation.' }],
    [
      'a stakeholder not a member',
      { stakeholders: `${alan.aadObjectId},${outsider.aadObjectId}` },
      { stakeholders: STAKEHOLDER_NOT_MEMBER },
    ],
    ['a stakeholder given by Teams user id', { stakeholders: alan.userId }, { stakeholders: STAKEHOLDER_NOT_MEMBER }],
    ['unknown priority', { priority: 'critical' }, { priority: 'Choose normal, high or urgent.' }],
    ['priority given as the title, not the value', { priority: 'Urgent' }, { priority: 'Choose normal, high or urgent.' }],
  ])('%s', (_name, overrides, expected) => {
    const errors = errorsOf(parseHandoffForm(form(overrides), context));
    expect(Object.keys(errors).sort()).toEqual(Object.keys(expected).sort());
    expect(errors).toEqual(expected);
  });

  it('accepts the boundary values the rules allow', () => {
    const result = parseHandoffForm(
      form({
        whatIsReady: 'w'.repeat(1000),
        assumptions: 'a'.repeat(800),
        acceptanceCriteria: [`${'c'.repeat(160)}`, ...Array.from({ length: 9 }, (_, i) => `check ${i}`)].join('\n'),
        links: [`https://example.com/${'p'.repeat(230)}`, ...Array.from({ length: 5 }, (_, i) => `https://example.com/${i}`)].join(' '),
        effort: '12w',
        workState: 'blocked',
        blocker: 'b'.repeat(200),
      }),
      context,
    );
    expect(result.ok).toBe(true);
    expect(result.ok && result.value.fields.acceptanceCriteria.length).toBe(10);
    expect(result.ok && result.value.fields.links.length).toBe(6);
    expect(result.ok && result.value.fields.effortMinutes).toBe(28_800);
  });

  it('reports every failing field at once, and only those', () => {
    const errors = errorsOf(
      parseHandoffForm(
        form({
          summary: '',
          whatIsReady: '',
          acceptanceCriteria: '',
          links: 'http://example.com',
          effort: 'soon',
          workState: 'blocked',
          blocker: '',
          neededBy: '2026-05-01',
          receiver: '',
          owner: outsider.aadObjectId,
          stakeholders: outsider.aadObjectId,
          priority: 'asap',
        }),
        context,
      ),
    );
    expect(errors).toEqual({
      summary: 'Write a one-sentence summary.',
      whatIsReady: 'Say what is ready: your definition of done.',
      acceptanceCriteria: 'Add at least one acceptance criterion, one per line.',
      links: '"http://example.com" is not an https link.',
      effort: 'Effort not understood: use a number and a unit, like 30m, 4h, 2d or 1w (at most 12w).',
      blocker: 'Name what blocks this work.',
      neededBy: 'The needed-by date is in the past.',
      receiver: 'Choose who receives this handoff.',
      owner: 'The owner must be a member of this conversation.',
      stakeholders: 'Every stakeholder must be a member of this conversation.',
      priority: 'Choose normal, high or urgent.',
    });
  });
});

describe('splitLines', () => {
  it('strips one list marker per line and drops blank lines', () => {
    expect(splitLines('- a\n* b\n• c\n1. d\n12) e\n[ ] f\n[x] g\n[X] h\n[] i\n\n   \n  plain  \n- - nested')).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
      'f',
      'g',
      'h',
      'i',
      'plain',
      '- nested',
    ]);
  });
});

describe('parseHandoffForm: properties', () => {
  const members = [ada, grace, alan];
  const anyText = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }));
  /** Mostly arbitrary strings, sometimes a value that passes, so both outcomes are explored. */
  const sometimes = (good: string) => fc.oneof({ arbitrary: anyText, weight: 1 }, { arbitrary: fc.constant(good), weight: 3 });
  const arbitraryForm: fc.Arbitrary<HandoffFormInput> = fc.record({
    formId: fc.string({ minLength: 1, maxLength: 10 }),
    summary: sometimes('Ready for QA'),
    whatIsReady: sometimes('Merged.'),
    acceptanceCriteria: sometimes('- tests pass'),
    assumptions: anyText,
    links: sometimes('https://example.com/a, https://example.com/b'),
    effort: sometimes('2h'),
    workState: fc.oneof({ arbitrary: anyText, weight: 1 }, { arbitrary: fc.constantFrom('ready', 'inProgress', 'blocked', ''), weight: 3 }),
    blocker: anyText,
    neededBy: fc.oneof(anyText, fc.constantFrom('2026-05-10', '2026-05-11', '2026-05-09', '2026-02-30', '')),
    receiver: fc.oneof({ arbitrary: anyText, weight: 1 }, { arbitrary: fc.constantFrom(...members.map((m) => m.aadObjectId)), weight: 3 }),
    owner: fc.oneof({ arbitrary: anyText, weight: 1 }, { arbitrary: fc.constantFrom('', ...members.map((m) => m.aadObjectId)), weight: 3 }),
    stakeholders: fc.oneof(
      { arbitrary: anyText, weight: 1 },
      { arbitrary: fc.subarray(members.map((m) => m.aadObjectId)).map((ids) => ids.join(',')), weight: 3 },
    ),
    priority: fc.oneof({ arbitrary: anyText, weight: 1 }, { arbitrary: fc.constantFrom('normal', 'high', 'urgent', ''), weight: 3 }),
    confirmed: fc.boolean(),
  });
  const blankText = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r\n', '\u00a0', '\u2003'), maxLength: 12 });

  it('never throws; when ok, the parsed form satisfies the hard rules', () => {
    let oks = 0;
    fc.assert(
      fc.property(arbitraryForm, (input) => {
        const result = parseHandoffForm(input, { members, sender: ada, today: TODAY });
        if (splitLines(input.acceptanceCriteria).length === 0) expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(Object.keys(result.errors).length).toBeGreaterThan(0);
          return;
        }
        oks += 1;
        const { fields, receiver, owner, stakeholders } = result.value;
        expect(fields.summary.length).toBeGreaterThan(0);
        expect(fields.summary.length).toBeLessThanOrEqual(200);
        expect(fields.summary).not.toMatch(/[\r\n]/);
        expect(fields.whatIsReady).not.toBe('');
        expect(fields.acceptanceCriteria.length).toBeGreaterThan(0);
        for (const link of fields.links) expect(new URL(link).protocol).toBe('https:');
        if (fields.neededBy !== undefined) expect(fields.neededBy >= TODAY).toBe(true);
        if (fields.workState === 'blocked') expect(fields.blocker).not.toBe('');
        else expect(fields.blocker).toBe('');
        expect(members).toContainEqual(receiver);
        expect([...members, ada]).toContainEqual(owner);
        expect(['normal', 'high', 'urgent']).toContain(fields.priority);
        for (const s of stakeholders) expect(members).toContainEqual(s);
        expect(new Set(stakeholders.map((s) => s.aadObjectId)).size).toBe(stakeholders.length);
        expect(stakeholders.length).toBeLessThanOrEqual(STAKEHOLDERS_MAX);
      }),
      { numRuns: 400 },
    );
    expect(oks).toBeGreaterThan(0);
  });

  it('returns ok:false with an acceptanceCriteria error whenever acceptanceCriteria has no non-blank line', () => {
    fc.assert(
      fc.property(arbitraryForm, blankText, (input, criteria) => {
        const result = parseHandoffForm({ ...input, acceptanceCriteria: criteria }, { members, sender: ada, today: TODAY });
        expect(result.ok).toBe(false);
        expect(!result.ok && result.errors.acceptanceCriteria).toBe('Add at least one acceptance criterion, one per line.');
      }),
      { numRuns: 300 },
    );
  });
});

describe('splitLines keeps what is not a bullet', () => {
  it('keeps criteria that start with a decimal, a negative number or a dash-free word', () => {
    expect(splitLines('2.5 s p95 latency under load\n3.0 release notes published\n-5% errors\n1. Numbered item\n- Dashed item')).toEqual([
      '2.5 s p95 latency under load',
      '3.0 release notes published',
      '-5% errors',
      'Numbered item',
      'Dashed item',
    ]);
  });
});

describe('links', () => {
  it('keeps a comma inside a URL and drops one that separates links', () => {
    const result = parseHandoffForm(form({ links: 'https://example.com/a,b?x=1,2, https://example.com/c;' }), context);
    expect(result.ok && result.value.fields.links).toEqual(['https://example.com/a,b?x=1,2', 'https://example.com/c']);
  });
});

describe('links are stored in canonical form', () => {
  it('percent-encodes what a card URL may not hold', () => {
    const result = parseHandoffForm(form({ links: 'https://contoso.example/search?q={a|b} https://contoso.example/café' }), context);
    expect(result.ok && result.value.fields.links).toEqual([
      'https://contoso.example/search?q=%7Ba%7Cb%7D',
      'https://contoso.example/caf%C3%A9',
    ]);
  });
});

describe('stakeholders', () => {
  it('resolves each chosen id to its member, in the order chosen', () => {
    const result = parseHandoffForm(form({ stakeholders: `${alan.aadObjectId},${ada.aadObjectId},${grace.aadObjectId}` }), context);
    expect(result.ok && result.value.stakeholders).toEqual([alan, ada, grace]);
  });

  it('drops duplicates and blank entries, keeping the first position', () => {
    const result = parseHandoffForm(
      form({ stakeholders: ` ${alan.aadObjectId} ,, ${grace.aadObjectId},${alan.aadObjectId} , ${grace.aadObjectId},` }),
      context,
    );
    expect(result.ok && result.value.stakeholders).toEqual([alan, grace]);
  });

  it('is empty when none are chosen', () => {
    const result = parseHandoffForm(form({ stakeholders: '' }), context);
    expect(result.ok && result.value.stakeholders).toEqual([]);
  });

  it('refuses a stakeholder who is not a member, with the exact message on stakeholders only', () => {
    const errors = errorsOf(parseHandoffForm(form({ stakeholders: `${grace.aadObjectId},${outsider.aadObjectId}` }), context));
    expect(errors).toEqual({ stakeholders: 'Every stakeholder must be a member of this conversation.' });
  });

  const crowd: Person[] = Array.from({ length: STAKEHOLDERS_MAX + 1 }, (_, i) => ({
    aadObjectId: `aad-member-${i}`,
    userId: `29:member-${i}`,
    name: `Member ${i}`,
  }));
  const crowdContext = { members: [ada, grace, ...crowd], sender: ada, today: TODAY };

  it(`accepts exactly ${STAKEHOLDERS_MAX} stakeholders`, () => {
    expect(STAKEHOLDERS_MAX).toBe(10);
    const chosen = crowd.slice(0, STAKEHOLDERS_MAX);
    const result = parseHandoffForm(form({ stakeholders: chosen.map((p) => p.aadObjectId).join(',') }), crowdContext);
    expect(result.ok && result.value.stakeholders).toEqual(chosen);
  });

  it(`refuses more than ${STAKEHOLDERS_MAX} stakeholders`, () => {
    const errors = errorsOf(parseHandoffForm(form({ stakeholders: crowd.map((p) => p.aadObjectId).join(',') }), crowdContext));
    expect(errors).toEqual({ stakeholders: 'Keep to 10 stakeholders (there are 11).' });
  });

  it(`counts stakeholders after removing duplicates (${STAKEHOLDERS_MAX} distinct, some twice, is fine)`, () => {
    const chosen = crowd.slice(0, STAKEHOLDERS_MAX);
    const ids = [...chosen, ...chosen.slice(0, 5)].map((p) => p.aadObjectId).join(',');
    const result = parseHandoffForm(form({ stakeholders: ids }), crowdContext);
    expect(result.ok && result.value.stakeholders).toEqual(chosen);
  });
});

describe('priority', () => {
  it.each(['normal', 'high', 'urgent'] as const)('keeps %s', (priority) => {
    const result = parseHandoffForm(form({ priority }), context);
    expect(result.ok && result.value.fields.priority).toBe(priority);
  });

  it('defaults to normal when absent from the card data', () => {
    const input = handoffFormInput.parse({
      formId: 'f',
      summary: 'Ready for QA',
      whatIsReady: 'Merged.',
      acceptanceCriteria: 'tests pass',
      receiver: grace.aadObjectId,
    });
    expect(input.priority).toBe('');
    const result = parseHandoffForm(input, context);
    expect(result.ok && result.value.fields.priority).toBe('normal');
  });

  it('refuses an unknown priority with the exact message on priority only', () => {
    expect(errorsOf(parseHandoffForm(form({ priority: 'low' }), context))).toEqual({ priority: 'Choose normal, high or urgent.' });
  });
});

describe('handoffFormInput: confirmed', () => {
  const base = { formId: 'form-9' };
  it.each<[string, unknown, boolean]>([
    ["the string 'true'", 'true', true],
    ['the boolean true', true, true],
    ["the string 'false'", 'false', false],
    ['the boolean false', false, false],
    ['an empty string', '', false],
    ["the string 'yes'", 'yes', false],
  ])('%s gives %s', (_name, confirmed, expected) => {
    expect(handoffFormInput.parse({ ...base, confirmed }).confirmed).toBe(expected);
  });

  it('is false when absent', () => {
    expect(handoffFormInput.parse(base).confirmed).toBe(false);
  });

  it('refuses a value that is neither a boolean nor a string', () => {
    expect(handoffFormInput.safeParse({ ...base, confirmed: 1 }).success).toBe(false);
  });

  it('turns absent stakeholders and priority into empty strings', () => {
    const input = handoffFormInput.parse(base);
    expect([input.stakeholders, input.priority]).toEqual(['', '']);
  });
});
