/**
 * Quality hints: the article's pitfalls (vague handoffs, over-documentation,
 * no links, no estimate) as warnings the sender sees before posting. Unlike the
 * hard rules they never block: the sender may post anyway.
 */
import type { HandoffFields } from './handoff';
import { asWorkingTime, formatDay, formatWorkingTime } from './time-format';

/** Past this a one-sentence summary reads like a paragraph. */
export const SUMMARY_PARAGRAPH = 140;

/*
 * Is a criterion measurable? (issue 22). A receiver must be able to check it
 * and reach a yes or no without asking what was meant. The rule reads three
 * signals, in order; the first that fires is the reason given:
 *   1. a single word ("Done", "Responsive");
 *   2. a judgement word ("nice", "works", "looks good", "improved") with no
 *      measure beside it: a measure is a threshold, an explicit zero, a
 *      comparison with a reference, a sign-off or a behaviour to watch;
 *   3. no check at all: no measure, no number and nothing named (a test,
 *      report, page or file, or a proper name such as Zendesk or Maria).
 * Scored on the hand-labelled set in test/fixtures/acceptance-criteria.json.
 */

/** Taste or interpretation: it holds only if a measure stands beside it ("fast" vs "under 2 s"). */
const JUDGEMENT =
  /\b(as expected|makes? sense|under control|user[- ]friendly|best practices?|high quality|top quality|(?:looks?|looking|feels?|seems?) \w+|works|working|fine|ok|okay|good|better|great|nice|clean|tidy|fast|faster|quick|snappy|smooth(?:ly)?|improved?|(?<!as )well|properly|clear|robust|stable|solid|reliable|secure|modern|intuitive|polished|professional|engaging|happy|healthy|healthier|reasonable|sensible|accurate|enough|roughly|done|ready|sorted|aligned|optimi[sz]ed|compliant|consistent)\b/i;

/** The measures: each says how to check, so it outweighs a judgement word. */
const MEASURES: readonly RegExp[] = [
  // A threshold, a comparison before a number: "under 2 s", "at least 80%", "before 06:00", "≥ 25%".
  /(?:[<>≤≥=]|\b(?:under|below|above|over|at (?:least|most)|no more than|(?:less|more|fewer|greater|lower|higher) than|within|before|after|by|until|up to|exactly|from|to)\b)\s*(?:the\s+)?[$£€]?\d/i,
  // An explicit zero: "zero", "0 failures", "has no warnings", "without errors", "No errors on the page"
  // (but not a bare "No bugs" or "No issues with the accounts", which name no place to look).
  /\b(?:zero|none|without)\b|(?:^|\s)0\b|\S\s+\(?no\s+\w|^no\s+(?:[\w-]+\s+){1,3}(?:on|in|at|for|from|during|after|outside)\b/i,
  // A comparison with a reference: "matches the statement", "equals the source table", "word for word".
  /\b(?:match(?:es)?|equals?|equal to|agrees? with|ties? to|same \w+ (?:as|each)|follows the|word for word)\b/i,
  // A sign-off: "Jane approves it", "Legal has signed off", "confirms by email", "in writing".
  /\b(?:approv(?:e|es|ed|al)|sign(?:s|ed)?[- ]off|countersigned|confirms?|in writing)\b/i,
  // Something each item has, which anyone can count: "Every string has a translator note", "All rows have an owner".
  /\b(?:every|each|all)\s+(?:[\w-]+\s+){1,2}(?:has|have)\s+(?:(?:a|an|its|their|one)\s+)?[\w-]+/i,
  // A behaviour or state someone can watch: "returns", "shows", "rejects", "is published", "has all items ticked".
  /\b(?:pass(?:es)?|fails?|returns?|shows?|displays?|lists?|prints?|sends?|sent|rejects?|blocks?|opens?|routes?|writes?|contains?|containing|carry|carries|loads|loaded|logs|logged|redirects?|creates?|saves?|saved|stores?|stored|exports|exported|merged|posted|published|submitted|scheduled|issued|attached|linked|tagged|assigned|ticked|completes|completed|exists?|present|defaults? to)\b/i,
];

/** The mentions: a number ("2", "two") or something named; enough when no judgement word is there. */
const MENTIONS: readonly RegExp[] = [
  /\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twice)\b/i,
  // A named test, report, file, page or system (in lower case: a capitalised first word only starts the sentence)...
  /\b(?:tests?|suite|report|file|page|dashboard|spec|sheet|template|folder|register|portal|checklist|query|list|column|table|config|settings|endpoint|form|field|email|link|receipt|queue|segment|account|statement|scan|command|script|footer|runbook|readme|wiki|section|chapter|document|guide|manual)\b/,
  // ...or a proper name after the first word: "in Zendesk", "Maria", "the 'Brand v3' library", "CI".
  /\s['"‘“`]?[A-Z][\w&/-]*/,
];

/** The reasons, in words a sender understands. */
const SINGLE_WORD = 'a single word';
const NO_CHECK = 'names no check: no number, named test or observable result';
const judgementReason = (word: string) => `“${word}” is a judgement: name what to check`;

/** Why a criterion is vague, or undefined when it names a check someone can run. */
export function vagueCriterion(criterion: string): string | undefined {
  const text = criterion
    .trim()
    .replace(/^(?:[-*•]|\d+[.)])\s+/, '') // a list marker: "- ", "1) ", "2. "
    .replace(/[.!?]+$/, '');
  if (!/\s/.test(text)) return SINGLE_WORD;
  const measured = MEASURES.some((measure) => measure.test(text));
  const judgement = JUDGEMENT.exec(text);
  if (judgement && !measured) return judgementReason(judgement[0].toLowerCase());
  if (!measured && !MENTIONS.some((mention) => mention.test(text))) return NO_CHECK;
  return undefined;
}

/** At most this many characters of a criterion are quoted in its hint, before the "…". */
const QUOTE_MAX = 60;

/** The criterion as quoted in a hint: whole, or cut at the last word that fits in QUOTE_MAX characters, then "…". */
function quoted(criterion: string): string {
  if (criterion.length <= QUOTE_MAX) return criterion;
  // One character more than fits: when it is a space, the QUOTE_MAX characters end on a whole word.
  const room = criterion.slice(0, QUOTE_MAX + 1);
  const atWord = room.search(/\s\S*$/);
  // A first word longer than QUOTE_MAX (a pasted URL) has no word to cut at: it is cut at QUOTE_MAX.
  const cut = atWord > 0 ? room.slice(0, atWord) : room.slice(0, QUOTE_MAX);
  return `${cut.replace(/[\s,;:–—-]+$/, '')}…`;
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
    hints.push(`"${quoted(criterion)}" is not measurable (${why}): say what the receiver will check.`);
  if (fields.links.length === 0) hints.push('No links: add the PR, ticket or document the receiver will need.');
  if (fields.effortMinutes === undefined)
    hints.push('No effort estimate: the receiver cannot plan, and Baton cannot tell whether the handoff is late.');
  if (late && fields.effortMinutes !== undefined && fields.neededBy !== undefined) {
    const left = late.availableMinutes === 0 ? 'no working time' : asWorkingTime(late.availableMinutes);
    hints.push(
      `It will be late: ${late.receiver} has ${left} before the end of ${formatDay(fields.neededBy, late.now)}, and it needs ${formatWorkingTime(fields.effortMinutes)}. Move the date, or say so to them.`,
    );
  }
  return hints;
}
