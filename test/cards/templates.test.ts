/**
 * Every template in cards/, rendered through the real view builders in each
 * state, validated against the Adaptive Cards 1.5 schema; user text stays
 * text; verbs in the templates and the handlers agree.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json';
import { beforeAll, describe, expect, it } from 'vitest';
import { VERBS } from '../../src/bot/card-actions';
import { FORM_FIELDS, handoffCard, handoffFormCard, MAX_REFRESH_USERS } from '../../src/cards/handoff-cards';
import type { AdaptiveCard } from '../../src/cards/render';
import { type Handoff, type HandoffFields, type Person, postHandoff } from '../../src/domain/handoff';
import type { FieldErrors } from '../../src/domain/handoff-form';
import { review } from '../../src/domain/review';
import { PROJECT_ROOT } from '../../src/host/processes';

const CARDS_DIR = join(PROJECT_ROOT, 'cards');
const SCHEMA_PATH = '/work/shared/schemas/adaptive-card-1.5.schema.json';

const ada: Person = { aadObjectId: '00000000-0000-0000-0000-0000000000a1', userId: '29:1ada-lovelace', name: 'Ada Lovelace' };
const grace: Person = { aadObjectId: '00000000-0000-0000-0000-0000000000b2', userId: '29:1grace-hopper', name: 'Grace Hopper' };
const alan: Person = { aadObjectId: '00000000-0000-0000-0000-0000000000c3', userId: '29:1alan-turing', name: 'Alan Turing' };

/** User text that looks like a binding, markdown and a mention: it must stay exactly this. */
const HOSTILE_SUMMARY = 'Retry ${receiver.name} **x** [a](https://evil) <at>x</at>';

// ---------------------------------------------------------------------------
// Walking cards

type Node = Record<string, unknown>;

function walk(node: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(node)) node.forEach((child) => walk(child, visit));
  else if (node && typeof node === 'object') {
    visit(node as Node);
    Object.values(node as Node).forEach((child) => walk(child, visit));
  }
}

function nodesOfType(card: unknown, type: string): Node[] {
  const found: Node[] = [];
  walk(card, (node) => {
    if (node.type === type) found.push(node);
  });
  return found;
}

/** Every string anywhere in the card, keys aside. */
function allStrings(card: unknown): string[] {
  const strings: string[] = [];
  const visit = (value: unknown) => {
    if (typeof value === 'string') strings.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(card);
  return strings;
}

const textRuns = (card: unknown) => nodesOfType(card, 'TextRun').map((n) => n.text as string);
const textBlocks = (card: unknown) => nodesOfType(card, 'TextBlock').map((n) => n.text as string);
const verbsOf = (card: unknown) => nodesOfType(card, 'Action.Execute').map((n) => n.verb as string);
const factsOf = (card: unknown) =>
  Object.fromEntries(nodesOfType(card, 'FactSet').flatMap((n) => (n.facts as { title: string; value: string }[]).map((f) => [f.title, f.value])));

// ---------------------------------------------------------------------------
// The schema

let validateCard: ValidateFunction;

/** RFC 3986 characters: unreserved, reserved, and percent-escapes. */
const URI_CHARACTERS = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;

/** RFC 3986 URI: a scheme, then URI characters only. */
function isUri(value: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) && URI_CHARACTERS.test(value);
}

/** RFC 3986 URI-reference: URI characters only. */
function isUriReference(value: string): boolean {
  return URI_CHARACTERS.test(value);
}

beforeAll(() => {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  // The schema declares draft-06 but names itself with draft-04's "id"; Ajv 8 only reads "$id".
  const { id, ...rest } = schema;
  expect(id).toBe('http://adaptivecards.io/schemas/adaptive-card.json');
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(draft06);
  // The schema's two formats, checked for real (ajv-formats is not installed).
  ajv.addFormat('uri', isUri);
  ajv.addFormat('uri-reference', isUriReference);
  validateCard = ajv.compile({ $id: id as string, ...rest });
});

/**
 * Validates a rendered card. `msteams` is Teams' documented extension of the
 * top-level card (width, mention entities); the core schema does not know it,
 * so it is checked separately and left out here.
 */
function expectValidCard(card: AdaptiveCard): void {
  const { msteams: _msteams, ...core } = card;
  const valid = validateCard(core);
  expect(validateCard.errors ?? [], JSON.stringify(validateCard.errors, null, 1)).toEqual([]);
  expect(valid).toBe(true);
  expect(card.version).toBe('1.5');
  expect(card.type).toBe('AdaptiveCard');
}

// ---------------------------------------------------------------------------
// Building handoffs

const FULL: HandoffFields = {
  summary: 'Payments retry logic is ready for QA',
  whatIsReady: 'Retry worker merged behind the payments-retry flag.',
  acceptanceCriteria: ['All retry tests pass in CI', 'A failed payment is retried 3 times within 10 minutes'],
  assumptions: 'Staging uses the sandbox gateway.',
  links: ['https://github.com/contoso/payments/pull/42', 'https://contoso.example/runbooks/retry?x=1&y=2'],
  effortMinutes: 90,
  workState: 'inProgress',
  blocker: '',
  neededBy: '2026-04-01',
};

const MINIMAL: HandoffFields = {
  ...FULL,
  assumptions: '',
  links: [],
  effortMinutes: undefined,
  workState: 'ready',
  blocker: '',
  neededBy: undefined,
};

const BLOCKED: HandoffFields = { ...FULL, workState: 'blocked', blocker: 'Waiting for the staging database' };

const VARIANTS = { full: FULL, minimal: MINIMAL, blocked: BLOCKED } as const;
type Variant = keyof typeof VARIANTS;

const STATUSES = ['inReview', 'accepted', 'changesRequested'] as const;
type StatusName = (typeof STATUSES)[number];

function makeHandoff(fields: HandoffFields, status: StatusName = 'inReview', people = { sender: ada, receiver: grace, owner: alan }): Handoff {
  const { handoff } = postHandoff({
    id: 'tenant-1~handoff-1',
    tenantId: 'tenant-1',
    fields,
    ...people,
    conversation: { id: '19:chat', serviceUrl: 'https://smba.trafficmanager.net/amer/' },
    at: '2026-03-02T10:15:42.123Z',
  });
  if (status === 'inReview') return handoff;
  const result =
    status === 'accepted'
      ? review(handoff, 'accept', people.receiver, '2026-03-03T11:22:33.000Z')
      : review(handoff, 'requestChanges', people.receiver, '2026-03-03T11:22:33.000Z', 'Add the rollback steps.');
  if (!result.ok) throw new Error(result.refusal.message);
  return result.handoff;
}

const VIEWERS = { receiver: grace, sender: ada, none: undefined } as const;
type ViewerName = keyof typeof VIEWERS;

interface HandoffCase {
  status: StatusName;
  variant: Variant;
  viewer: ViewerName;
  notice: string;
}

const HANDOFF_CASES: HandoffCase[] = STATUSES.flatMap((status) =>
  (Object.keys(VARIANTS) as Variant[]).flatMap((variant) =>
    (Object.keys(VIEWERS) as ViewerName[]).flatMap((viewer) =>
      ['', 'This handoff was already accepted by Grace Hopper.'].map((notice) => ({ status, variant, viewer, notice })),
    ),
  ),
);

const renderCase = (c: HandoffCase) => handoffCard(makeHandoff(VARIANTS[c.variant], c.status), VIEWERS[c.viewer], c.notice);

const EVERY_ERROR: FieldErrors = Object.fromEntries(FORM_FIELDS.map((field) => [field, `Problem with ${field}.`]));

// ---------------------------------------------------------------------------

describe('the templates in cards/', () => {
  const templates = readdirSync(CARDS_DIR).filter((f) => f.endsWith('.json')).sort();
  const templateJson = (file: string) => JSON.parse(readFileSync(join(CARDS_DIR, file), 'utf8')) as unknown;

  it('are the ones these tests render through a builder', () => {
    expect(templates).toEqual(['handoff-form.json', 'handoff.json']);
  });

  it('use only verbs the bot handles', () => {
    const handled = new Set<string>(Object.values(VERBS));
    const used = templates.flatMap((file) => verbsOf(templateJson(file)));
    expect(used.length).toBeGreaterThan(0);
    for (const verb of used) expect(handled, `verb "${verb}"`).toContain(verb);
  });

  it('use every verb the bot handles, the refresh verb in refresh.action', () => {
    const used = new Set(templates.flatMap((file) => verbsOf(templateJson(file))));
    for (const verb of Object.values(VERBS)) expect(used, `verb "${verb}"`).toContain(verb);
    const handoffTemplate = templateJson('handoff.json') as { refresh: { action: { type: string; verb: string } } };
    expect(handoffTemplate.refresh.action).toMatchObject({ type: 'Action.Execute', verb: VERBS.refresh });
    // The refresh verb appears nowhere else: it is not a button.
    const elsewhere = templates.flatMap((file) => {
      const { refresh: _refresh, ...rest } = templateJson(file) as Record<string, unknown>;
      return verbsOf(rest);
    });
    expect(elsewhere).not.toContain(VERBS.refresh);
  });

  it('declare version 1.5', () => {
    for (const file of templates) expect((templateJson(file) as { version: string }).version, file).toBe('1.5');
  });
});

describe('the schema check', () => {
  it('rejects cards that are not valid Adaptive Cards', () => {
    const bad: unknown[] = [
      { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'x', color: 'Purple' }] },
      { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Input.Text', label: 'no id' }] },
      { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Blink', text: 'x' }] },
      { type: 'AdaptiveCard', version: '1.5', actions: [{ type: 'Action.OpenUrl', title: 'x', url: 'not a url' }] },
      { type: 'AdaptiveCard', version: '1.5', refresh: { action: { type: 'Action.Execute', verb: 'x' }, userIds: 'not-an-array' } },
    ];
    for (const card of bad) expect(validateCard(card), JSON.stringify(card)).toBe(false);
    expect(validateCard({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'x', color: 'Good' }] })).toBe(true);
  });
});

describe('the handoff form', () => {
  it('renders empty, without any error or message, as a valid card', () => {
    const card = handoffFormCard({ formId: 'form-1', members: [ada, grace, alan] });
    expectValidCard(card);
    expect(allStrings(card).filter((s) => s.includes('${'))).toEqual([]);
    expect(nodesOfType(card, 'RichTextBlock')).toEqual([]);
    expect(nodesOfType(card, 'Container')).toEqual([]);
    const inputs = [...nodesOfType(card, 'Input.Text'), ...nodesOfType(card, 'Input.Date'), ...nodesOfType(card, 'Input.ChoiceSet')];
    expect(inputs.map((i) => i.id).sort()).toEqual([...FORM_FIELDS].sort());
    const values = Object.fromEntries(inputs.map((i) => [i.id, i.value]));
    expect(values).toEqual({ ...Object.fromEntries(FORM_FIELDS.map((f) => [f, ''])), workState: 'ready' });
    const receiver = inputs.find((i) => i.id === 'receiver')!;
    expect(receiver.choices).toEqual([
      { title: 'Ada Lovelace', value: ada.aadObjectId },
      { title: 'Grace Hopper', value: grace.aadObjectId },
      { title: 'Alan Turing', value: alan.aadObjectId },
    ]);
    const [action] = nodesOfType(card, 'Action.Execute');
    expect(action).toMatchObject({ verb: VERBS.createHandoff, data: { formId: 'form-1' } });
    expect(verbsOf(card)).toEqual([VERBS.createHandoff]);
  });

  it('renders an error at every field and the message, keeping the values, as a valid card', () => {
    const values = {
      summary: 'Payments retry logic is ready for QA. Really',
      whatIsReady: 'Merged.',
      acceptanceCriteria: '',
      assumptions: 'x'.repeat(50),
      links: 'http://insecure.example',
      effort: '3 fortnights',
      workState: 'paused',
      blocker: '',
      neededBy: '2020-01-01',
      receiver: 'someone-else',
      owner: 'nobody',
    };
    const card = handoffFormCard({ formId: 'form-2', members: [ada, grace], values, errors: EVERY_ERROR, message: 'Fix the fields marked below.' });
    expectValidCard(card);
    expect(allStrings(card).filter((s) => s.includes('${'))).toEqual([]);
    const runs = textRuns(card);
    expect(runs).toEqual(['Fix the fields marked below.', ...[
      'summary', 'whatIsReady', 'acceptanceCriteria', 'assumptions', 'links', 'effort', 'neededBy', 'workState', 'blocker', 'receiver', 'owner',
    ].map((f) => `Problem with ${f}.`)]);
    for (const run of nodesOfType(card, 'TextRun')) expect(run.color).toBe('Attention');
    const inputs = [...nodesOfType(card, 'Input.Text'), ...nodesOfType(card, 'Input.Date'), ...nodesOfType(card, 'Input.ChoiceSet')];
    expect(Object.fromEntries(inputs.map((i) => [i.id, i.value]))).toEqual(values);
    expect(nodesOfType(card, 'Container')).toHaveLength(1);
  });

  it('keeps binding-like user values as typed', () => {
    const card = handoffFormCard({
      formId: 'form-3',
      members: [ada],
      values: { summary: HOSTILE_SUMMARY, links: '${members}', blocker: '${formId}' },
      errors: { summary: 'Summary ${values.summary} is wrong' },
    });
    expectValidCard(card);
    const inputs = Object.fromEntries(nodesOfType(card, 'Input.Text').map((i) => [i.id, i.value]));
    expect(inputs.summary).toBe(HOSTILE_SUMMARY);
    expect(inputs.links).toBe('${members}');
    expect(inputs.blocker).toBe('${formId}');
    expect(textRuns(card)).toEqual(['Summary ${values.summary} is wrong']);
    expect(allStrings(card).filter((s) => s.includes('${')).sort()).toEqual([HOSTILE_SUMMARY, '${formId}', '${members}', 'Summary ${values.summary} is wrong'].sort());
  });
});

describe('the handoff card', () => {
  it.each(HANDOFF_CASES.map((c) => [`${c.status}, ${c.variant}, viewer ${c.viewer}${c.notice ? ', with a notice' : ''}`, c] as const))(
    'renders %s as a valid card',
    (_name, c) => {
      const card = renderCase(c);
      expectValidCard(card);
      expect(allStrings(card).filter((s) => s.includes('${'))).toEqual([]);

      const handoff = makeHandoff(VARIANTS[c.variant], c.status);
      const refresh = card.refresh as { action: Node; userIds: string[] };
      expect(refresh.action).toEqual({ type: 'Action.Execute', title: 'Refresh', verb: VERBS.refresh, data: { handoffId: handoff.id } });
      expect(refresh.userIds).toEqual([grace.userId, ada.userId, alan.userId]);

      const canReview = c.status === 'inReview' && c.viewer === 'receiver';
      expect(verbsOf(card)).toEqual(canReview ? [VERBS.refresh, VERBS.accept, VERBS.requestChanges] : [VERBS.refresh]);
      expect(nodesOfType(card, 'Input.Text').map((i) => i.id)).toEqual(canReview ? ['comment'] : []);
      for (const action of nodesOfType(card, 'Action.Execute')) expect(action.data).toEqual({ handoffId: handoff.id });

      const runs = textRuns(card);
      const blocks = textBlocks(card);
      expect(blocks).toContain('<at>Grace Hopper</at>, this handoff is for you.');
      // Display names are text runs, never markdown.
      expect(runs).toEqual(expect.arrayContaining(['From ', 'Ada Lovelace', ' · Owner ', 'Alan Turing']));
      expect(blocks.filter((b) => b.includes('Ada Lovelace') || b.includes('Alan Turing'))).toEqual([]);
      expect(blocks).toContain({ inReview: 'In review', accepted: 'Accepted', changesRequested: 'Changes requested' }[c.status]);
      expect(runs).toContain('Payments retry logic is ready for QA');
      expect(runs.filter((r) => r.startsWith('☐ '))).toEqual(FULL.acceptanceCriteria.map((a) => `☐ ${a}`));

      const fields = VARIANTS[c.variant];
      expect(factsOf(card)).toEqual({
        'Work state': { ready: 'Ready', inProgress: 'In progress', blocked: 'Blocked' }[fields.workState],
        Effort: fields.effortMinutes === undefined ? 'Not estimated' : '1h 30m',
        'Needed by': fields.neededBy ?? 'No date',
        Posted: '{{DATE(2026-03-02T10:15:42Z, SHORT)}} {{TIME(2026-03-02T10:15:42Z)}}',
      });

      // Assumptions and links, only when given.
      expect(blocks.includes('Assumptions and known issues')).toBe(fields.assumptions !== '');
      expect(runs.includes('Staging uses the sandbox gateway.')).toBe(fields.assumptions !== '');
      expect(blocks.includes('Dependencies and links')).toBe(fields.links.length > 0);
      const openUrls = nodesOfType(card, 'Action.OpenUrl').map((a) => a.url);
      expect(openUrls).toEqual(fields.links);
      // The blocker, decision, notice and review sections, in order, each only when it applies.
      const containers = nodesOfType(card, 'Container').map((n) => ({ style: n.style, runs: textRuns(n) }));
      expect(containers).toEqual([
        ...(c.variant === 'blocked' ? [{ style: 'attention', runs: ['Blocked by: ', 'Waiting for the staging database'] }] : []),
        ...{
          inReview: [],
          accepted: [{ style: 'good', runs: ['Accepted by Grace Hopper on 2026-03-03 11:22 UTC'] }],
          changesRequested: [{ style: 'warning', runs: ['Changes requested by Grace Hopper on 2026-03-03 11:22 UTC', 'Add the rollback steps.'] }],
        }[c.status],
        ...(c.notice ? [{ style: 'warning', runs: [c.notice] }] : []),
        ...(canReview ? [{ style: undefined, runs: [] }] : []),
      ]);

      expect(card.msteams).toEqual({
        width: 'Full',
        entities: [{ type: 'mention', text: '<at>Grace Hopper</at>', mentioned: { id: grace.userId, name: 'Grace Hopper' } }],
      });
    },
  );

  it('shows user text verbatim as TextRuns: no binding, markdown or mention is evaluated', () => {
    const fields: HandoffFields = {
      ...BLOCKED,
      summary: HOSTILE_SUMMARY,
      whatIsReady: 'Done: ${sender.name} and **bold**',
      acceptanceCriteria: ['${$root.id}', '<at>Ada Lovelace</at> approves'],
      assumptions: '${assumptions}',
      blocker: '${blocker} [click](https://evil)',
    };
    const card = handoffCard(makeHandoff(fields), grace, 'Notice ${notice}');
    expectValidCard(card);
    const runs = textRuns(card);
    expect(runs).toContain(HOSTILE_SUMMARY);
    expect(runs).toContain('Done: ${sender.name} and **bold**');
    expect(runs).toContain('☐ ${$root.id}');
    expect(runs).toContain('☐ <at>Ada Lovelace</at> approves');
    expect(runs).toContain('${assumptions}');
    expect(runs).toContain('${blocker} [click](https://evil)');
    expect(runs).toContain('Notice ${notice}');
    // The summary is nowhere evaluated: not with the receiver's name, not in a TextBlock (which reads markdown).
    expect(allStrings(card).filter((s) => s.includes('Retry '))).toEqual([HOSTILE_SUMMARY]);
    for (const block of textBlocks(card)) {
      expect(block).not.toContain('**x**');
      expect(block).not.toContain('[a](https://evil)');
      expect(block).not.toContain('<at>x</at>');
      expect(block).not.toContain('${');
    }
    // Every "${" left is one of the values put there above.
    expect(allStrings(card).filter((s) => s.includes('${')).sort()).toEqual(
      [HOSTILE_SUMMARY, 'Done: ${sender.name} and **bold**', '☐ ${$root.id}', '${assumptions}', '${blocker} [click](https://evil)', 'Notice ${notice}'].sort(),
    );
    // The only mention entity is the receiver's.
    expect((card.msteams as { entities: unknown[] }).entities).toHaveLength(1);
  });

  it('lists each person once in refresh.userIds, at most 60', () => {
    const cases: [Record<'sender' | 'receiver' | 'owner', Person>, string[]][] = [
      [{ sender: ada, receiver: grace, owner: alan }, [grace.userId, ada.userId, alan.userId]],
      [{ sender: ada, receiver: grace, owner: ada }, [grace.userId, ada.userId]],
      [{ sender: ada, receiver: ada, owner: ada }, [ada.userId]],
    ];
    for (const [people, expected] of cases) {
      for (const status of STATUSES) {
        const card = handoffCard(makeHandoff(FULL, status, people), people.receiver);
        expectValidCard(card);
        const { userIds } = card.refresh as { userIds: string[] };
        expect(userIds).toEqual(expected);
        expect(new Set(userIds).size).toBe(userIds.length);
        expect(userIds.length).toBeLessThanOrEqual(MAX_REFRESH_USERS);
      }
    }
    expect(MAX_REFRESH_USERS).toBe(60);
  });

  it('offers the review to the receiver who is also the sender, while in review', () => {
    const handoff = makeHandoff(FULL, 'inReview', { sender: ada, receiver: ada, owner: ada });
    expect(verbsOf(handoffCard(handoff, ada))).toEqual([VERBS.refresh, VERBS.accept, VERBS.requestChanges]);
    expect(verbsOf(handoffCard(handoff, grace))).toEqual([VERBS.refresh]);
  });
});
