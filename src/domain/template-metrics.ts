/**
 * The loop from questions back to the template (issue 26): for the handoffs
 * of a team (a conversation) posted in a window (the last four weeks), how
 * each template's handoffs fared against the team's other handoffs, and
 * which questions were asked on them. Pure and exact, like metrics.ts.
 */
import type { Person } from './handoff';
import type { HandoffHistory, Week } from './metrics';

/** The loop looks back four weeks. */
export const LOOP_DAYS = 28;

/** The summary names a template to improve from this many handoffs posted from it... */
export const IMPROVE_MIN_HANDOFFS = 5;
/** ...whose clarifications per handoff are at least this many times the team's other handoffs'. */
export const IMPROVE_RATIO = 2;

/** The four weeks up to `end`. */
export function loopWindow(end: Date): Week {
  return { start: new Date(end.getTime() - LOOP_DAYS * 86_400_000).toISOString(), end: end.toISOString() };
}

export interface Fared {
  /** Handoffs posted in the window. */
  posted: number;
  /** Of those, accepted by the window's end. */
  accepted: number;
  /** Of those accepted, the share accepted at version 1 with no change request. */
  firstPassRate: number | undefined;
  /** Questions asked on them (by the window's end), per handoff posted. */
  clarifications: number;
  clarificationsPerHandoff: number | undefined;
}

export interface AskedQuestion {
  handoffId: string;
  /** The question's event, so Add to checklist reads the question from the history, not from the card. */
  seq: number;
  text: string;
  by: Person;
  at: string;
  summary: string;
}

export interface TemplateLoop extends Fared {
  /** The team's other handoffs (not from this template) over the same window. */
  others: Fared;
  /** The questions asked on the template's handoffs, newest first. */
  questions: AskedQuestion[];
}

const postedIn = (h: HandoffHistory, window: Week) => {
  const at = h.events[0]?.at;
  return at !== undefined && at >= window.start && at < window.end;
};

/** How a set of handoffs fared: posted, first-pass acceptance, clarifications per handoff. */
function fared(histories: readonly HandoffHistory[], window: Week): Fared {
  const posted = histories.filter((h) => postedIn(h, window));
  let accepted = 0;
  let firstPass = 0;
  let clarifications = 0;
  for (const { events } of posted) {
    const seen = events.filter((e) => e.at < window.end);
    clarifications += seen.filter((e) => e.type === 'questionAsked').length;
    const acceptance = seen.find((e) => e.type === 'accepted');
    if (!acceptance) continue;
    accepted += 1;
    const before = seen.slice(0, seen.indexOf(acceptance));
    if (acceptance.version === 1 && !before.some((e) => e.type === 'changesRequested')) firstPass += 1;
  }
  return {
    posted: posted.length,
    accepted,
    firstPassRate: accepted === 0 ? undefined : firstPass / accepted,
    clarifications,
    clarificationsPerHandoff: posted.length === 0 ? undefined : clarifications / posted.length,
  };
}

/** One template's loop, from the team's handoffs. */
export function templateLoop(team: readonly HandoffHistory[], templateId: string, window: Week): TemplateLoop {
  const from = team.filter((h) => h.handoff.template?.id === templateId);
  const others = team.filter((h) => h.handoff.template?.id !== templateId);
  const questions = from
    .filter((h) => postedIn(h, window))
    .flatMap(({ handoff, events }) =>
      events
        .filter((e) => e.type === 'questionAsked' && e.at < window.end)
        .map((e) => ({ handoffId: handoff.id, seq: e.seq, text: e.comment, by: e.actor, at: e.at, summary: handoff.summary })),
    )
    .sort((a, b) => b.at.localeCompare(a.at) || b.seq - a.seq);
  return { ...fared(from, window), others: fared(others, window), questions };
}

export interface TemplateRow extends Fared {
  templateId: string;
  /** The name its newest handoff in the window was posted under. */
  name: string;
  /** The team's other handoffs' clarifications per handoff, over the same window. */
  othersPerHandoff: number | undefined;
  /** Twice the team's others' clarifications or more, over enough handoffs: the summary names it to improve. */
  improve: boolean;
}

/** Every template with handoffs posted in the window, most used first: the summary's per-template rows. */
export function templateRows(team: readonly HandoffHistory[], window: Week): TemplateRow[] {
  const ids = new Map<string, string>();
  for (const h of [...team].filter((x) => postedIn(x, window)).sort((a, b) => a.handoff.createdAt.localeCompare(b.handoff.createdAt)))
    if (h.handoff.template) ids.set(h.handoff.template.id, h.handoff.template.name);
  return [...ids]
    .map(([templateId, name]) => {
      const loop = templateLoop(team, templateId, window);
      const mine = loop.clarificationsPerHandoff ?? 0;
      const theirs = loop.others.clarificationsPerHandoff ?? 0;
      const improve = loop.posted >= IMPROVE_MIN_HANDOFFS && mine > 0 && mine >= IMPROVE_RATIO * theirs;
      const { questions: _questions, others, ...fields } = loop;
      return { ...fields, templateId, name, othersPerHandoff: others.clarificationsPerHandoff, improve };
    })
    .sort((a, b) => b.posted - a.posted || a.name.localeCompare(b.name));
}

/** "Handoffs from 'Release to QA' had 2.4 questions each (team: 0.8)". */
export function improveLine(row: TemplateRow): string {
  const one = (n: number | undefined) => (Math.round((n ?? 0) * 10) / 10).toFixed(1);
  return `Handoffs from “${row.name}” had ${one(row.clarificationsPerHandoff)} questions each (team: ${one(row.othersPerHandoff)}): add what they keep asking to its checklist or criteria.`;
}

/** A template's row in the summary: "“Release to QA”: 6 handoffs, first-pass 50%, 2.4 clarifications each (the team's others: 0.8)". */
export function templateRowLine(row: TemplateRow): string {
  const one = (n: number | undefined) => (n === undefined ? 'none' : (Math.round(n * 10) / 10).toFixed(1));
  const firstPass = row.firstPassRate === undefined ? 'none accepted yet' : `first-pass ${Math.round(row.firstPassRate * 100)}%`;
  return `“${row.name}”: ${row.posted} handoff${row.posted === 1 ? '' : 's'} in four weeks, ${firstPass}, ${one(row.clarificationsPerHandoff)} clarifications each (the team's others: ${one(row.othersPerHandoff)})`;
}
