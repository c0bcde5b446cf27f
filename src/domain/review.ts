/**
 * The Review step's state machine: who may decide a handoff, and what a
 * decision changes. Every accepted action yields exactly one history event.
 */
import { DECIDED, type Handoff, type HandoffEvent, type Person, rolesOf } from './handoff';

export const REVIEW_ACTIONS = ['accept', 'requestChanges'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

export const MAX_COMMENT_LENGTH = 2000;

export type Refusal =
  | { code: 'forbidden'; message: string }
  | { code: 'alreadyDecided'; message: string }
  | { code: 'invalid'; message: string };

export type ReviewResult =
  | { ok: true; handoff: Handoff; event: HandoffEvent }
  | { ok: false; refusal: Refusal };

const DECIDED_WORDS: Record<string, string> = {
  accepted: 'accepted',
  changesRequested: 'sent back with a change request',
};

/** Explains a decided handoff in one line, for the person who clicked too late. */
export function describeDecision(handoff: Handoff): string {
  const { decision } = handoff;
  if (!decision) return 'This handoff is waiting for review.';
  return `This handoff was already ${DECIDED_WORDS[decision.status]} by ${decision.by.name} at ${decision.at}.`;
}

/**
 * Applies a receiver's decision. Pure: returns the next handoff and its event,
 * or the reason nothing changes.
 */
export function review(
  handoff: Handoff,
  action: ReviewAction,
  actor: Person,
  at: string,
  comment = '',
): ReviewResult {
  if (DECIDED.has(handoff.status)) {
    return { ok: false, refusal: { code: 'alreadyDecided', message: describeDecision(handoff) } };
  }
  if (!rolesOf(handoff, actor.aadObjectId).has('receiver')) {
    return {
      ok: false,
      refusal: { code: 'forbidden', message: `Only ${handoff.receiver.name}, the receiver, can review this handoff.` },
    };
  }
  const note = comment.trim();
  if (action === 'requestChanges' && note === '') {
    return { ok: false, refusal: { code: 'invalid', message: 'Say what needs to change: a comment is required.' } };
  }
  if (note.length > MAX_COMMENT_LENGTH) {
    return { ok: false, refusal: { code: 'invalid', message: `Keep the comment to ${MAX_COMMENT_LENGTH} characters at most.` } };
  }
  const status = action === 'accept' ? 'accepted' : 'changesRequested';
  const seq = handoff.eventCount + 1;
  const next: Handoff = {
    ...handoff,
    status,
    decision: { status, by: actor, at, comment: note },
    updatedAt: at,
    eventCount: seq,
  };
  const event: HandoffEvent = { handoffId: handoff.id, seq, type: status, actor, at, comment: note };
  return { ok: true, handoff: next, event };
}
