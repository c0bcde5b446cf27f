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
