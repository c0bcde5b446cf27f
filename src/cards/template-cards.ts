/**
 * Team templates' cards (issue 26): the list (`templates`), the template's
 * own card (the loop from questions back to the template), the card that
 * makes or edits one (`template new`, Edit, Duplicate), and the template's
 * part of the handoff form and of the posted handoff card.
 */
import listTemplate from '../../cards/template-list.json';
import formTemplate from '../../cards/template-form.json';
import cardTemplate from '../../cards/template.json';
import { formatEffort } from '../domain/effort';
import { CRITERIA_MAX, CRITERION_MAX, ASSUMPTIONS_MAX, LINKS_MAX, READY_MAX, STAKEHOLDERS_MAX } from '../domain/handoff-form';
import type { Handoff, Person } from '../domain/handoff';
import type { TeamSummary } from '../domain/summary';
import { improveLine, type TemplateLoop, templateRowLine } from '../domain/template-metrics';
import {
  CHECK_ITEM_MAX,
  CHECKLIST_MAX,
  type Template,
  TEMPLATE_DESCRIPTION_MAX,
  TEMPLATE_NAME_MAX,
  type TemplateErrors,
  type TemplateFormField,
  type TemplateFormInput,
  TEMPLATES_MAX,
} from '../domain/templates';
import { formatWhen } from '../domain/time-format';
import { type AdaptiveCard, renderCard } from './render';
import { TEMPLATE_VERBS } from './verbs';

// ---- The template's part of the handoff form and card

/** The template a form starts from, and what the sender ticked of its checklist. */
export interface FormTemplate {
  id: string;
  name: string;
  version: number;
  checklist: readonly string[];
  ticked: readonly boolean[];
  /** The message at each unticked item, by index, once a post was refused. */
  errors?: ReadonlyMap<number, string>;
}

export interface FormTemplateData {
  id: string;
  version: string;
  line: string;
  checklistTitle: string;
  checklist: { text: string; value: 'true' | 'false'; error: string }[];
}

/** The form's template data; empty (no line, no checklist) without a template. */
export function formTemplateData(template: FormTemplate | undefined): FormTemplateData {
  if (!template) return { id: '', version: '', line: '', checklistTitle: '', checklist: [] };
  return {
    id: template.id,
    version: String(template.version),
    line: `From the team template “${template.name}” (version ${template.version}).`,
    checklistTitle: `Checklist of “${template.name}”: tick each item before posting *`,
    checklist: template.checklist.map((text, i) => ({
      text,
      value: template.ticked[i] ? 'true' : 'false',
      error: template.errors?.get(i) ?? '',
    })),
  };
}

/** The posted card's lines: the template and version it came from, and what its sender confirmed. */
export function stampLines(
  handoff: Pick<Handoff, 'template' | 'sender'>,
  name: (person: Person, capital?: boolean) => string = (person) => person.name,
): { templateLine: string; templateChecklist: string[] } {
  const stamp = handoff.template;
  if (!stamp) return { templateLine: '', templateChecklist: [] };
  const from = `the team template “${stamp.name}” (version ${stamp.version})`;
  return {
    // The items themselves are under Show details: the line says they were confirmed.
    templateLine: stamp.checklist.length > 0 ? `${name(handoff.sender, true)} confirmed the checklist of ${from}.` : `Posted from ${from}.`,
    templateChecklist: [...stamp.checklist],
  };
}

// ---- The list

/** Whether the template's author is someone other than its last changer ("created by Ada ... made by Ada" says it twice). */
const madeByOther = (t: Template) => t.author.aadObjectId !== t.changedBy.aadObjectId;

/** The `templates` card: each template with Open, Edit, Duplicate and Delete, and New template while there is room. */
export function templateListCard(input: { templates: readonly Template[]; notice?: string; timeZone?: string; now: Date }): AdaptiveCard {
  const { templates, now } = input;
  return renderCard(listTemplate, {
    subtitle:
      templates.length === 0
        ? 'None yet. A template pre-fills the handoff form and can ask for a checklist before posting: start with New template.'
        : // No angle brackets: a TextBlock's markdown drops "<name>" as a tag.
          `${templates.length} of ${TEMPLATES_MAX}. Type "new" and a template's name to start a handoff from it.`,
    notice: input.notice ?? '',
    canCreate: templates.length < TEMPLATES_MAX,
    templates: templates.map((t) => ({
      id: t.id,
      name: t.name,
      description: t.description,
      version: String(t.version),
      facts: [
        `Version ${t.version}, ${t.change} by ${t.changedBy.name}, ${formatWhen(t.changedAt, input.timeZone, now)}`,
        t.checklist.length > 0 ? `${t.checklist.length} checklist item${t.checklist.length === 1 ? '' : 's'}` : '',
        madeByOther(t) ? `made by ${t.author.name}` : '',
      ]
        .filter(Boolean)
        .join(' · '),
    })),
  });
}

// ---- Making or editing one

const TEMPLATE_FIELDS: readonly TemplateFormField[] = [
  'name',
  'description',
  'whatIsReady',
  'acceptanceCriteria',
  'assumptions',
  'links',
  'effort',
  'priority',
  'receiver',
  'owner',
  'stakeholders',
  'reviewGoal',
  'minLead',
  'checklist',
];

/** Text echoed back is cut to twice its cap, never a card Teams refuses. */
const ECHO_MAX = 2 * Math.max(READY_MAX, CRITERIA_MAX * (CRITERION_MAX + 1), CHECKLIST_MAX * (CHECK_ITEM_MAX + 1));

/** The card that makes a template (`template new`, Duplicate) or edits one (`version`: the version it edits). */
export function templateFormCard(input: {
  members: readonly Person[];
  values?: Partial<TemplateFormInput>;
  errors?: TemplateErrors;
  message?: string;
  editing?: { templateId: string; version: number; name: string };
}): AdaptiveCard {
  const values = Object.fromEntries(TEMPLATE_FIELDS.map((f) => [f, (input.values?.[f] ?? '').slice(0, ECHO_MAX)])) as Record<
    TemplateFormField,
    string
  >;
  values.priority ||= 'normal';
  return renderCard(formTemplate, {
    title: input.editing ? `Edit “${input.editing.name}” (becomes version ${input.editing.version + 1})` : 'New team template',
    templateId: input.editing?.templateId ?? '',
    version: input.editing ? String(input.editing.version) : '0',
    message: input.message ?? '',
    values,
    errors: Object.fromEntries(TEMPLATE_FIELDS.map((f) => [f, input.errors?.[f] ?? ''])),
    members: input.members.slice(0, 12).map(({ name, aadObjectId }) => ({ name, aadObjectId })),
    limits: {
      name: String(TEMPLATE_NAME_MAX),
      description: String(TEMPLATE_DESCRIPTION_MAX),
      checklist: String(CHECKLIST_MAX),
      checklistItem: String(CHECK_ITEM_MAX),
      whatIsReady: READY_MAX.toLocaleString('en-US'),
      criteria: String(CRITERIA_MAX),
      criterion: String(CRITERION_MAX),
      assumptions: String(ASSUMPTIONS_MAX),
      links: String(LINKS_MAX),
      stakeholders: String(STAKEHOLDERS_MAX),
    },
  });
}

// ---- The template's card: the loop

/** The questions the card lists; the rest are counted. */
export const QUESTIONS_SHOWN = 10;

const percent = (rate: number | undefined) => (rate === undefined ? 'none accepted yet' : `${Math.round(rate * 100)}%`);
const perHandoff = (rate: number | undefined) => (rate === undefined ? 'none' : (Math.round(rate * 10) / 10).toFixed(1));

/**
 * A template's card: what it asks, and for the last four weeks the handoffs
 * posted from it, their first-pass acceptance, their clarifications against
 * the team's other handoffs, and the questions asked on them, newest first,
 * each with Add to checklist and Add to criteria for whoever may edit it.
 * @param loop undefined where the questions may not be shown (outside the template's conversation)
 */
export function templateCard(input: {
  template: Template;
  loop: TemplateLoop;
  /** Whether the questions themselves are shown (only in the template's own conversation). */
  showQuestions: boolean;
  canEdit: boolean;
  notice?: string;
  timeZone?: string;
  now: Date;
}): AdaptiveCard {
  const { template: t, loop, now } = input;
  const when = (iso: string) => formatWhen(iso, input.timeZone, now);
  const rules = [
    t.receiver ? `the receiver ${t.receiver.name}` : '',
    t.effortMinutes === undefined ? '' : `effort ${formatEffort(t.effortMinutes)}`,
    t.priority === 'normal' ? '' : `${t.priority} priority`,
    t.reviewGoalMinutes === undefined ? '' : `review goal ${formatEffort(t.reviewGoalMinutes)}`,
    t.minLeadMinutes === undefined ? '' : `lead time at least ${formatEffort(t.minLeadMinutes)}`,
  ].filter(Boolean);
  const questions = input.showQuestions ? loop.questions : [];
  return renderCard(cardTemplate, {
    id: t.id,
    name: t.name,
    description: t.description,
    versionLine: `Version ${t.version}: ${t.change} by ${t.changedBy.name}, ${when(t.changedAt)}.${madeByOther(t) ? ` Made by ${t.author.name}.` : ''}${rules.length > 0 ? ` Pre-fills ${rules.join(', ')}.` : ''}`,
    notice: input.notice ?? '',
    canEdit: input.canEdit,
    // Duplicate and All templates act on the chat the card is in: only in the template's own.
    inItsChat: input.showQuestions,
    metrics: [
      { label: 'Handoffs posted from it', value: String(loop.posted) },
      { label: 'First-pass acceptance', value: loop.posted === 0 ? 'none posted' : percent(loop.firstPassRate) },
      {
        label: 'Clarifications per handoff',
        value:
          loop.others.posted === 0
            ? `${perHandoff(loop.clarificationsPerHandoff)} (no other handoffs here to compare with)`
            : `${perHandoff(loop.clarificationsPerHandoff)} (the team's other handoffs: ${perHandoff(loop.others.clarificationsPerHandoff)})`,
      },
    ],
    checklist: [...t.checklist],
    criteria: [...t.acceptanceCriteria],
    questions: questions.slice(0, QUESTIONS_SHOWN).map((q) => ({
      text: q.text,
      about: `${q.by.name}, ${when(q.at)}, on “${q.summary}”`,
      handoffId: q.handoffId,
      seq: String(q.seq),
    })),
    questionsMore: input.showQuestions
      ? questions.length > QUESTIONS_SHOWN
        ? `${questions.length - QUESTIONS_SHOWN} older questions not shown.`
        : ''
      : loop.questions.length > 0
        ? `${loop.questions.length} question${loop.questions.length === 1 ? '' : 's'}: open the template in its chat to see them.`
        : '',
  });
}

// ---- The weekly summary's template rows (issue 26)

/** Per team, the summary shows the most used templates' rows, and the templates to improve, worst first (the email stays under 25 KB). */
const SUMMARY_TEMPLATE_ROWS = 3;
const SUMMARY_IMPROVE_ROWS = 2;

const toImprove = (team: Pick<TeamSummary, 'templates'>) =>
  team.templates
    .filter((row) => row.improve)
    .sort((a, b) => (b.clarificationsPerHandoff ?? 0) - (a.clarificationsPerHandoff ?? 0))
    .slice(0, SUMMARY_IMPROVE_ROWS);

/**
 * A team's template rows and its templates to improve, for the summary's
 * cards. In Teams each has a button to the template's card; the email's card
 * says where to open it instead (a Teams card in an email would replace it).
 */
export function templateSummaryElements(
  team: Pick<TeamSummary, 'conversationId' | 'templates'>,
  inTeams: boolean,
): Record<string, unknown>[] {
  const rows = team.templates.slice(0, SUMMARY_TEMPLATE_ROWS).map((row) => ({
    type: 'TextBlock',
    text: templateRowLine(row),
    wrap: true,
    isSubtle: true,
    size: 'Small',
    spacing: 'None',
  }));
  const improve = toImprove(team).map((row) => ({
    type: 'Container',
    style: 'warning',
    spacing: 'Small',
    items: [
      // A TextRun is never read as markdown: the line quotes the template's name.
      {
        type: 'RichTextBlock',
        inlines: [{ type: 'TextRun', text: inTeams ? improveLine(row) : `${improveLine(row)} Type templates in that chat to open it.` }],
      },
      ...(inTeams
        ? [
            {
              type: 'ActionSet',
              actions: [
                {
                  type: 'Action.Execute',
                  title: `Open “${row.name}”`,
                  verb: TEMPLATE_VERBS.show,
                  data: { templateId: row.templateId, conversationId: team.conversationId },
                },
              ],
            },
          ]
        : []),
    ],
  }));
  return [...rows, ...improve];
}

/** The same in the email's HTML body. */
export function templateSummaryHtml(team: Pick<TeamSummary, 'templates'>, escape: (value: string) => string): string {
  const rows = team.templates.slice(0, SUMMARY_TEMPLATE_ROWS).map((row) => `<li>${escape(templateRowLine(row))}</li>`);
  const improve = toImprove(team).map(
    (row) => `<li><b>${escape(improveLine(row))}</b> (type <b>templates</b> in that chat to open it)</li>`,
  );
  return rows.length + improve.length === 0 ? '' : `<ul>${[...rows, ...improve].join('')}</ul>`;
}
