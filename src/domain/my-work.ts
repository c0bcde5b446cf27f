/**
 * "What waits on me": a person's open handoffs, grouped by the step that
 * needs them (the `mine` command).
 */
import { FINAL, type Handoff, rolesOf } from './handoff';

export const WAIT_GROUPS = ['toReview', 'toAnswer', 'toFix', 'toClose', 'waitingOnOthers'] as const;
export type WaitGroup = (typeof WAIT_GROUPS)[number];

export const WAIT_GROUP_TITLES: Record<WaitGroup, string> = {
  toReview: 'To review',
  toAnswer: 'To answer',
  toFix: 'To fix and resubmit',
  toClose: 'To close',
  waitingOnOthers: 'Waiting on others',
};

/** Which group a handoff falls in for a person, or undefined when it is final or not theirs. */
export function waitGroup(handoff: Handoff, aadObjectId: string): WaitGroup | undefined {
  if (FINAL.has(handoff.status)) return undefined;
  const roles = rolesOf(handoff, aadObjectId);
  if (roles.size === 0) return undefined;
  if (handoff.status === 'inReview' && roles.has('receiver')) return 'toReview';
  if (handoff.status === 'questionAsked' && roles.has('sender')) return 'toAnswer';
  if (handoff.status === 'changesRequested' && roles.has('sender')) return 'toFix';
  if (handoff.status === 'accepted' && roles.has('owner')) return 'toClose';
  return 'waitingOnOthers';
}

/** Groups handoffs for a person, newest first within each group. */
export function groupMyWork(handoffs: readonly Handoff[], aadObjectId: string): Record<WaitGroup, Handoff[]> {
  const groups = Object.fromEntries(WAIT_GROUPS.map((g) => [g, [] as Handoff[]])) as Record<WaitGroup, Handoff[]>;
  for (const handoff of [...handoffs].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))) {
    const group = waitGroup(handoff, aadObjectId);
    if (group) groups[group].push(handoff);
  }
  return groups;
}
