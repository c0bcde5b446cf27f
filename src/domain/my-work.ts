/**
 * "What waits on me": a person's open handoffs, grouped by the step that
 * needs them (the `mine` command, and search's `mine` filter). Mine means
 * the person sends, receives or owns it; a stakeholder follows a handoff
 * through the weekly summary instead.
 */
import { dueClause, dueView, neededByPassed, waitingSince, waitsOnSomeoneAway } from './due';
import { ballHolder, isBlocked, type Listing, rolesOf, STATUS } from './handoff';
import { relativeWhen } from './time-format';

export const WAIT_GROUPS = ['blocked', 'toReview', 'toAnswer', 'toFix', 'toClose', 'waitingOnAway', 'waitingOnOthers'] as const;
export type WaitGroup = (typeof WAIT_GROUPS)[number];

export const WAIT_GROUP_TITLES: Record<WaitGroup, string> = {
  blocked: 'Blocked',
  toReview: 'To review',
  toAnswer: 'To answer',
  toFix: 'To fix and resubmit',
  toClose: 'To close',
  waitingOnAway: 'Waiting on someone away',
  waitingOnOthers: 'Waiting on others',
};

/** Whether the person sends, receives or owns the handoff: what `mine` and search's `mine` filter mean. */
export function isMine(handoff: Listing, aadObjectId: string): boolean {
  const roles = rolesOf(handoff, aadObjectId);
  return roles.has('sender') || roles.has('receiver') || roles.has('owner');
}

/**
 * Which group a handoff falls in for a person, or undefined when it is final or not theirs.
 * @param now with it, what waits on someone else who is away now is under a heading of its own (never overdue)
 */
export function waitGroup(handoff: Listing, aadObjectId: string, now?: Date): WaitGroup | undefined {
  if (STATUS[handoff.status].final || !isMine(handoff, aadObjectId)) return undefined;
  const roles = rolesOf(handoff, aadObjectId);
  // Blocked means blocked, for everyone on it: nobody's review or answer runs until it is unblocked.
  if (isBlocked(handoff)) return 'blocked';
  if (handoff.status === 'inReview' && roles.has('receiver')) return 'toReview';
  if (handoff.status === 'questionAsked' && roles.has('sender')) return 'toAnswer';
  if (handoff.status === 'changesRequested' && roles.has('sender')) return 'toFix';
  if (handoff.status === 'accepted' && roles.has('owner')) return 'toClose';
  return now && waitsOnSomeoneAway(handoff, now) ? 'waitingOnAway' : 'waitingOnOthers';
}

/** Groups handoffs for a person at `now`, the longest waiting first within each group (waiting since the holder got the ball). */
export function groupMyWork<T extends Listing>(handoffs: readonly T[], aadObjectId: string, now: Date): Record<WaitGroup, T[]> {
  const groups = Object.fromEntries(WAIT_GROUPS.map((g) => [g, [] as T[]])) as Record<WaitGroup, T[]>;
  const since = (h: T) => waitingSince(h) ?? h.updatedAt;
  for (const handoff of [...handoffs].sort((a, b) => since(a).localeCompare(since(b)))) {
    const group = waitGroup(handoff, aadObjectId, now);
    if (group) groups[group].push(handoff);
  }
  return groups;
}

/** What a list says of one handoff: who waits on whom and since when (it may quote the blocker), and when its step is due ('' for none). */
export interface WaitLine {
  detail: string;
  due: string;
}

/**
 * Who waits on whom, since when, and when it is due: "Grace Hopper asked you
 * a question · 3 hours ago" and "overdue by 2 h of your working time (due
 * …)". Blocked work says what blocks it, who is on it and when unblocking is
 * due. A card shows the two apart: the due time in the client's DATE and
 * TIME, which only a TextBlock renders, the detail (which may quote what
 * someone typed) as plain text.
 * @param when writes an instant: the client's DATE and TIME on a card
 * @param viewerId the reader: "you", not their name
 */
export function waitLine(handoff: Listing, group: WaitGroup, now: Date, when: (iso: string) => string, viewerId?: string): WaitLine {
  const view = dueView(handoff, now);
  return { detail: waitText(handoff, group, now, viewerId), due: view ? dueClause(view, when, true, viewerId) : '' };
}

function waitText(handoff: Listing, group: WaitGroup, now: Date, viewerId: string | undefined): string {
  const since = relativeWhen(waitingSince(handoff) ?? handoff.updatedAt, now);
  switch (group) {
    case 'blocked':
      return `Blocked: ${handoff.blocker} · ${handoff.sender.aadObjectId === viewerId ? 'you are' : `${handoff.sender.name} is`} on it · ${since}`;
    case 'toReview':
      return handoff.version > 1
        ? `${handoff.sender.name} resubmitted version ${handoff.version} · ${since}`
        : `From ${handoff.sender.name} · ${since}`;
    case 'toAnswer':
      return `${handoff.question?.by.name ?? handoff.receiver.name} asked you a question · ${since}`;
    case 'toFix':
      return `${handoff.decision?.by.name ?? handoff.receiver.name} asked for changes · ${since}`;
    case 'toClose':
      return `${handoff.decision?.by.name ?? handoff.receiver.name} accepted it · ${since}`;
    case 'waitingOnAway':
    case 'waitingOnOthers': {
      const holder = ballHolder(handoff);
      const step = {
        inReview: 'to review',
        questionAsked: 'to answer a question',
        changesRequested: 'to make changes',
        accepted: 'to close it',
      }[handoff.status as 'inReview'];
      return holder ? `Waiting on ${holder.name} ${step} · ${since}` : since;
    }
  }
}

/** The groups in which the person holds the ball: what a daily digest lists as waiting on them. */
const THEIRS: readonly WaitGroup[] = ['toReview', 'toAnswer', 'toFix', 'toClose'];

/**
 * A daily digest's groups: what waits on the person (blocked work they must
 * unblock first), then what was escalated to them as its owner (a step a
 * goal overdue, or a needed-by date passed); empty groups left out.
 * @param when writes a due time (see waitLine)
 */
export function digestGroups(
  handoffs: readonly Listing[],
  aadObjectId: string,
  now: Date,
  when: (iso: string) => string,
): { title: string; handoffs: ({ handoff: Listing } & WaitLine)[] }[] {
  const groups = groupMyWork(handoffs, aadObjectId, now);
  const line = (group: WaitGroup) => (handoff: Listing) => ({ handoff, ...waitLine(handoff, group, now, when, aadObjectId) });
  const unblock = groups.blocked.filter((h) => h.sender.aadObjectId === aadObjectId);
  // What waits on someone away is not escalated: nothing of it is overdue until they are back.
  const escalated = [...groups.blocked, ...groups.waitingOnOthers].filter(
    (h) =>
      h.owner.aadObjectId === aadObjectId &&
      ballHolder(h)?.aadObjectId !== aadObjectId &&
      (h.clock?.level === 2 || (STATUS[h.status].open && neededByPassed(h, now))),
  );
  return [
    { title: 'To unblock', handoffs: unblock.map(line('blocked')) },
    ...THEIRS.map((g) => ({ title: WAIT_GROUP_TITLES[g], handoffs: groups[g].map(line(g)) })),
    { title: 'Escalated to you', handoffs: escalated.map((h) => line(isBlocked(h) ? 'blocked' : 'waitingOnOthers')(h)) },
  ].filter((g) => g.handoffs.length > 0);
}
