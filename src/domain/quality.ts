/**
 * Quality hints: the article's pitfalls (vague handoffs, over-documentation,
 * no links, no estimate) as warnings the sender sees before posting. Unlike the
 * hard rules they never block: the sender may post anyway.
 */
import { formatEffort } from './effort';
import type { HandoffFields } from './handoff';
import { formatDay } from './time-format';

/** Past this a one-sentence summary reads like a paragraph. */
export const SUMMARY_PARAGRAPH = 140;

const VAGUE_WORDS = new Set([
  'works',
  'working',
  'done',
  'ok',
  'okay',
  'fine',
  'good',
  'complete',
  'finished',
  'ready',
  'tested',
  'fixed',
  'n/a',
  'tbd',
]);
/** A measurable check names an action or a number: "passes", "returns 200", "under 2 s". */
const MEASURABLE =
  /\d|\b(pass(es)?|fail(s)?|return(s)?|show(s)?|display(s)?|respond(s)?|load(s)?|build(s)?|run(s)?|contain(s)?|match(es)?|send(s)?|create(s)?|reject(s)?|accept(s)?|open(s)?|save(s)?|log(s)?|deploy(s|ed)?|merge(d|s)?|reach(es)?|complete(s)? in|no (errors?|warnings?)|is|are|has|have|can|must|should|will)\b/i;

/** Why a criterion is vague, or undefined when it reads like a check someone can run. */
export function vagueCriterion(criterion: string): string | undefined {
  const words = criterion
    .trim()
    .toLowerCase()
    .replace(/[.!]+$/, '')
    .split(/\s+/);
  if (words.length === 1) return 'a single word';
  if (words.every((w) => VAGUE_WORDS.has(w) || ['it', 'all', 'is', 'everything', 'and'].includes(w)))
    return 'says only that it works or is done';
  if (!MEASURABLE.test(criterion)) return 'names no action or number to check';
  return undefined;
}

/** How much of the receiver's working time is left before the needed-by date, when that is less than the effort. */
export interface Lateness {
  receiver: string;
  availableMinutes: number;
  /** When it was worked out: the date is written as of then (the year only when it is not this one). */
  now: Date;
}

/**
 * The warnings for a form that passes the hard rules.
 * @param late set when the receiver has less working time before the needed-by date than the effort needs
 */
export function qualityHints(fields: HandoffFields, late?: Lateness): string[] {
  const hints: string[] = [];
  if (fields.summary.length > SUMMARY_PARAGRAPH)
    hints.push(`The summary is ${fields.summary.length} characters: one short sentence reads faster; put details in "What is ready".`);
  const vague = fields.acceptanceCriteria.map((c) => [c, vagueCriterion(c)] as const).filter(([, why]) => why !== undefined);
  for (const [criterion, why] of vague.slice(0, 3))
    hints.push(`"${criterion.slice(0, 60)}" is not measurable (${why}): say what the receiver will check.`);
  if (fields.links.length === 0) hints.push('No links: add the PR, ticket or document the receiver will need.');
  if (fields.effortMinutes === undefined)
    hints.push('No effort estimate: the receiver cannot plan, and Baton cannot tell whether the handoff is late.');
  if (late && fields.effortMinutes !== undefined && fields.neededBy !== undefined) {
    const left = late.availableMinutes === 0 ? 'no working time' : `${formatEffort(late.availableMinutes)} of working time`;
    hints.push(
      `It will be late: ${late.receiver} has ${left} before the end of ${formatDay(fields.neededBy, late.now)}, and it needs ${formatEffort(fields.effortMinutes)}. Move the date, or say so to them.`,
    );
  }
  return hints;
}
