/**
 * Every template in cards/, rendered through the real view builders in each
 * state and for each viewer, validated against the Adaptive Cards 1.5
 * schema; each view shows exactly the buttons its viewer may use; user text
 * stays text; verbs in the templates and the handlers agree. Every card
 * rendered here is also expanded by adaptivecards-templating, the library
 * whose rules src/cards/template.ts implements, and must come out the same.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { expectValidCard, isValidCard } from '../support/card-schema';
import { TEMPLATE_VERBS, VERBS } from '../../src/cards/verbs';
import { FORM_FIELDS, formValuesOf, handoffCard, handoffFormCard, MAX_REFRESH_USERS } from '../../src/cards/handoff-cards';
import { myHandoffsCard } from '../../src/cards/my-handoffs-card';
import { handoffLink, notificationCard } from '../../src/cards/notification-card';
import { handoffResultCard } from '../../src/cards/handoff-result-card';
import { awayCard, awayNoticeCard } from '../../src/cards/away-card';
import type { AdaptiveCard } from '../../src/cards/render';
import {
  type Handoff,
  type HandoffEvent,
  type HandoffFields,
  listingOf,
  type Person,
  postHandoff,
  type Status,
  STATUSES,
  WORK_STATE_LABELS,
} from '../../src/domain/handoff';
import type { FieldErrors } from '../../src/domain/handoff-form';
import { DEFAULT_DUE_POLICY, nextDueState } from '../../src/domain/due';
import { apply, type Command } from '../../src/domain/process';
import { DEFAULT_WORKING_HOURS } from '../../src/domain/working-hours';
import { PROJECT_ROOT } from '../../src/project';

const CARDS_DIR = join(PROJECT_ROOT, 'cards');

/** How many renders were compared with the library's expansion of the same template and data. */
const compared = vi.hoisted(() => ({ renders: 0 }));
vi.mock('../../src/cards/render', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/cards/render')>();
  const { Template } = await import('adaptivecards-templating');
  const parsed = new Map<object, InstanceType<typeof Template>>();
  return {
    ...actual,
    renderCard: (template: object, data: object) => {
      const card = actual.renderCard(template, data);
      if (!parsed.has(template)) parsed.set(template, new Template(template));
      expect(card, 'the same card as adaptivecards-templating renders').toEqual(parsed.get(template)?.expand({ $root: data }));
      compared.renders++;
      return card;
    },
  };
});
afterAll(() => {
  // Every card of every case below: the comparison above ran on each of them.
  expect(compared.renders).toBeGreaterThan(150);
});

const ada: Person = { aadObjectId: '00000000-0000-0000-0000-0000000000a1', userId: '29:1ada-lovelace', name: 'Ada Lovelace' };
const grace: Person = { aadObjectId: '00000000-0000-0000-0000-0000000000b2', userId: '29:1grace-hopper', name: 'Grace Hopper' };
const alan: Person = { aadObjectId: '00000000-0000-0000-0000-0000000000c3', userId: '29:1alan-turing', name: 'Alan Turing' };
const barbara: Person = { aadObjectId: '00000000-0000-0000-0000-0000000000d4', userId: '29:1barbara-liskov', name: 'Barbara Liskov' };
const eve: Person = { aadObjectId: '00000000-0000-0000-0000-0000000000e5', userId: '29:1eve', name: 'Eve Stranger' };
const hedy: Person = { aadObjectId: '00000000-0000-0000-0000-0000000000f6', userId: '29:1hedy-lamarr', name: 'Hedy Lamarr' };

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
const INPUT_TYPES = ['Input.Text', 'Input.Date', 'Input.ChoiceSet', 'Input.Toggle', 'Input.Number', 'Input.Time'];
function inputsOf(card: unknown): Node[] {
  const found: Node[] = [];
  walk(card, (node) => {
    if (INPUT_TYPES.includes(node.type as string)) found.push(node);
  });
  return found;
}
const sorted = <T>(items: readonly T[]) => [...items].sort();
/** The client's DATE and TIME of an instant, as Baton writes them for a TextBlock. */
const at = (iso: string) => `{{DATE(${iso}, SHORT)}} {{TIME(${iso})}}`;
/** The attention box's runs, or [] when the card has none (the turn line may be one). */
const boxOf = (card: unknown) => textRuns(nodesOfType(card, 'Container').find((n) => n.id === 'attention') ?? {});
/** The lines under the facts: the other attention facts and what a new version answers, each [title, text, when]. */
const notesOf = (card: unknown) =>
  nodesOfType(
    nodesOfType(card, 'Container').find((n) => n.id === 'content'),
    'ColumnSet',
  ).map((row) => [...textRuns((row.columns as Node[])[0]), ...textBlocks((row.columns as Node[])[1] ?? {})].filter((t) => t !== ''));
/** The remarks: one line each, [title, text]. */
const remarksOf = (card: unknown) =>
  nodesOfType(card, 'RichTextBlock')
    .filter((n) => n.separator === true)
    .map((n) => textRuns(n));
/** The styled containers: the turn line, the attention box, the notice; not the status pill. */
const alertsOf = (card: unknown) => nodesOfType(card, 'Container').filter((n) => n.style !== undefined && !String(n.id).endsWith('Pill'));

// ---------------------------------------------------------------------------
// Building handoffs through the process

const T_POST = '2026-03-02T10:15:42.123Z';
const T_UNBLOCK = '2026-03-03T11:00:00.000Z';
const T_DECIDE = '2026-03-03T11:22:33.000Z';
const T_REBLOCK = '2026-03-03T11:30:00.000Z';
const T_CLOSE = '2026-03-04T08:00:00.000Z';

const FULL: HandoffFields = {
  summary: 'Payments retry logic is ready for QA',
  whatIsReady: 'Retry worker merged behind the payments-retry flag.',
  acceptanceCriteria: [
    'All retry tests pass in CI',
    'A failed payment is retried 3 times within 10 minutes',
    'Dashboard shows the retry count',
  ],
  assumptions: 'Staging uses the sandbox gateway.',
  links: ['https://github.com/contoso/payments/pull/42', 'https://contoso.example/runbooks/retry?x=1&y=2'],
  effortMinutes: 90,
  workState: 'inProgress',
  blocker: '',
  neededBy: '2026-04-01',
  priority: 'normal',
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

const BLOCKED: HandoffFields = { ...FULL, workState: 'blocked', blocker: 'Waiting for the staging database', priority: 'urgent' };

const VARIANTS = { full: FULL, minimal: MINIMAL, blocked: BLOCKED } as const;
type Variant = keyof typeof VARIANTS;

interface People {
  sender: Person;
  receiver: Person;
  owner: Person;
  stakeholders: Person[];
}
const PEOPLE: People = { sender: ada, receiver: grace, owner: alan, stakeholders: [barbara] };
const MEMBERS = [ada, grace, alan, barbara, eve, hedy];

const ACCEPT_WITH_NOTE: Command = { type: 'accept', checked: [true, false, true], note: 'The dashboard comes next sprint.' };

function step(current: { handoff: Handoff; history: HandoffEvent[] }, command: Command, actor: Person, at: string) {
  const outcome = apply(current.handoff, command, actor, at);
  if (!outcome.ok) throw new Error(`${command.type} refused: ${outcome.refusal.message}`);
  return { handoff: outcome.handoff, history: [...current.history, outcome.event] };
}

/** A handoff in a status, reached through the process, with its history. */
function journey(
  fields: HandoffFields,
  status: Status,
  people: People = PEOPLE,
  late = false,
): { handoff: Handoff; history: HandoffEvent[] } {
  const { handoff, event } = postHandoff({
    id: 'tenant-1~handoff-1',
    tenantId: 'tenant-1',
    fields,
    ...people,
    conversation: { id: '19:chat', serviceUrl: 'https://smba.trafficmanager.net/amer/' },
    at: T_POST,
    late,
  });
  const posted = { handoff, history: [event] };
  const { sender, receiver, owner } = people;
  // Blocked work is not reviewed: the sender unblocks it before a decision (and blocks it again after a change request).
  const ready =
    fields.workState === 'blocked' && ['changesRequested', 'accepted', 'closed'].includes(status)
      ? step(posted, { type: 'setWorkState', workState: 'ready', blocker: '' }, sender, T_UNBLOCK)
      : posted;
  const start = posted;
  switch (status) {
    case 'inReview':
      return start;
    case 'questionAsked':
      return step(start, { type: 'ask', question: 'Which gateway does staging use?' }, receiver, T_DECIDE);
    case 'changesRequested': {
      const changes = step(ready, { type: 'requestChanges', comment: 'Add the rollback steps.' }, receiver, T_DECIDE);
      return fields.workState === 'blocked'
        ? step(changes, { type: 'setWorkState', workState: 'blocked', blocker: fields.blocker }, sender, T_REBLOCK)
        : changes;
    }
    case 'accepted':
      return step(ready, ACCEPT_WITH_NOTE, receiver, T_DECIDE);
    case 'closed':
      return step(step(ready, ACCEPT_WITH_NOTE, receiver, T_DECIDE), { type: 'close', note: 'Shipped.' }, owner, T_CLOSE);
    case 'cancelled':
      return step(start, { type: 'cancel', reason: 'Plans changed.' }, sender, T_DECIDE);
  }
}

const makeHandoff = (fields: HandoffFields, status: Status, people: People = PEOPLE) => journey(fields, status, people).handoff;

const VIEWERS = { sender: ada, receiver: grace, owner: alan, stakeholder: barbara, stranger: eve, none: undefined } as const;
type ViewerName = keyof typeof VIEWERS;

/**
 * The buttons of each viewer's card in each status, refresh and history aside,
 * written out by hand from the README ("Each role on the card"): the receiver
 * reviews while in review; the sender answers a question, edits and resubmits,
 * reports the work state and cancels while open; the owner reassigns and nudges
 * while open and closes once accepted; a stakeholder flags the priority until
 * the handoff is final; anyone else, and a card with no viewer, gets none.
 * Resubmitting starts with the edit form, so its button is Edit.
 */
const BUTTONS: Record<Status, Record<ViewerName, string[]>> = {
  inReview: {
    sender: [VERBS.edit, VERBS.setWorkState, VERBS.cancel],
    receiver: [VERBS.accept, VERBS.requestChanges, VERBS.ask],
    owner: [VERBS.reassign, VERBS.nudge],
    stakeholder: [VERBS.flagPriority],
    stranger: [],
    none: [],
  },
  questionAsked: {
    sender: [VERBS.answer, VERBS.edit, VERBS.setWorkState, VERBS.cancel],
    receiver: [],
    owner: [VERBS.reassign, VERBS.nudge],
    stakeholder: [VERBS.flagPriority],
    stranger: [],
    none: [],
  },
  changesRequested: {
    sender: [VERBS.edit, VERBS.setWorkState, VERBS.cancel],
    receiver: [],
    owner: [VERBS.reassign, VERBS.nudge],
    stakeholder: [VERBS.flagPriority],
    stranger: [],
    none: [],
  },
  accepted: { sender: [], receiver: [], owner: [VERBS.close], stakeholder: [VERBS.flagPriority], stranger: [], none: [] },
  closed: { sender: [], receiver: [], owner: [], stakeholder: [], stranger: [], none: [] },
  cancelled: { sender: [], receiver: [], owner: [], stakeholder: [], stranger: [], none: [] },
};

/** The inputs each button needs on the card (the criteria toggles aside). */
const INPUTS_OF: Record<string, string[]> = {
  [VERBS.accept]: ['comment'],
  [VERBS.ask]: ['comment'],
  [VERBS.answer]: ['answer'],
  [VERBS.setWorkState]: ['blocker'],
  [VERBS.reassign]: ['newReceiver'],
  [VERBS.flagPriority]: ['priority', 'priorityReason'],
  [VERBS.cancel]: ['reason'],
};

/** The viewers' "now" in these tests: after every journey's last step. */
const NOW = new Date('2026-03-05T12:00:00Z');

type Seen = Exclude<ViewerName, 'stakeholder' | 'stranger' | 'none'> | 'other';
const others = (text: string) => ({ stakeholder: text, stranger: text, none: text });

/** The turn line of each status, as each viewer reads it (the viewer is "you"). */
const TURN: Record<Status, Record<ViewerName, string>> = {
  inReview: {
    sender: '<at>Grace Hopper</at>, this handoff is for you to review.',
    receiver: 'It is your turn: review this handoff.',
    owner: '<at>Grace Hopper</at>, this handoff is for you to review.',
    ...others('<at>Grace Hopper</at>, this handoff is for you to review.'),
  },
  questionAsked: {
    sender: "Waiting on you to answer Grace Hopper's question.",
    receiver: 'Waiting on Ada Lovelace to answer your question.',
    owner: "Waiting on Ada Lovelace to answer Grace Hopper's question.",
    ...others("Waiting on Ada Lovelace to answer Grace Hopper's question."),
  },
  changesRequested: {
    sender: 'Waiting on you to make the changes Grace Hopper asked for and resubmit.',
    receiver: 'Waiting on Ada Lovelace to make the changes you asked for and resubmit.',
    owner: 'Waiting on Ada Lovelace to make the changes Grace Hopper asked for and resubmit.',
    ...others('Waiting on Ada Lovelace to make the changes Grace Hopper asked for and resubmit.'),
  },
  accepted: {
    sender: 'Accepted by Grace Hopper. Waiting on Alan Turing (owner) to close it.',
    receiver: 'Accepted by you. Waiting on Alan Turing (owner) to close it.',
    owner: 'Accepted by Grace Hopper. Waiting on you to close it.',
    ...others('Accepted by Grace Hopper. Waiting on Alan Turing (owner) to close it.'),
  },
  closed: {
    sender: 'Closed by Alan Turing.',
    receiver: 'Closed by Alan Turing.',
    owner: 'Closed by you.',
    ...others('Closed by Alan Turing.'),
  },
  cancelled: {
    sender: 'Cancelled by you.',
    receiver: 'Cancelled by Ada Lovelace.',
    owner: 'Cancelled by Ada Lovelace.',
    ...others('Cancelled by Ada Lovelace.'),
  },
};
const BLOCKED_TURN = {
  sender: 'Blocked: Waiting for the staging database. You are on it.',
  other: 'Blocked: Waiting for the staging database. Ada Lovelace is on it.',
};

/** The facts line of each variant after its work state: Baton's words, and the posting date for the client to write. */
const POSTED = '{{DATE(2026-03-02T10:15:42Z, SHORT)}}';
const FACTS_AFTER_STATE: Record<Variant, string> = {
  full: ` · effort 1 h 30 min · needed by Wed 1 Apr · posted ${POSTED}`,
  minimal: ` · posted ${POSTED}`,
  blocked: ` · effort 1 h 30 min · needed by Wed 1 Apr · posted ${POSTED}`,
};

/** The remarks each status shows, one line each ([title, text] runs), as each viewer reads them. */
const REMARKS: Record<Status, Record<Seen, string[][]>> = {
  inReview: { sender: [], receiver: [], owner: [], other: [] },
  questionAsked: {
    sender: [['Grace Hopper asked: ', 'Which gateway does staging use?']],
    receiver: [['You asked: ', 'Which gateway does staging use?']],
    owner: [['Grace Hopper asked: ', 'Which gateway does staging use?']],
    other: [['Grace Hopper asked: ', 'Which gateway does staging use?']],
  },
  changesRequested: {
    sender: [['Changes requested by Grace Hopper: ', 'Add the rollback steps.']],
    receiver: [['Changes requested by you: ', 'Add the rollback steps.']],
    owner: [['Changes requested by Grace Hopper: ', 'Add the rollback steps.']],
    other: [['Changes requested by Grace Hopper: ', 'Add the rollback steps.']],
  },
  accepted: {
    sender: [['Accepted by Grace Hopper: ', 'The dashboard comes next sprint.']],
    receiver: [['Accepted by you: ', 'The dashboard comes next sprint.']],
    owner: [['Accepted by Grace Hopper: ', 'The dashboard comes next sprint.']],
    other: [['Accepted by Grace Hopper: ', 'The dashboard comes next sprint.']],
  },
  closed: {
    sender: [
      ['Accepted by Grace Hopper: ', 'The dashboard comes next sprint.'],
      ['Closing note: ', 'Shipped.'],
    ],
    receiver: [
      ['Accepted by you: ', 'The dashboard comes next sprint.'],
      ['Closing note: ', 'Shipped.'],
    ],
    owner: [
      ['Accepted by Grace Hopper: ', 'The dashboard comes next sprint.'],
      ['Closing note: ', 'Shipped.'],
    ],
    other: [
      ['Accepted by Grace Hopper: ', 'The dashboard comes next sprint.'],
      ['Closing note: ', 'Shipped.'],
    ],
  },
  cancelled: {
    sender: [['Why it was cancelled: ', 'Plans changed.']],
    receiver: [['Why it was cancelled: ', 'Plans changed.']],
    owner: [['Why it was cancelled: ', 'Plans changed.']],
    other: [['Why it was cancelled: ', 'Plans changed.']],
  },
};

const STATUS_TEXT: Record<Status, string> = {
  inReview: 'In review',
  questionAsked: 'Question asked',
  changesRequested: 'Changes requested',
  accepted: 'Accepted',
  closed: 'Closed',
  cancelled: 'Cancelled',
};

interface HandoffCase {
  status: Status;
  variant: Variant;
  viewer: ViewerName;
  extras: boolean;
}

const HANDOFF_CASES: HandoffCase[] = STATUSES.flatMap((status) =>
  (Object.keys(VARIANTS) as Variant[]).flatMap((variant) =>
    (Object.keys(VIEWERS) as ViewerName[]).flatMap((viewer) => [false, true].map((extras) => ({ status, variant, viewer, extras }))),
  ),
);

const NOTICE = 'This handoff was already accepted by Grace Hopper.';

const EVERY_ERROR: FieldErrors = Object.fromEntries(FORM_FIELDS.map((field) => [field, `Problem with ${field}.`]));

// ---------------------------------------------------------------------------

describe('the templates in cards/', () => {
  const templates = readdirSync(CARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const templateJson = (file: string) => JSON.parse(readFileSync(join(CARDS_DIR, file), 'utf8')) as unknown;

  it('are the ones these tests render through a builder', () => {
    expect(templates).toEqual([
      'away-notice.json',
      'away.json',
      'handoff-form.json',
      'handoff-result.json',
      'handoff.json',
      'my-handoffs.json',
      'notification.json',
      'settings.json',
      // Team templates' cards: test/cards/template-cards.test.ts renders them.
      'template-form.json',
      'template-list.json',
      'template.json',
    ]);
  });

  it('use only verbs the bot handles', () => {
    const handled = new Set<string>([...Object.values(VERBS), ...Object.values(TEMPLATE_VERBS)]);
    const used = templates.flatMap((file) => verbsOf(templateJson(file)));
    expect(used.length).toBeGreaterThan(0);
    for (const verb of used) expect(handled, `verb "${verb}"`).toContain(verb);
  });

  it('use every verb the bot handles, and the refresh verb in refresh.action', () => {
    const used = new Set(templates.flatMap((file) => verbsOf(templateJson(file))));
    // The summary's verbs are its card's, built in code (test/cards/summary-card.test.ts checks them); settings.save is the settings card's.
    const handoffVerbs = Object.values(VERBS).filter((verb) => !verb.startsWith('summary.'));
    for (const verb of handoffVerbs) expect(used, `verb "${verb}"`).toContain(verb);
    expect(handoffVerbs).toHaveLength(20);
    const handoffTemplate = templateJson('handoff.json') as { refresh: { action: { type: string; verb: string }; userIds: string } };
    expect(handoffTemplate.refresh.action).toMatchObject({ type: 'Action.Execute', verb: VERBS.refresh });
    expect(handoffTemplate.refresh.userIds).toBe('${refreshUserIds}');
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
    for (const card of bad) expect(isValidCard(card), JSON.stringify(card)).toBe(false);
    expect(isValidCard({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'x', color: 'Good' }] })).toBe(true);
  });
});

// ---------------------------------------------------------------------------

describe('the handoff form', () => {
  const PEOPLE_FIELDS = ['receiver', 'owner', 'stakeholders'];
  const memberChoices = [
    { title: 'Ada Lovelace', value: ada.aadObjectId },
    { title: 'Grace Hopper', value: grace.aadObjectId },
    { title: 'Alan Turing', value: alan.aadObjectId },
  ];

  it('renders empty in create mode, without any error, hint or message, as a valid card', () => {
    const card = handoffFormCard({ formId: 'form-1', members: [ada, grace, alan] });
    expectValidCard(card);
    expect(allStrings(card).filter((s) => s.includes('${'))).toEqual([]);
    expect(textBlocks(card)).toEqual([
      'New handoff',
      'Hand work to someone without a meeting. Fields marked * are required.',
      'Owner, stakeholders, priority, work state, assumptions',
    ]);
    expect(nodesOfType(card, 'RichTextBlock')).toEqual([]);
    // The optional fields wait behind "More fields", closed: the form asks for the rest first.
    const more = nodesOfType(card, 'Container');
    expect(more.map((c) => [c.id, c.isVisible])).toEqual([['more', false]]);
    expect(inputsOf(more[0]).map((i) => i.id)).toEqual(['workState', 'blocker', 'owner', 'stakeholders', 'priority', 'assumptions']);
    // A short button, the fields it opens named beside it (a button's title is cut at its width).
    expect(nodesOfType(card, 'Action.ToggleVisibility').map((a) => a.title)).toEqual(['More fields', 'Fewer fields']);
    expect(textBlocks(card)).toContain('Owner, stakeholders, priority, work state, assumptions');
    // Placeholders read as hints, never as values.
    for (const input of inputsOf(card).filter((i) => typeof i.placeholder === 'string'))
      expect(input.placeholder, String(input.id)).toMatch(/^(For example|One |What |Who )/);
    const inputs = inputsOf(card);
    const values = Object.fromEntries(inputs.map((i) => [i.id, i.value]));
    expect(values).toEqual({
      summary: '',
      whatIsReady: '',
      acceptanceCriteria: '',
      assumptions: '',
      links: '',
      effort: '',
      neededBy: '',
      workState: 'ready',
      blocker: '',
      receiver: '',
      owner: '',
      stakeholders: '',
      priority: 'normal',
    });
    expect(inputs).toHaveLength(13);
    for (const id of PEOPLE_FIELDS) expect(inputs.find((i) => i.id === id)?.choices, id).toEqual(memberChoices);
    expect(inputs.find((i) => i.id === 'stakeholders')?.isMultiSelect).toBe(true);
    expect(inputs.find((i) => i.id === 'priority')?.choices).toEqual([
      { title: 'Normal', value: 'normal' },
      { title: 'High', value: 'high' },
      { title: 'Urgent', value: 'urgent' },
    ]);
    expect(nodesOfType(card, 'Action.Execute').map((a) => [a.title, a.verb, a.data])).toEqual([
      // No template: the form says so with an empty one.
      ['Post handoff', VERBS.createHandoff, { formId: 'form-1', templateId: '', templateVersion: '' }],
    ]);
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
      stakeholders: `${ada.aadObjectId},outsider`,
      priority: 'asap',
    };
    const card = handoffFormCard({
      formId: 'form-2',
      members: [ada, grace],
      values,
      errors: EVERY_ERROR,
      message: 'Fix the fields marked below.',
    });
    expectValidCard(card);
    expect(allStrings(card).filter((s) => s.includes('${'))).toEqual([]);
    expect(textRuns(card)).toEqual([
      'Fix the fields marked below.',
      ...[
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
      ].flatMap((f) => ['⚠ ', `Problem with ${f}.`]),
    ]);
    // Errors stand out by weight and a sign, not by a colour that dark themes draw too faint (see contrast.test.ts).
    for (const run of nodesOfType(card, 'TextRun').filter((n) => n.text !== '⚠ ')) expect(run.weight).toBe('Bolder');
    expect(Object.fromEntries(inputsOf(card).map((i) => [i.id, i.value]))).toEqual(values);
    // An error behind "More fields" opens it.
    expect(nodesOfType(card, 'Container').map((c) => c.style ?? c.id)).toEqual(['attention', 'more']);
    expect(nodesOfType(card, 'Container').find((c) => c.id === 'more')?.isVisible).toBe(true);
    expect(verbsOf(card)).toEqual([VERBS.createHandoff]);
  });

  it('renders the quality hints with a "Post anyway" button that confirms', () => {
    const hints = [
      'No links: add the PR, ticket or document the receiver will need.',
      '"Works" is not measurable (a single word): say what the receiver will check.',
    ];
    const card = handoffFormCard({
      formId: 'form-4',
      members: [ada, grace],
      values: { summary: 'Ready', receiver: grace.aadObjectId },
      hints,
    });
    expectValidCard(card);
    const containers = nodesOfType(card, 'Container').filter((c) => c.id !== 'more');
    expect(containers.map((c) => c.style)).toEqual(['warning']);
    expect(textBlocks(containers[0])).toEqual(['Before you post: a few things could make this handoff clearer.']);
    expect(textRuns(card)).toEqual(hints.map((h) => `• ${h}`));
    expect(nodesOfType(card, 'Action.Execute').map((a) => [a.title, a.verb, a.data])).toEqual([
      ['Post handoff', VERBS.createHandoff, { formId: 'form-4', templateId: '', templateVersion: '' }],
      ['Post anyway', VERBS.createHandoff, { formId: 'form-4', templateId: '', templateVersion: '', confirmed: true }],
    ]);
  });

  it('renders edit mode for a posted handoff: its values, no people fields, resubmit and keep buttons', () => {
    const v2 = step(
      step(journey(FULL, 'inReview'), { type: 'requestChanges', comment: 'More' }, grace, T_DECIDE),
      {
        type: 'resubmit',
        fields: { ...FULL, summary: 'Retry logic is ready' },
      },
      ada,
      T_CLOSE,
    ).handoff;
    const card = handoffFormCard({
      formId: 'form-5',
      members: [ada, grace],
      values: formValuesOf(v2),
      editing: { handoffId: v2.id, version: v2.version },
    });
    expectValidCard(card);
    expect(textBlocks(card)).toEqual([
      'Edit handoff (becomes version 3)',
      'The receiver sees what changed. Fields marked * are required.',
      'Work state, priority, assumptions',
    ]);
    expect(Object.fromEntries(inputsOf(card).map((i) => [i.id, i.value]))).toEqual({
      summary: 'Retry logic is ready',
      whatIsReady: FULL.whatIsReady,
      acceptanceCriteria: FULL.acceptanceCriteria.join('\n'),
      assumptions: FULL.assumptions,
      links: FULL.links.join('\n'),
      effort: '1h 30m',
      neededBy: '2026-04-01',
      workState: 'inProgress',
      blocker: '',
      priority: 'normal',
    });
    expect(nodesOfType(card, 'Action.Execute').map((a) => [a.title, a.verb, a.data])).toEqual([
      ['Resubmit', VERBS.resubmit, { handoffId: v2.id, formId: 'form-5' }],
      ['Keep it as it is', VERBS.refresh, { handoffId: v2.id }],
    ]);

    const withHints = handoffFormCard({
      formId: 'form-6',
      members: [],
      values: formValuesOf(v2),
      editing: { handoffId: v2.id, version: 2 },
      hints: ['No effort estimate.'],
    });
    expectValidCard(withHints);
    expect(nodesOfType(withHints, 'Action.Execute').map((a) => [a.title, a.verb, a.data])).toEqual([
      ['Resubmit', VERBS.resubmit, { handoffId: v2.id, formId: 'form-6' }],
      ['Resubmit anyway', VERBS.resubmit, { handoffId: v2.id, formId: 'form-6', confirmed: true }],
      ['Keep it as it is', VERBS.refresh, { handoffId: v2.id }],
    ]);
  });

  it('keeps binding-like user values as typed', () => {
    const card = handoffFormCard({
      formId: 'form-3',
      members: [ada],
      values: { summary: HOSTILE_SUMMARY, links: '${members}', blocker: '${formId}' },
      errors: { summary: 'Summary ${values.summary} is wrong' },
      hints: ['Hint ${title} **b**'],
    });
    expectValidCard(card);
    const inputs = Object.fromEntries(nodesOfType(card, 'Input.Text').map((i) => [i.id, i.value]));
    expect(inputs.summary).toBe(HOSTILE_SUMMARY);
    expect(inputs.links).toBe('${members}');
    expect(inputs.blocker).toBe('${formId}');
    expect(textRuns(card)).toEqual(['• Hint ${title} **b**', '⚠ ', 'Summary ${values.summary} is wrong']);
    expect(
      allStrings(card)
        .filter((s) => s.includes('${'))
        .sort(),
    ).toEqual([HOSTILE_SUMMARY, '${formId}', '${members}', 'Summary ${values.summary} is wrong', '• Hint ${title} **b**'].sort());
  });
});

// ---------------------------------------------------------------------------

describe('the handoff card', () => {
  it.each(
    HANDOFF_CASES.map(
      (c) => [`${c.status}, ${c.variant}, viewer ${c.viewer}${c.extras ? ', with history, notice and members' : ''}`, c] as const,
    ),
  )("renders %s as a valid, compact card with the viewer's buttons", (_name, c) => {
    const fields = VARIANTS[c.variant];
    const late = c.variant === 'full';
    const { handoff, history } = journey(fields, c.status, PEOPLE, late);
    const viewer = VIEWERS[c.viewer];
    const card = handoffCard(handoff, viewer, { now: NOW, ...(c.extras ? { history, notice: NOTICE, members: MEMBERS } : {}) });
    expectValidCard(card);
    expect(allStrings(card).filter((s) => s.includes('${'))).toEqual([]);

    const refresh = card.refresh as { action: Node; userIds: string[] };
    expect(refresh.action).toEqual({ type: 'Action.Execute', title: 'Refresh', verb: VERBS.refresh, data: { handoffId: handoff.id } });
    expect(refresh.userIds).toEqual([grace.userId, ada.userId, alan.userId, barbara.userId]);

    // Buttons: exactly the viewer's, plus history and refresh. Blocked work in review: the receiver may only ask.
    const buttons =
      c.variant === 'blocked' && c.status === 'inReview' && c.viewer === 'receiver' ? [VERBS.ask] : BUTTONS[c.status][c.viewer];
    const has = (verb: string) => buttons.includes(verb);
    expect(sorted([...new Set(verbsOf(card))])).toEqual(sorted([VERBS.refresh, ...buttons, VERBS.history]));
    expect(verbsOf(card)).not.toContain(VERBS.resubmit);
    for (const action of nodesOfType(card, 'Action.Execute')) {
      if (action.verb === VERBS.history) expect(action.data).toEqual({ handoffId: handoff.id, show: !c.extras });
      else if (action.verb === VERBS.setWorkState)
        expect(action.data).toEqual({ handoffId: handoff.id, workState: expect.stringMatching(/^(ready|inProgress|blocked)$/) });
      else expect(action.data).toEqual({ handoffId: handoff.id });
    }
    // The secondary actions wait behind Action.ShowCard, so their inputs appear only when asked for.
    const showCards = nodesOfType(card, 'Action.ShowCard').map((n) => n.title);
    expect(showCards).toEqual(
      [
        has(VERBS.setWorkState) ? 'Work state' : '',
        has(VERBS.reassign) ? 'Reassign' : '',
        has(VERBS.flagPriority) ? 'Flag priority' : '',
        has(VERBS.cancel) ? 'Cancel handoff' : '',
      ].filter(Boolean),
    );
    const inShowCards = new Set(nodesOfType(card, 'Action.ShowCard').flatMap((n) => inputsOf(n).map((i) => i.id as string)));
    expect(sorted([...inShowCards])).toEqual(
      sorted([VERBS.setWorkState, VERBS.reassign, VERBS.flagPriority, VERBS.cancel].filter(has).flatMap((verb) => INPUTS_OF[verb] ?? [])),
    );

    // Inputs: exactly those of the viewer's buttons.
    const inputs = inputsOf(card).filter((i) => i.type !== 'Input.Toggle');
    expect(sorted(inputs.map((i) => i.id as string))).toEqual(sorted([...new Set(buttons.flatMap((verb) => INPUTS_OF[verb] ?? []))]));
    expect(inputs.filter((i) => 'maxLength' in i)).toEqual([]);
    const reassign = inputs.find((i) => i.id === 'newReceiver');
    if (reassign) {
      expect(reassign.choices).toEqual(
        (c.extras ? MEMBERS : []).filter((m) => m.aadObjectId !== grace.aadObjectId).map((m) => ({ title: m.name, value: m.aadObjectId })),
      );
    }
    const nudge = nodesOfType(card, 'Action.Execute').find((a) => a.verb === VERBS.nudge);
    // Blocked work waits on its sender, so that is whom the owner nudges.
    if (nudge) expect(nudge.title).toBe(c.status === 'inReview' && c.variant !== 'blocked' ? 'Nudge Grace' : 'Nudge Ada');
    const priority = inputs.find((i) => i.id === 'priority');
    if (priority) expect(priority.value).toBe(fields.priority);
    const blocker = inputs.find((i) => i.id === 'blocker');
    if (blocker) expect(blocker.value).toBe(fields.blocker);

    // Criteria: a toggle per criterion for a receiver who may accept; otherwise read-only marks,
    // checked ones marked after acceptance.
    if (has(VERBS.accept)) {
      expect(nodesOfType(card, 'Input.Toggle').map((t) => [t.id, t.title, t.value])).toEqual(
        fields.acceptanceCriteria.map((text, i) => [`criterion${i}`, text, 'false']),
      );
      expect(textRuns(card).filter((r) => r.startsWith('☐ ') || r.startsWith('☑ '))).toEqual([]);
    } else {
      expect(nodesOfType(card, 'Input.Toggle')).toEqual([]);
      const decided = c.status === 'accepted' || c.status === 'closed';
      expect(textRuns(card).filter((r) => r.startsWith('☐ ') || r.startsWith('☑ '))).toEqual(
        fields.acceptanceCriteria.map((text, i) => `${decided && i !== 1 ? '☑' : '☐'} ${text}`),
      );
    }

    // Whose turn it is, in one line, in the viewer's words; the receiver is mentioned while it is theirs, in the others' views.
    const runs = textRuns(card);
    const blocks = textBlocks(card);
    const blockedNow = c.variant === 'blocked' && ['inReview', 'questionAsked', 'changesRequested'].includes(c.status);
    const mentioned = c.status === 'inReview' && !blockedNow && c.viewer !== 'receiver';
    const turn = blockedNow ? BLOCKED_TURN[c.viewer === 'sender' ? 'sender' : 'other'] : TURN[c.status][c.viewer];
    if (mentioned) expect(blocks).toContain(turn);
    else expect(runs).toContain(turn);
    expect(card.msteams).toEqual({
      width: 'Full',
      entities: mentioned
        ? [{ type: 'mention', text: '<at>Grace Hopper</at>', mentioned: { id: grace.userId, name: 'Grace Hopper' } }]
        : [],
    });
    // Display names are text runs, never markdown; the viewer is "you".
    const you = (role: ViewerName, person: Person) => (c.viewer === role ? 'you' : person.name);
    expect(runs).toEqual(
      expect.arrayContaining(['From ', you('sender', ada), ' to ', you('receiver', grace), ' · owner ', you('owner', alan)]),
    );
    expect(blocks.filter((b) => ['Ada Lovelace', 'Alan Turing', 'Barbara Liskov'].some((n) => b.includes(n)))).toEqual([]);
    // One pill: the status, and the priority while it matters.
    const final = ['closed', 'cancelled'].includes(c.status);
    expect(blocks).toContain(`${STATUS_TEXT[c.status]}${fields.priority === 'urgent' && !final ? ' · Urgent' : ''}`);
    expect(runs).toContain('Payments retry logic is ready for QA');
    // The facts in one line of Baton's words, the posting date for the client to write in the viewer's zone.
    // (Blocked work is unblocked before a decision: it reads Ready from then on.)
    // Once ended, the line leaves the work state out: what state the work was in no longer matters.
    expect(blocks).toContain(
      final ? FACTS_AFTER_STATE[c.variant].slice(3) : `${WORK_STATE_LABELS[handoff.workState]}${FACTS_AFTER_STATE[c.variant]}`,
    );
    // A closed or cancelled handoff is its turn line: its content waits behind "Show details" with the rest.
    const content = nodesOfType(card, 'Container').find((n) => n.id === 'content')!;
    expect(content.isVisible).toBe(!final);
    const details = nodesOfType(card, 'Container').find((n) => n.id === 'details')!;
    expect(details.isVisible).toBe(false);
    expect(textRuns(details).includes('Staging uses the sandbox gateway.')).toBe(fields.assumptions !== '');
    expect(nodesOfType(details, 'Action.OpenUrl').map((a) => a.url)).toEqual(fields.links);
    const toggles = nodesOfType(card, 'Action.ToggleVisibility').map((a) => [a.title, a.targetElements]);
    const targets = [...(final ? ['content'] : []), 'details', 'showDetails', 'hideDetails'];
    // Every variant has something behind it (the minimal one, its stakeholder).
    expect(toggles).toEqual([
      ['Show details', targets],
      ['Hide details', targets],
    ]);
    expect(nodesOfType(card, 'Action.OpenUrl').map((a) => a.url)).toEqual(fields.links);

    // At most one attention box: the turn line when blocked, else the most severe fact (here: posted late).
    const boxes = alertsOf(card)
      .filter((n) => n.style !== 'default' && n.id !== 'notice')
      .map((n) => [n.id, n.style]);
    expect(boxes).toEqual(blockedNow ? [['turnLine', 'attention']] : late && !final ? [['attention', 'warning']] : []);
    if (late && !final)
      expect(textRuns(nodesOfType(card, 'Container').find((n) => n.id === 'attention'))).toEqual([
        'Posted late: ',
        'less than 1 h 30 min of working time before Wed 1 Apr.',
      ]);
    // The remarks that still matter, one line each; the notice; the history only when asked for.
    expect(
      nodesOfType(card, 'RichTextBlock')
        .filter((n) => n.separator === true)
        .map((n) => textRuns(n)),
    ).toEqual(REMARKS[c.status][c.viewer === 'sender' || c.viewer === 'receiver' || c.viewer === 'owner' ? c.viewer : 'other']);
    expect(
      nodesOfType(card, 'Container')
        .filter((n) => n.id === 'notice')
        .map((n) => textRuns(n)),
    ).toEqual(c.extras ? [[NOTICE]] : []);
    const historyRows = nodesOfType(card, 'Container').filter((n) => textBlocks(n).includes('History'));
    expect(historyRows).toHaveLength(c.extras ? 1 : 0);
  });

  it('gives each role exactly its buttons on a handoff in review, the secondary ones behind ShowCards', () => {
    const handoff = makeHandoff(FULL, 'inReview');
    const buttons = (viewer: Person | undefined) =>
      sorted([...new Set(verbsOf(handoffCard(handoff, viewer, { now: NOW })).filter((v) => v !== VERBS.refresh && v !== VERBS.history))]);
    const shown = (viewer: Person | undefined) =>
      nodesOfType(handoffCard(handoff, viewer, { now: NOW }), 'Action.ShowCard').map((a) => a.title);
    expect(buttons(grace)).toEqual(sorted([VERBS.accept, VERBS.requestChanges, VERBS.ask]));
    expect(shown(grace)).toEqual([]);
    expect(buttons(ada)).toEqual(sorted([VERBS.setWorkState, VERBS.edit, VERBS.cancel]));
    expect(shown(ada)).toEqual(['Work state', 'Cancel handoff']);
    expect(buttons(alan)).toEqual(sorted([VERBS.reassign, VERBS.nudge]));
    expect(shown(alan)).toEqual(['Reassign']);
    expect(buttons(barbara)).toEqual([VERBS.flagPriority]);
    expect(buttons(eve)).toEqual([]);
    expect(buttons(undefined)).toEqual([]);
  });

  it("keeps the owner's view short: its buttons on the card, one input in sight at most", () => {
    const card = handoffCard(makeHandoff(FULL, 'inReview'), alan, { members: MEMBERS, now: NOW });
    const visibleInputs = inputsOf({
      ...card,
      body: (card.body as Node[]).map((n) => (n.type === 'ActionSet' ? { ...n, actions: [] } : n)),
    });
    expect(visibleInputs).toEqual([]);
    expect(
      nodesOfType(card, 'Action.Execute')
        .filter((a) => !nodesOfType(card, 'Action.ShowCard').some((s) => nodesOfType(s, 'Action.Execute').includes(a)))
        .map((a) => a.title),
    ).toEqual(['Refresh', 'Nudge Grace', 'Show history', 'Refresh']);
  });

  it('gives a sender who is also the owner both sets of buttons, and no nudge of themselves', () => {
    const people = { sender: ada, receiver: grace, owner: ada, stakeholders: [] };
    const inReview = handoffCard(makeHandoff(FULL, 'inReview', people), ada, { members: MEMBERS, now: NOW });
    expectValidCard(inReview);
    expect(sorted([...new Set(verbsOf(inReview))])).toEqual(
      sorted([VERBS.refresh, VERBS.setWorkState, VERBS.edit, VERBS.cancel, VERBS.reassign, VERBS.nudge, VERBS.history]),
    );
    // The ball is with Ada herself once Grace asks: she answers; she is not offered a nudge of herself.
    const asked = handoffCard(makeHandoff(FULL, 'questionAsked', people), ada, { now: NOW });
    expect(verbsOf(asked)).toContain(VERBS.answer);
    expect(verbsOf(asked)).not.toContain(VERBS.nudge);
    // Accepted: the work is the receiver's now, so no work state; the owner closes.
    const accepted = handoffCard(makeHandoff(FULL, 'accepted', people), ada, { now: NOW });
    expectValidCard(accepted);
    expect(sorted([...new Set(verbsOf(accepted))])).toEqual(sorted([VERBS.refresh, VERBS.close, VERBS.history]));
  });

  it('offers only the work states the work is not in, and the blocker box only with "Mark blocked"', () => {
    const workStateCard = (fields: HandoffFields) =>
      nodesOfType(handoffCard(makeHandoff(fields, 'inReview'), ada, { now: NOW }), 'Action.ShowCard').find(
        (a) => a.title === 'Work state',
      )!;
    const titles = (n: Node) => nodesOfType(n, 'Action.Execute').map((a) => a.title);
    expect(titles(workStateCard(MINIMAL))).toEqual(['Mark in progress', 'Mark blocked']);
    expect(titles(workStateCard(FULL))).toEqual(['Mark ready', 'Mark blocked']);
    expect(titles(workStateCard(BLOCKED))).toEqual(['Mark ready', 'Mark in progress', 'Change the blocker']);
    expect(textRuns(workStateCard(BLOCKED))).toContain('The work is Blocked now.');
  });

  it('disables the nudge for an hour after one, saying until when, and says on the card who was nudged, or that they could not be', () => {
    const nudged = step(journey(FULL, 'inReview'), { type: 'nudge', reached: true }, alan, '2026-03-05T10:02:00.000Z').handoff;
    const soon = handoffCard(nudged, alan, { now: new Date('2026-03-05T10:14:00Z'), timeZone: 'UTC' });
    expect(nodesOfType(soon, 'Action.Execute').filter((a) => a.verb === VERBS.nudge)).toEqual([
      expect.objectContaining({ title: 'Nudge again after Thu 5 Mar, 11:02', isEnabled: false }),
    ]);
    expect(notesOf(soon)).toContainEqual(['Nudged Grace Hopper', at('2026-03-05T10:02:00Z')]);
    expect(verbsOf(handoffCard(nudged, alan, { now: new Date('2026-03-05T11:03:00Z') }))).toContain(VERBS.nudge);
    const unreached = step(journey(FULL, 'inReview'), { type: 'nudge', reached: false }, alan, '2026-03-05T10:02:00.000Z').handoff;
    expect(boxOf(handoffCard(unreached, alan, { now: NOW, timeZone: 'UTC' }))).toEqual([
      'Not told of the nudge: ',
      'Grace Hopper has not installed Baton.',
    ]);
    // Once the ball moves on, the old nudge is no longer news.
    const asked = step(
      { handoff: nudged, history: [] },
      { type: 'ask', question: 'Which flag?' },
      grace,
      '2026-03-05T11:00:00.000Z',
    ).handoff;
    expect(textRuns(handoffCard(asked, alan, { now: NOW })).filter((r) => r.startsWith('Nudged'))).toEqual([]);
    // Nor once a new step started for the same person (the sender nudged to answer, now the owner who must close).
    const clock = {
      step: 'close' as const,
      startedBy: 9,
      holder: grace,
      holderHours: DEFAULT_WORKING_HOURS,
      ownerHours: DEFAULT_WORKING_HOURS,
      usedMinutes: 0,
      goalMinutes: 480,
      level: 0 as const,
    };
    const later = { ...nudged, clock: { ...clock, runStartedAt: '2026-03-05T12:00:00.000Z', dueAt: '2026-03-06T12:00:00.000Z' } };
    expect(textRuns(handoffCard(later, alan, { now: NOW })).filter((r) => r.startsWith('Nudged'))).toEqual([]);
    const same = { ...nudged, clock: { ...clock, runStartedAt: '2026-03-05T09:00:00.000Z', dueAt: '2026-03-05T10:00:00.000Z' } };
    expect(textRuns(handoffCard(same, alan, { now: NOW })).filter((r) => r.startsWith('Nudged'))).toEqual(['Nudged Grace Hopper']);
  });

  it('keeps the ticks and the note of a refused Accept', () => {
    const card = handoffCard(makeHandoff(FULL, 'inReview'), grace, {
      now: NOW,
      draft: { checked: [true, false, true], comment: 'Half there' },
      notice: 'One acceptance criterion is not checked.',
    });
    expect(nodesOfType(card, 'Input.Toggle').map((t) => t.value)).toEqual(['true', 'false', 'true']);
    expect(inputsOf(card).find((i) => i.id === 'comment')?.value).toBe('Half there');
  });

  it('marks the checked criteria after acceptance, for every viewer', () => {
    const accepted = makeHandoff(FULL, 'accepted');
    for (const viewer of [ada, grace, alan, barbara, eve, undefined]) {
      expect(textRuns(handoffCard(accepted, viewer, { now: NOW })).filter((r) => /^[☐☑] /.test(r))).toEqual([
        '☑ All retry tests pass in CI',
        '☐ A failed payment is retried 3 times within 10 minutes',
        '☑ Dashboard shows the retry count',
      ]);
    }
  });

  it('says a late handoff was posted late: the box when nothing is more severe, a word in the facts when something is', () => {
    const lateWithEffort = journey({ ...MINIMAL, effortMinutes: 2 * 480 + 60, neededBy: '2026-03-03' }, 'inReview', PEOPLE, true).handoff;
    const card = handoffCard(lateWithEffort, eve, { now: NOW });
    expectValidCard(card);
    expect(boxOf(card)).toEqual(['Posted late: ', 'less than 2 working days and 1 h before Tue 3 Mar.']);
    expect(
      textRuns(handoffCard(journey(FULL, 'inReview', PEOPLE, false).handoff, eve, { now: NOW })).filter((r) => r.startsWith('Posted late')),
    ).toEqual([]);
    // A flagged priority is more severe: it takes the box, and "posted late" joins the facts line.
    const flagged = step(
      { handoff: lateWithEffort, history: [] },
      { type: 'flagPriority', priority: 'urgent', reason: 'Launch' },
      barbara,
      T_DECIDE,
    ).handoff;
    const both = handoffCard(flagged, eve, { now: NOW });
    expect(boxOf(both)).toEqual(['Priority flagged urgent by Barbara Liskov: ', 'Launch']);
    expect(textBlocks(both)).toContain(
      `Ready · effort 2 working days and 1 h · needed by Tue 3 Mar (passed), posted late · posted {{DATE(2026-03-02T10:15:42Z, SHORT)}}`,
    );
  });

  it('shows a new version with the change request it answers and what changed, in words', () => {
    const v2 = step(
      step(journey(FULL, 'inReview'), { type: 'requestChanges', comment: 'Add the rollback steps.' }, grace, T_DECIDE),
      {
        type: 'resubmit',
        fields: {
          ...FULL,
          summary: 'Payments retry logic, with rollback, is ready',
          acceptanceCriteria: [...FULL.acceptanceCriteria, 'Rollback works'],
          links: [...FULL.links, 'https://contoso.example/rollback'],
        },
      },
      ada,
      T_CLOSE,
    ).handoff;
    const card = handoffCard(v2, grace, { now: NOW, timeZone: 'UTC' });
    expectValidCard(card);
    // One line: what the version answers, in the receiver's words, and what changed.
    expect(notesOf(card)).toEqual([
      [
        'Version 2 answers your change request: ',
        'Add the rollback steps. Changed: changed the summary, added one acceptance criterion and added one link.',
      ],
    ]);
    expect(textBlocks(card)).toContain('In review · v2');
    // Version 1 shows neither.
    const v1 = handoffCard(makeHandoff(FULL, 'inReview'), grace, { now: NOW });
    expect(textBlocks(v1)).toContain('In review');
    expect(notesOf(v1)).toEqual([]);
  });

  it('shows a flagged priority with its reason', () => {
    const flagged = step(
      journey(FULL, 'inReview'),
      { type: 'flagPriority', priority: 'urgent', reason: 'Black Friday' },
      barbara,
      T_DECIDE,
    ).handoff;
    const card = handoffCard(flagged, eve, { now: NOW, timeZone: 'UTC' });
    expect(boxOf(card)).toEqual(['Priority flagged urgent by Barbara Liskov: ', 'Black Friday']);
    // The pill says it too, in red.
    // The pill says the priority in words, in the status's colour: the one coloured box is the attention box.
    expect(nodesOfType(card, 'Container').find((n) => n.id === 'statusPill')).toMatchObject({ style: 'accent' });
    expect(textBlocks(card)).toContain('In review · Urgent');
  });

  it('shows the first words of "What is ready", cut at a word, and the whole behind "Show details"', () => {
    const long = Array.from({ length: 8 }, (_, i) => `Line ${i + 1} of what is ready.`).join('\n');
    const card = handoffCard(makeHandoff({ ...FULL, whatIsReady: long }, 'inReview'), eve, { now: NOW });
    const preview = nodesOfType(card, 'RichTextBlock').find((b) => b.id === 'ready')!;
    expect(textRuns(preview)).toEqual([
      'What is ready: ',
      'Line 1 of what is ready.\nLine 2 of what is ready.\nLine 3 of what is ready.\nLine 4 of what is…',
    ]);
    const details = nodesOfType(card, 'Container').find((n) => n.id === 'details')!;
    expect(textRuns(details)).toContain(long);
    // A short one is whole on the card, and not repeated behind the toggle.
    const short = handoffCard(makeHandoff(FULL, 'inReview'), eve, { now: NOW });
    expect(textRuns(nodesOfType(short, 'RichTextBlock').find((b) => b.id === 'ready'))).toEqual(['What is ready: ', FULL.whatIsReady]);
    expect(textRuns(nodesOfType(short, 'Container').find((n) => n.id === 'details'))).not.toContain(FULL.whatIsReady);
  });

  it('shows the question and its answer until the next decision, then the decision and why it ended, as TextRuns', () => {
    let flow = step(journey(FULL, 'inReview'), { type: 'ask', question: 'Which gateway?' }, grace, '2026-03-03T09:00:00.000Z');
    flow = step(flow, { type: 'answer', answer: 'The sandbox one.' }, ada, '2026-03-03T10:00:00.000Z');
    const answered = handoffCard(flow.handoff, grace, { timeZone: 'Europe/Berlin', now: NOW });
    expect(remarksOf(answered)).toEqual([
      ['You asked: ', 'Which gateway?'],
      ['Ada Lovelace answered: ', 'The sandbox one.'],
    ]);
    flow = step(flow, { type: 'accept', checked: [true, true, true], note: '' }, grace, '2026-03-03T11:00:00.000Z');
    flow = step(flow, { type: 'close', note: 'Shipped.' }, alan, '2026-03-03T12:00:00.000Z');
    const card = handoffCard(flow.handoff, eve, { timeZone: 'Europe/Berlin', now: NOW });
    expectValidCard(card);
    // An acceptance without a note has no remark: who accepted is in the history; the closing note is.
    expect(remarksOf(card)).toEqual([['Closing note: ', 'Shipped.']]);
    expect(textRuns(card)).toContain('Closed by Alan Turing.');
    expect(textBlocks(card)).toContain(at('2026-03-03T12:00:00Z'));
    for (const text of ['Which gateway?', 'The sandbox one.', 'Shipped.'])
      expect(textBlocks(card).filter((b) => b.includes(text))).toEqual([]);
  });

  it("writes the history's instants for the viewer's client to show in their zone, the newest eight events", () => {
    const { handoff, history } = journey(BLOCKED, 'closed', PEOPLE, true);
    const rows = (timeZone: string | undefined, events = history) =>
      nodesOfType(handoffCard(handoff, eve, { history: events, timeZone, now: NOW }), 'Container')
        .filter((n) => textBlocks(n).includes('History'))
        .flatMap((n) => [
          ...nodesOfType(n, 'ColumnSet').map((row) => [...textBlocks((row.columns as Node[])[0]), ...textRuns((row.columns as Node[])[1])]),
          ...nodesOfType(n, 'RichTextBlock')
            .filter((b) => b.id === undefined && textRuns(b)[0]?.endsWith('not shown.'))
            .map((b) => textRuns(b)),
        ]);
    expect(rows('UTC')).toEqual([
      [
        at('2026-03-02T10:15:42Z'),
        'Ada Lovelace ',
        'posted the handoff (posted inside the minimum lead time; Blocked: Waiting for the staging database)',
      ],
      [at('2026-03-03T11:00:00Z'), 'Ada Lovelace ', 'changed the work state (Ready)'],
      [at('2026-03-03T11:22:33Z'), 'Grace Hopper ', 'accepted it (2 of 3 criteria checked): "The dashboard comes next sprint."'],
      [at('2026-03-04T08:00:00Z'), 'Alan Turing ', 'closed it: "Shipped."'],
    ]);
    // Whatever zone Teams said the viewer is in, the card is the same: the client writes each instant.
    expect(rows('Europe/Berlin')).toEqual(rows('UTC'));
    expect(rows(undefined)).toEqual(rows('UTC'));
    // Many events: the newest eight, and a count of the rest.
    const many = Array.from({ length: 14 }, (_, i) => ({ ...history[0]!, seq: i + 1, at: `2026-03-02T1${i % 10}:00:00.000Z` }));
    expect(rows('UTC', many)).toHaveLength(9);
    expect(rows('UTC', many).at(-1)).toEqual(['6 earlier events not shown.']);
  });

  it('words every kind of history event', () => {
    let flow = journey(FULL, 'inReview');
    flow = step(flow, { type: 'ask', question: 'Q?' }, grace, T_DECIDE);
    flow = step(flow, { type: 'answer', answer: 'A.' }, ada, T_DECIDE);
    flow = step(flow, { type: 'requestChanges', comment: 'More.' }, grace, T_DECIDE);
    flow = step(flow, { type: 'resubmit', fields: { ...FULL, summary: 'New summary' } }, ada, T_DECIDE);
    flow = step(flow, { type: 'setWorkState', workState: 'blocked', blocker: 'DB' }, ada, T_DECIDE);
    flow = step(flow, { type: 'flagPriority', priority: 'high', reason: 'Launch.' }, barbara, T_DECIDE);
    flow = step(flow, { type: 'nudge', reached: true }, alan, T_DECIDE);
    flow = step(flow, { type: 'reassign', receiver: hedy }, alan, T_DECIDE);
    flow = step(flow, { type: 'nudge', reached: false }, alan, T_CLOSE);
    flow = step(flow, { type: 'cancel', reason: 'Plans changed.' }, ada, T_CLOSE);
    // The card lists eight at a time: read the history in two halves.
    const what = [flow.history.slice(1, 6), flow.history.slice(6)].flatMap((events) => {
      const card = handoffCard(flow.handoff, undefined, { history: events, now: NOW });
      expectValidCard(card);
      return nodesOfType(
        nodesOfType(card, 'Container').find((n) => textBlocks(n).includes('History')),
        'ColumnSet',
      ).map((row) => textRuns((row.columns as Node[])[1])[1]);
    });
    expect(what).toEqual([
      'asked a question: "Q?"',
      'answered: "A."',
      'requested changes: "More."',
      'resubmitted (v2: changed the summary)',
      'changed the work state (Blocked: DB)',
      'flagged a priority change (normal -> high): "Launch."',
      // Blocked work waits on its sender: the owner's nudges go to her.
      'nudged (Ada Lovelace)',
      'reassigned it (from Grace Hopper to Hedy Lamarr)',
      'nudged (Ada Lovelace, who has not installed Baton and was not told)',
      'cancelled it: "Plans changed."',
    ]);
  });

  it('lists each participant once in refresh.userIds, at most 60', () => {
    const cases: [People, string[]][] = [
      [PEOPLE, [grace.userId, ada.userId, alan.userId, barbara.userId]],
      [{ sender: ada, receiver: grace, owner: ada, stakeholders: [] }, [grace.userId, ada.userId]],
      [
        { sender: ada, receiver: grace, owner: alan, stakeholders: [grace, barbara, ada] },
        [grace.userId, ada.userId, alan.userId, barbara.userId],
      ],
    ];
    for (const [people, expected] of cases) {
      for (const status of STATUSES) {
        const card = handoffCard(makeHandoff(FULL, status, people), people.receiver, { now: NOW });
        expectValidCard(card);
        const { userIds } = card.refresh as { userIds: string[] };
        expect(userIds).toEqual(expected);
      }
    }
    // A crowd of stakeholders (older records may have more than the form allows now): the first 60 participants, in role order.
    const crowd = Array.from({ length: 70 }, (_, i) => ({ aadObjectId: `aad-crowd-${i}`, userId: `29:crowd-${i}`, name: `Person ${i}` }));
    const card = handoffCard(makeHandoff(FULL, 'inReview', { ...PEOPLE, stakeholders: crowd }), undefined, { now: NOW });
    expectValidCard(card);
    const { userIds } = card.refresh as { userIds: string[] };
    expect(MAX_REFRESH_USERS).toBe(60);
    expect(userIds).toEqual([grace.userId, ada.userId, alan.userId, ...crowd.slice(0, 57).map((p) => p.userId)]);
    // Two people sharing a Teams user id are listed once.
    const twin = { ...barbara, aadObjectId: 'aad-other' };
    const twins = handoffCard(makeHandoff(FULL, 'inReview', { ...PEOPLE, stakeholders: [barbara, twin] }), undefined, { now: NOW });
    expect((twins.refresh as { userIds: string[] }).userIds).toEqual([grace.userId, ada.userId, alan.userId, barbara.userId]);
  });

  it('shows user text verbatim as TextRuns: no binding, markdown or mention is evaluated', () => {
    const mallory: Person = { aadObjectId: 'aad-mallory', userId: '29:mallory', name: '**Mallory** [x](https://evil) ${receiver.name}' };
    const fields: HandoffFields = {
      ...BLOCKED,
      summary: HOSTILE_SUMMARY,
      whatIsReady: 'Done: ${sender.name} and **bold**',
      acceptanceCriteria: ['${$root.id}', '<at>Ada Lovelace</at> approves'],
      assumptions: '${assumptions}',
      blocker: '${blocker} [click](https://evil)',
    };
    let flow = journey(fields, 'inReview', { sender: mallory, receiver: grace, owner: mallory, stakeholders: [mallory] });
    flow = step(flow, { type: 'ask', question: 'Question ${id} _it_' }, grace, T_DECIDE);
    flow = step(flow, { type: 'answer', answer: 'Answer [y](https://evil)' }, mallory, T_DECIDE);
    // Blocked work is not sent back: unblocked for the change request, blocked again after it.
    flow = step(flow, { type: 'setWorkState', workState: 'ready', blocker: '' }, mallory, T_DECIDE);
    flow = step(flow, { type: 'requestChanges', comment: 'Comment <at>Grace Hopper</at>' }, grace, T_DECIDE);
    flow = step(flow, { type: 'setWorkState', workState: 'blocked', blocker: fields.blocker }, mallory, T_DECIDE);
    const card = handoffCard(flow.handoff, grace, { notice: 'Notice ${notice}', history: flow.history, now: NOW });
    expectValidCard(card);
    const runs = textRuns(card);
    for (const text of [
      HOSTILE_SUMMARY,
      'Done: ${sender.name} and **bold**',
      '☐ ${$root.id}',
      '☐ <at>Ada Lovelace</at> approves',
      '${assumptions}',
      'Notice ${notice}',
      'asked a question: "Question ${id} _it_"',
      'answered: "Answer [y](https://evil)"',
      'Comment <at>Grace Hopper</at>',
      mallory.name,
      `${mallory.name} `,
    ]) {
      expect(runs, text).toContain(text);
    }
    // The blocker is quoted inside the turn line, a TextRun too.
    expect(runs.filter((r) => r.startsWith('Blocked: ${blocker} [click](https://evil). '))).toHaveLength(1);
    // The summary is nowhere evaluated: not with the receiver's name, not in a TextBlock (which reads markdown).
    expect(allStrings(card).filter((s) => s.includes('Retry '))).toEqual([HOSTILE_SUMMARY]);
    for (const block of textBlocks(card)) {
      for (const hostile of [
        '**',
        '[a](https://evil)',
        '[x](https://evil)',
        '<at>x</at>',
        '${',
        'Mallory',
        'Question',
        'Answer',
        'Comment',
      ])
        expect(block).not.toContain(hostile);
    }
    // No mention entity while the ball is with the sender: nobody's name is in a TextBlock to match one.
    expect((card.msteams as { entities: unknown[] }).entities).toEqual([]);
  });
});

// ---------------------------------------------------------------------------

describe('the due time on the card', () => {
  /** In review since Monday 2 March 10:00 UTC, with its due state: due Tuesday 10:00 in Grace's (UTC) working time. */
  const timed = (): Handoff => {
    const handoff = { ...makeHandoff(FULL, 'inReview'), createdAt: '2026-03-02T10:00:00.000Z' };
    const event = {
      handoffId: handoff.id,
      seq: 1,
      type: 'posted' as const,
      actor: ada,
      at: '2026-03-02T10:00:00.000Z',
      comment: '',
      detail: '',
      version: 1,
      workState: handoff.workState,
    };
    const hours = new Map([ada, grace, alan].map((p) => [p.aadObjectId, DEFAULT_WORKING_HOURS]));
    return {
      ...handoff,
      ...nextDueState(undefined, { ...handoff, clock: undefined, review: undefined }, event, hours, DEFAULT_DUE_POLICY),
    };
  };
  const turnLine = (card: AdaptiveCard) => nodesOfType(card, 'Container').find((n) => n.id === 'turnLine')!;

  it("says in the turn line when the step is due; the working time left only in a viewer's own view", () => {
    const handoff = timed();
    const before = new Date('2026-03-02T13:50:00Z');
    const own = handoffCard(handoff, grace, { now: before, timeZone: 'Etc/UTC' });
    expectValidCard(own);
    // Grace's own view: "you", and the working time she has left; the due time for her client to write in her zone.
    expect([...textRuns(turnLine(own)), ...textBlocks(turnLine(own))]).toEqual([
      'It is your turn: review this handoff.',
      `Due ${at('2026-03-03T10:00:00Z')}, in 4 h 10 min of your working time`,
    ]);
    expect(turnLine(own).style).toBe('default');
    // The shared card is not rendered again when seen: it says the due time alone, which stays true.
    expect(textBlocks(turnLine(handoffCard(handoff, undefined, { now: before })))).toEqual([
      '<at>Grace Hopper</at>, this handoff is for you to review.',
      `Due ${at('2026-03-03T10:00:00Z')}`,
    ]);
  });

  it("turns into an attention box once overdue, and names the owner once escalated: since when on the shared card, by how much in a viewer's own", () => {
    const handoff = timed();
    const late = handoffCard(handoff, undefined, { now: new Date('2026-03-03T12:00:00Z') });
    expect(turnLine(late).style).toBe('attention');
    // The shared card is not drawn again as time passes: "overdue by 2h" would be wrong an hour later.
    expect(textBlocks(turnLine(late))).toEqual([
      '<at>Grace Hopper</at>, this handoff is for you to review.',
      `Overdue since ${at('2026-03-03T10:00:00Z')}`,
    ]);
    expect(textBlocks(turnLine(handoffCard(handoff, alan, { now: new Date('2026-03-03T12:00:00Z') })))).toEqual([
      '<at>Grace Hopper</at>, this handoff is for you to review.',
      `Overdue by 2 h of the receiver's working time; it was due ${at('2026-03-03T10:00:00Z')}`,
    ]);
    const escalated = { ...handoff, clock: { ...handoff.clock!, level: 2 as const } };
    expect(textBlocks(turnLine(handoffCard(escalated, undefined, { now: new Date('2026-03-04T12:00:00Z') })))).toEqual([
      '<at>Grace Hopper</at>, this handoff is for you to review. Escalated to Alan Turing (owner).',
      `Overdue since ${at('2026-03-03T10:00:00Z')}`,
    ]);
    // The owner reads it as escalated to "you".
    expect(textBlocks(turnLine(handoffCard(escalated, alan, { now: new Date('2026-03-04T12:00:00Z') })))[0]).toBe(
      '<at>Grace Hopper</at>, this handoff is for you to review. Escalated to you (owner).',
    );
  });
});

describe('signals on the card: blocked, a passed needed-by date, the next nudge', () => {
  const hours = new Map([ada, grace, alan].map((p) => [p.aadObjectId, DEFAULT_WORKING_HOURS]));
  const POSTED = '2026-03-02T10:00:00.000Z'; // Monday
  /** A handoff posted on Monday 10:00 UTC with its due state, then the steps given. */
  const through = (fields: HandoffFields, steps: [Command, Person, string][] = []): Handoff => {
    let { handoff, event } = postHandoff({
      id: 'h1',
      tenantId: 't1',
      fields,
      ...PEOPLE,
      conversation: { id: '19:c', serviceUrl: 'https://s/' },
      at: POSTED,
      late: false,
    });
    handoff = { ...handoff, ...nextDueState(undefined, handoff, event, hours, DEFAULT_DUE_POLICY) };
    for (const [command, actor, at] of steps) {
      const outcome = apply(handoff, command, actor, at);
      if (!outcome.ok) throw new Error(outcome.refusal.message);
      handoff = { ...outcome.handoff, ...nextDueState(handoff, outcome.handoff, outcome.event, hours, DEFAULT_DUE_POLICY) };
    }
    return handoff;
  };
  const turnOf = (card: AdaptiveCard) => {
    const line = nodesOfType(card, 'Container').find((n) => n.id === 'turnLine')!;
    return { style: line.style, text: [...textRuns(line), ...textBlocks(line)].join(' / ') };
  };
  const block: Command = { type: 'setWorkState', workState: 'blocked', blocker: 'Waiting for finance to grant read access' };

  it('says who is on a blocked handoff and when the owner hears of it, never that the receiver is late', () => {
    const blocked = through(FULL, [[block, ada, '2026-03-02T11:00:00.000Z']]);
    // Normal priority: 2 working days to unblock, due Wed 11:00; the owner is told one goal later, Fri 11:00.
    const card = handoffCard(blocked, undefined, { now: new Date('2026-03-04T12:00:00Z') });
    expectValidCard(card);
    expect(turnOf(card)).toEqual({
      style: 'attention',
      text: `Blocked: Waiting for finance to grant read access. Ada Lovelace is on it. / The owner is told if it is still blocked on ${at('2026-03-06T11:00:00Z')}`,
    });
    expect(card.msteams).toEqual({ width: 'Full', entities: [] });
    // No second box repeats it.
    expect(allStrings(card).filter((t) => t.includes('Blocked by'))).toEqual([]);
    const escalated = { ...blocked, clock: { ...blocked.clock!, level: 2 as const } };
    expect(turnOf(handoffCard(escalated, undefined, { now: new Date('2026-03-06T12:00:00Z') })).text).toBe(
      `Blocked: Waiting for finance to grant read access. Ada Lovelace is on it. / Escalated to the owner; unblocking was due ${at('2026-03-04T11:00:00Z')}`,
    );
    // In Ada's own view, it is hers.
    expect(turnOf(handoffCard(blocked, ada, { now: new Date('2026-03-04T12:00:00Z') })).text).toMatch(/^Blocked: .+\. You are on it\. \/ /);
  });

  it('says unblocking "is due" before its due time and "was due" after it, when the sender owns it', () => {
    const own = { ...through(FULL, [[block, ada, '2026-03-02T11:00:00.000Z']]) };
    const owned = { ...own, owner: own.sender };
    const dueAt = owned.clock!.dueAt!.replace('.000Z', 'Z');
    expect(turnOf(handoffCard(owned, undefined, { now: new Date('2026-03-03T12:00:00Z') })).text).toBe(
      `Blocked: Waiting for finance to grant read access. Ada Lovelace is on it. / Unblocking is due ${at(dueAt)}`,
    );
    expect(turnOf(handoffCard(owned, undefined, { now: new Date('2026-03-05T12:00:00Z') })).text).toBe(
      `Blocked: Waiting for finance to grant read access. Ada Lovelace is on it. / Unblocking was due ${at(dueAt)}`,
    );
  });

  it('says a blocked handoff that was cancelled was cancelled, not blocked', () => {
    const cancelled = through(FULL, [
      [block, ada, '2026-03-02T11:00:00.000Z'],
      [{ type: 'cancel', reason: 'Finance said no.' }, ada, '2026-03-03T09:00:00.000Z'],
    ]);
    const card = handoffCard(cancelled, alan, { now: new Date('2026-03-04T12:00:00Z') });
    expect(turnOf(card)).toEqual({ style: 'default', text: `Cancelled by Ada Lovelace. / ${at('2026-03-03T09:00:00Z')}` });
    expect(allStrings(card).filter((t) => /blocked/i.test(t) && t !== 'Blocked')).toEqual([]);
  });

  it('marks a passed needed-by date in the facts while the handoff is open, and not once it is accepted', () => {
    const facts = (h: Handoff, now: string) =>
      textBlocks(nodesOfType(handoffCard(h, undefined, { now: new Date(now) }), 'TextBlock').find((n) => n.id === 'facts'))[0];
    const open = through({ ...FULL, neededBy: '2026-03-03' });
    expect(facts(open, '2026-03-03T23:00:00Z')).toContain('needed by Tue 3 Mar ·');
    expect(facts(open, '2026-03-04T00:00:00Z')).toContain('needed by Tue 3 Mar (passed) ·');
    const accepted = through({ ...FULL, neededBy: '2026-03-03' }, [
      [{ type: 'accept', checked: [true, true, true], note: '' }, grace, '2026-03-04T09:00:00.000Z'],
    ]);
    expect(facts(accepted, '2026-03-05T00:00:00Z')).toContain('needed by Tue 3 Mar ·');
  });

  it('keeps the Nudge button after a nudge, disabled and saying when it can be used again', () => {
    const nudged = through(FULL, [[{ type: 'nudge', reached: true }, alan, '2026-03-03T10:00:00.000Z']]);
    const nudge = (at: string) =>
      nodesOfType(handoffCard(nudged, alan, { now: new Date(at), timeZone: 'Etc/UTC' }), 'Action.Execute').find(
        (a) => a.verb === VERBS.nudge,
      );
    expect(nudge('2026-03-03T10:20:00Z')).toMatchObject({ title: 'Nudge again after Tue 3 Mar, 11:00', isEnabled: false });
    expect(nudge('2026-03-03T11:00:00Z')).toMatchObject({ title: 'Nudge Grace', isEnabled: true });
    // Only the owner sees it at all.
    expect(verbsOf(handoffCard(nudged, ada, { now: new Date('2026-03-03T10:20:00Z') }))).not.toContain(VERBS.nudge);
    expectValidCard(handoffCard(nudged, alan, { now: new Date('2026-03-03T10:20:00Z') }));
  });

  it('requires someone chosen before Reassign sends anything', () => {
    const picker = inputsOf(handoffCard(through(FULL), alan, { now: NOW })).find((n) => n.id === 'newReceiver');
    expect(picker).toMatchObject({ isRequired: true, errorMessage: 'Choose who receives the handoff instead.' });
  });
});

describe('the notification card', () => {
  it('shows the headline, the summary and the quote, with a link to the message in a chat', () => {
    const handoff = {
      ...makeHandoff(FULL, 'questionAsked'),
      conversation: { id: '19:abc_def@unq.gbl.spaces', serviceUrl: 'https://smba.example/', messageId: '1712345678901' },
    };
    const card = notificationCard(handoff, 'Grace Hopper asked a question', 'Which gateway does staging use?');
    expectValidCard(card);
    expect(textRuns(card)).toEqual([
      'Grace Hopper asked a question',
      'Handoff: ',
      'Payments retry logic is ready for QA',
      'Which gateway does staging use?',
    ]);
    expect(nodesOfType(card, 'Container').map((n) => n.style)).toEqual(['emphasis']);
    expect(card.actions).toEqual([
      // The reader's own view of the handoff, actions included, in their personal chat: the card itself may be in a chat they cannot open.
      { type: 'Action.Execute', title: 'Show it here', verb: 'handoff.refresh', data: { handoffId: handoff.id } },
      {
        type: 'Action.OpenUrl',
        title: 'Go to the card',
        url: 'https://teams.microsoft.com/l/message/19%3Aabc_def%40unq.gbl.spaces/1712345678901?context=%7B%22contextType%22%3A%22chat%22%7D',
      },
    ]);
  });

  it('carries the buttons of what the reader must do: Close for the owner; Nudge and Reassign on an escalation', () => {
    const accepted = makeHandoff(FULL, 'accepted');
    const close = notificationCard(accepted, 'Closing this accepted handoff was due Tue 3 Mar, 11:00 UTC.', '', ['close']);
    expectValidCard(close);
    expect((close.actions as Node[]).map((a) => [a.type, a.title, a.verb])).toEqual([
      ['Action.Execute', 'Close handoff', VERBS.close],
      ['Action.Execute', 'Show it here', VERBS.refresh],
    ]);
    const inReview = makeHandoff(FULL, 'inReview');
    const escalation = notificationCard(inReview, "Grace Hopper's review was due ... and is now escalated to you.", '', [
      'nudge',
      'reassign',
    ]);
    expectValidCard(escalation);
    expect((escalation.actions as Node[]).map((a) => [a.type, a.title])).toEqual([
      ['Action.Execute', 'Nudge Grace Hopper'],
      ['Action.ShowCard', 'Reassign'],
      ['Action.Execute', 'Show it here'],
    ]);
    expect(inputsOf(escalation)).toEqual([
      expect.objectContaining({
        id: 'newReceiver',
        isRequired: true,
        'choices.data': { type: 'Data.Query', dataset: 'graph.microsoft.com/users' },
      }),
    ]);
    expect(verbsOf(escalation)).toEqual([VERBS.nudge, VERBS.reassign, VERBS.refresh]);
    for (const action of nodesOfType(escalation, 'Action.Execute')) expect(action.data).toEqual({ handoffId: inReview.id });
  });

  it('links a channel message through its thread', () => {
    const handoff = {
      ...makeHandoff(FULL, 'accepted'),
      conversation: {
        id: '19:channel@thread.tacv2;messageid=1700000000000',
        serviceUrl: 'https://smba.example/',
        messageId: '1700000000001',
      },
    };
    expect(handoffLink(handoff)).toBe(
      'https://teams.microsoft.com/l/message/19%3Achannel%40thread.tacv2/1700000000001?parentMessageId=1700000000000',
    );
    expectValidCard(notificationCard(handoff, 'Accepted'));
  });

  it('has no quote and no link when there is none', () => {
    const handoff = makeHandoff(FULL, 'accepted');
    expect(handoffLink(handoff)).toBe('');
    const card = notificationCard(handoff, 'Accepted by Grace Hopper');
    expectValidCard(card);
    expect(textRuns(card)).toEqual(['Accepted by Grace Hopper', 'Handoff: ', 'Payments retry logic is ready for QA']);
    expect(nodesOfType(card, 'Container')).toEqual([]);
    expect(nodesOfType(card, 'Action.OpenUrl')).toEqual([]);
    expect(card.actions).toEqual([
      { type: 'Action.Execute', title: 'Show it here', verb: 'handoff.refresh', data: { handoffId: handoff.id } },
    ]);
  });

  it('keeps hostile text verbatim in TextRuns', () => {
    const handoff = {
      ...makeHandoff({ ...FULL, summary: HOSTILE_SUMMARY }, 'changesRequested'),
      conversation: { id: '19:c', serviceUrl: 'https://s/', messageId: 'm' },
    };
    const card = notificationCard(handoff, '**Mallory** requested changes', '${quote} [z](https://evil)');
    expectValidCard(card);
    expect(textRuns(card)).toEqual(['**Mallory** requested changes', 'Handoff: ', HOSTILE_SUMMARY, '${quote} [z](https://evil)']);
    expect(textBlocks(card)).toEqual([]);
  });
});

describe('the search result card', () => {
  it('shows the summary and the status line, refreshes into the live card for the people on it, and links to the handoff', () => {
    const handoff = makeHandoff(FULL, 'inReview');
    const card = handoffResultCard(
      listingOf(handoff),
      'In review · Ada Lovelace -> Grace Hopper',
      'https://baton.example/api/handoffs/abc',
    );
    expectValidCard(card);
    expect(textRuns(card)).toEqual(['Payments retry logic is ready for QA', 'In review · Ada Lovelace -> Grace Hopper']);
    const userIds = [...new Set([handoff.receiver, handoff.sender, handoff.owner, ...handoff.stakeholders].map((p) => p.userId))];
    expect(card.refresh).toEqual({
      action: { type: 'Action.Execute', title: 'Refresh', verb: 'handoff.refresh', data: { handoffId: handoff.id } },
      userIds,
    });
    expect(card.actions).toEqual([
      { type: 'Action.Execute', title: 'Show it here', verb: 'handoff.refresh', data: { handoffId: handoff.id } },
      { type: 'Action.OpenUrl', title: 'Go to the card', url: 'https://baton.example/api/handoffs/abc' },
    ]);
  });

  it('keeps hostile text verbatim in TextRuns', () => {
    const card = handoffResultCard(
      listingOf(makeHandoff({ ...FULL, summary: HOSTILE_SUMMARY }, 'inReview')),
      '${line}',
      'https://baton.example/api/handoffs/abc',
    );
    expectValidCard(card);
    expect(textRuns(card)).toEqual([HOSTILE_SUMMARY, '${line}']);
    expect(textBlocks(card)).toEqual([]);
  });
});

describe('the my-handoffs card', () => {
  const withMessage = (h: Handoff, messageId: string): Handoff => ({ ...h, conversation: { ...h.conversation, messageId } });

  it('lists the non-empty groups with their items, each a link that looks like one, and who waits on whom', () => {
    const first = withMessage({ ...makeHandoff(FULL, 'inReview'), summary: 'First' }, 'm1');
    const second = { ...makeHandoff(MINIMAL, 'inReview'), summary: HOSTILE_SUMMARY };
    const third = withMessage({ ...makeHandoff(FULL, 'accepted'), summary: 'Third' }, 'm3');
    const card = myHandoffsCard([
      {
        title: 'To review',
        handoffs: [
          {
            handoff: first,
            detail: 'From Ada Lovelace · 2 days ago',
            due: `due ${at('2026-03-04T10:00:00Z')} (in 2 h of your working time)`,
          },
          { handoff: second, detail: 'From Ada Lovelace · 3 h ago', due: '' },
        ],
      },
      { title: 'To answer', handoffs: [] },
      { title: 'To close', handoffs: [{ handoff: third, detail: 'Grace Hopper accepted it · 1 day ago', due: '' }] },
    ]);
    expectValidCard(card);
    // The due time in a TextBlock of its own, where the client renders DATE and TIME; none where nothing is due.
    expect(textBlocks(card)).toEqual([
      'Your open handoffs',
      'To review (2)',
      `due ${at('2026-03-04T10:00:00Z')} (in 2 h of your working time)`,
      'To close (1)',
    ]);
    expect(textRuns(card)).toEqual([
      'First',
      'From Ada Lovelace · 2 days ago',
      HOSTILE_SUMMARY,
      'From Ada Lovelace · 3 h ago',
      'Third',
      'Grace Hopper accepted it · 1 day ago',
    ]);
    // Each summary reads as a link: accent and underlined.
    expect(
      nodesOfType(card, 'TextRun')
        .filter((n) => n.color === 'Accent' && n.underline === true)
        .map((n) => n.text),
    ).toEqual(['First', HOSTILE_SUMMARY, 'Third']);
    expect(
      nodesOfType(card, 'Container')
        .filter((n) => n.selectAction)
        .map((n) => (n.selectAction as Node).url),
    ).toEqual([handoffLink(first), 'https://teams.microsoft.com', handoffLink(third)]);
    expect(handoffLink(first)).toBe('https://teams.microsoft.com/l/message/19%3Achat/m1?context=%7B%22contextType%22%3A%22chat%22%7D');
    expect(allStrings(card).filter((s) => s.includes('${'))).toEqual([HOSTILE_SUMMARY]);
  });

  it('says nothing is open when every group is empty', () => {
    for (const groups of [[], [{ title: 'To review', handoffs: [] }]]) {
      const card = myHandoffsCard(groups);
      expectValidCard(card);
      expect(textBlocks(card)).toEqual(['Your open handoffs', 'Nothing is open for you right now.']);
      expect(nodesOfType(card, 'Container')).toEqual([]);
    }
  });
});

describe('time away on the card', () => {
  /** A review posted to Grace on Monday 2 March 10:00 UTC, with her absence in her (UTC office) hours. */
  const awayReview = (away: { start: string; end?: string }): Handoff => {
    const handoff = { ...makeHandoff(FULL, 'inReview'), createdAt: '2026-03-02T10:00:00.000Z' };
    const event = { ...journey(FULL, 'inReview').history[0]!, at: handoff.createdAt };
    const hours = new Map([ada, grace, alan].map((p) => [p.aadObjectId, DEFAULT_WORKING_HOURS]));
    hours.set(grace.aadObjectId, { ...DEFAULT_WORKING_HOURS, away: [away] });
    return {
      ...handoff,
      ...nextDueState(undefined, { ...handoff, clock: undefined, review: undefined }, event, hours, DEFAULT_DUE_POLICY),
    };
  };

  it("says whom it waits on, until when they are away and when it is due, tags nobody, and is never 'overdue'", () => {
    // Away from Tuesday 3 March 09:30 to Monday 9 March 09:00 UTC: 7h 30m of the review's 8h used, due Monday 09:30; seen on Thursday.
    const handoff = awayReview({ start: '2026-03-03T09:30:00.000Z', end: '2026-03-09T09:00:00.000Z' });
    const now = new Date('2026-03-05T10:00:00.000Z');
    for (const viewer of [undefined, alan]) {
      const card = handoffCard(handoff, viewer, { now });
      expectValidCard(card);
      const turn = nodesOfType(card, 'TextRun').find((n) => String(n.text).startsWith('Waiting on'))?.text;
      expect(turn).toBe('Waiting on Grace Hopper, away until Mon 9 Mar.');
      // The due time in the viewer's own zone (DATE/TIME), and the working time left in a viewer's own view.
      expect(nodesOfType(card, 'TextBlock').find((n) => n.id === 'turnWhen')?.text).toBe(
        viewer
          ? "Due {{DATE(2026-03-09T09:30:00Z, SHORT)}} {{TIME(2026-03-09T09:30:00Z)}}, with 30 min of the receiver's working time left"
          : 'Due {{DATE(2026-03-09T09:30:00Z, SHORT)}} {{TIME(2026-03-09T09:30:00Z)}}',
      );
      expect(allStrings(card).some((t) => /overdue/i.test(t))).toBe(false);
      // Nobody is tagged: a mention would notify someone away.
      expect((card.msteams as { entities: unknown[] }).entities).toEqual([]);
      expect(nodesOfType(card, 'Container').find((n) => n.id === 'turnLine')?.style).toBe('default');
    }
  });

  it('says so when the return has no date', () => {
    const handoff = awayReview({ start: '2026-03-03T09:30:00.000Z' });
    expect(handoff.clock?.dueAt).toBeUndefined();
    const card = handoffCard(handoff, undefined, { now: new Date('2026-03-05T10:00:00.000Z') });
    expectValidCard(card);
    expect(textRuns(card)).toContain('Waiting on Grace Hopper, away with no return date set.');
    expect(nodesOfType(card, 'TextBlock').find((n) => n.id === 'turnWhen')?.text).toBe('Due once they are back');
  });
});

describe('the cards of time away', () => {
  it("the person's own: their absence, their successor chosen, hand-over off, and I am back when they told Baton", () => {
    const card = awayCard({
      status: 'You told Baton you are away from Fri 11 Dec until Wed 16 Dec.',
      from: '2026-12-11',
      until: '2026-12-16',
      successorId: alan.aadObjectId,
      successors: [{ name: alan.name, aadObjectId: alan.aadObjectId }],
      handOver: 'false',
      declared: true,
      notice: 'Saved.',
    });
    expectValidCard(card);
    expect(inputsOf(card).map((n) => [n.id, n.type, n.value])).toEqual([
      ['awayFrom', 'Input.Date', '2026-12-11'],
      ['awayUntil', 'Input.Date', '2026-12-16'],
      ['successor', 'Input.ChoiceSet', alan.aadObjectId],
      ['handOver', 'Input.Toggle', 'false'],
    ]);
    expect(inputsOf(card)[2]).toMatchObject({
      choices: [{ title: 'Alan Turing', value: alan.aadObjectId }],
      'choices.data': { type: 'Data.Query', dataset: 'graph.microsoft.com/users' },
    });
    expect(verbsOf(card)).toEqual([VERBS.awaySave, VERBS.awayBack]);
    const notAway = awayCard({
      status: 'You are not away.',
      from: '2026-12-08',
      until: '',
      successorId: '',
      successors: [],
      handOver: 'false',
      declared: false,
      notice: '',
    });
    expectValidCard(notAway);
    expect(verbsOf(notAway)).toEqual([VERBS.awaySave]);
    expect(nodesOfType(notAway, 'Container')).toEqual([]);
  });

  it("the owner's message: each handoff with Reassign to the successor in one click, or to anyone, and Keep waiting; what was handed on, without buttons", () => {
    const item = (i: number, extra: Partial<Parameters<typeof awayNoticeCard>[0]['items'][number]>) => ({
      handoffId: `h${i}`.padEnd(20, '0'),
      summary: `Handoff ${i}`,
      detail: 'Review · due Wed 16 Dec, 12:00',
      answer: '',
      reassign: true,
      keep: true,
      input: `newReceiver_${i}`,
      successorId: alan.aadObjectId,
      successorName: alan.name,
      reassignTitle: 'Reassign to someone else',
      away: grace.aadObjectId,
      notice: `owner:2026-12-11T06:30:00.000Z:${ada.aadObjectId}`,
      ...extra,
    });
    const nobody = { successorId: '', successorName: '', reassignTitle: 'Reassign' };
    const card = awayNoticeCard({
      headline: 'Grace Hopper is away until Wed 16 Dec: 2 handoffs you own wait on Grace.',
      note: 'Grace named Alan Turing to take over while away: Reassign hands a review to Alan.',
      items: [
        item(0, {}),
        item(1, { answer: 'You keep waiting for Grace.', keep: false, ...nobody }),
        item(2, { detail: 'Handed to Alan Turing, as Grace asked.', reassign: false, keep: false, ...nobody }),
      ],
    });
    expectValidCard(card);
    // Each item's buttons, then (inside its Reassign) the picker's own Reassign.
    expect(nodesOfType(card, 'ActionSet').map((set) => (set.actions as Node[]).map((a) => a.title))).toEqual([
      ['Reassign to Alan Turing', 'Reassign to someone else', 'Keep waiting', 'Show it here'],
      ['Reassign'],
      ['Reassign', 'Show it here'],
      ['Reassign'],
      ['Show it here'],
    ]);
    expect(inputsOf(card).map((n) => [n.id, n.isRequired])).toEqual([
      ['newReceiver_0', true],
      ['newReceiver_1', true],
    ]);
    const reassign = nodesOfType(card, 'Action.Execute').filter((n) => n.verb === VERBS.awayReassign);
    const ids = { handoffId: item(0, {}).handoffId, away: grace.aadObjectId, notice: item(0, {}).notice };
    expect(reassign.map((n) => n.data)).toEqual([
      { ...ids, to: alan.aadObjectId },
      { ...ids, input: 'newReceiver_0' },
      { ...ids, handoffId: item(1, {}).handoffId, input: 'newReceiver_1' },
    ]);
    expect(textBlocks(card)).toEqual([
      'Grace named Alan Turing to take over while away: Reassign hands a review to Alan.',
      'Review · due Wed 16 Dec, 12:00',
      'Review · due Wed 16 Dec, 12:00',
      'You keep waiting for Grace.',
      'Handed to Alan Turing, as Grace asked.',
    ]);
  });
});
