/**
 * Who is told what, 1:1, when a handoff changes. Pure: the application layer
 * turns each notice into an outbox row, delivered after the change commits.
 *
 * Calm by rule: a person's action tells the people it concerns, each once,
 * never the actor; what the overdue check finds is one reminder per person
 * and check, whatever it did (a nudge, an escalation, a passed needed-by
 * date), naming what the reader must do and offering it as a button.
 */
import { BATON, type Handoff, type HandoffEvent, isBlocked, type Person, type Step, type StepClock } from './handoff';
import { formatDay, formatWhenIn } from './time-format';
import { zoneForText } from './working-hours';

/** What a message offers its reader: open the handoff there (with their role's buttons), or one of these at once. */
export type NoticeButton = 'open' | 'close' | 'nudge' | 'reassign';

export interface Notice {
  to: Person;
  headline: string;
  /** What the actor wrote, quoted under the headline; '' for none. */
  quote: string;
  /** The event it is about, for logs. */
  about: string;
  buttons: NoticeButton[];
}

/** The timer's events: told as one reminder per person ({@link remindersFor}), not one message each. */
const TIMER_EVENTS: ReadonlySet<HandoffEvent['type']> = new Set(['overdue', 'escalated', 'neededByPassed']);

/** Whether an event is the overdue check's (or Baton's automatic close). */
export function isReminder(event: HandoffEvent): boolean {
  return TIMER_EVENTS.has(event.type) || (event.type === 'closed' && event.actor.aadObjectId === BATON.aadObjectId);
}

type Plan = { to: Person; headline: string; buttons?: NoticeButton[] }[];

/** The people a person's action concerns and what each reads; never the person who acted, each person once. */
export function noticesFor(handoff: Handoff, event: HandoffEvent): Notice[] {
  if (isReminder(event)) return [];
  const by = event.actor.name;
  const { sender, receiver, owner } = handoff;
  const plan = ((): Plan => {
    switch (event.type) {
      case 'questionAsked':
        return [
          { to: sender, headline: `${by} asked you a question about your handoff: answer it to give the review back.`, buttons: ['open'] },
        ];
      case 'changesRequested':
        return [{ to: sender, headline: `${by} asked you for changes to your handoff: edit and resubmit it.`, buttons: ['open'] }];
      case 'accepted':
        // The owner's job first: a sender who also owns it is told to close it, once.
        return [
          { to: owner, headline: `${by} accepted the handoff you own: close it once its work is done.`, buttons: ['close'] },
          { to: sender, headline: `${by} accepted your handoff.` },
        ];
      case 'answered':
        return [{ to: receiver, headline: `${by} answered your question: the review is yours again.`, buttons: ['open'] }];
      case 'resubmitted':
        return [{ to: receiver, headline: `${by} resubmitted the handoff for your review (${event.detail}).`, buttons: ['open'] }];
      case 'reassigned': {
        const from = handoff.reassigned?.whileAway ? handoff.reassigned.from : undefined;
        const headline = !from
          ? `${by} handed this handoff to you to review.`
          : from.aadObjectId === event.actor.aadObjectId
            ? `${by} is away and handed this handoff to you to review.`
            : `${by} handed this handoff to you to review while ${from.name} is away.`;
        return [{ to: receiver, headline, buttons: ['open'] }];
      }
      case 'workStateChanged':
        // Blocked means blocked: the receiver's review waits until whoever unblocks it is done, and resumes then.
        return handoff.status === 'inReview'
          ? [
              {
                to: receiver,
                headline: isBlocked(handoff)
                  ? `${by} marked the handoff Blocked (${handoff.blocker}): your review waits, and its clock stops, until it is unblocked.`
                  : `${by} unblocked the handoff: your review resumes.`,
                buttons: isBlocked(handoff) ? [] : ['open'],
              },
            ]
          : [];
      case 'nudged':
        // Someone who never installed Baton cannot be written to: the owner's card says so instead.
        return handoff.lastNudge?.reached
          ? [{ to: handoff.lastNudge.to, headline: `${by}, the owner, nudged you: ${yourStep(handoff)} waits on you.`, buttons: ['open'] }]
          : [];
      case 'cancelled':
        return [receiver, owner].map((to) => ({ to, headline: `${by} cancelled the handoff.` }));
      case 'priorityFlagged':
        return [owner, receiver].map((to) => ({ to, headline: `${by} flagged the priority as ${handoff.priority}.` }));
      default:
        return [];
    }
  })();
  const told = new Set<string>([event.actor.aadObjectId]);
  return plan.flatMap(({ to, headline, buttons = [] }) => {
    if (told.has(to.aadObjectId)) return [];
    told.add(to.aadObjectId);
    return [{ to, headline, quote: event.comment, about: event.type, buttons }];
  });
}

const STEP_TEXT: Record<Step, string> = {
  review: 'review',
  answer: 'answer to the question',
  fix: 'changes asked for',
  close: 'close',
  unblock: 'unblocking',
};

/** "your review", "your answer to the question": the step that waits on its holder, in their words. */
function yourStep(handoff: Pick<Handoff, 'clock'>): string {
  return handoff.clock ? `your ${STEP_TEXT[handoff.clock.step]}` : 'the handoff';
}

/** "Grace Hopper's review", or "unblocking Ada Lovelace's handoff" for the unblock step. */
function whose(clock: StepClock): string {
  return clock.step === 'unblock' ? `unblocking the handoff (${clock.holder.name})` : `${clock.holder.name}'s ${STEP_TEXT[clock.step]}`;
}

/**
 * What the overdue check tells, and whom, for everything it did to a handoff
 * in one check: one message per person, folding the nudge, the escalation and
 * the needed-by date they are owed. The holder is nudged (the owner instead
 * when Baton cannot reach the holder); the owner hears of an escalation, a
 * passed needed-by date and an automatic close. Times in the reader's zone.
 * @param handoff the handoff as the check left it
 * @param events what the check did, oldest first
 */
export function remindersFor(handoff: Handoff, events: readonly HandoffEvent[]): Notice[] {
  const reminders = events.filter(isReminder);
  if (reminders.length === 0) return [];
  const at = new Date(reminders.at(-1)!.at);
  const clock = handoff.clock;
  const { owner } = handoff;
  const ownerZone = clock ? zoneForText(clock.ownerHours) : undefined;
  // A reminder is for a step with a due time (an absence with no return has none, and nothing is due then).
  const when = (iso: string | undefined, zone: string | undefined) => formatWhenIn(iso ?? at, zone, at);
  const did = new Set(reminders.map((e) => e.type));
  const unreached =
    did.has('overdue') && handoff.lastNudge?.by.aadObjectId === BATON.aadObjectId && !handoff.lastNudge.reached
      ? handoff.lastNudge.to
      : undefined;
  const notices: Notice[] = [];
  const tell = (to: Person, headline: string, buttons: NoticeButton[]) => {
    const mine = notices.find((n) => n.to.aadObjectId === to.aadObjectId);
    if (mine) {
      mine.headline = `${mine.headline.replace(/\.$/, '')}; ${headline.charAt(0).toLowerCase()}${headline.slice(1)}`;
      mine.buttons = [...new Set([...mine.buttons, ...buttons])];
    } else notices.push({ to, headline, quote: '', about: reminders.map((e) => e.type).join('+'), buttons });
  };

  if (did.has('closed')) {
    // The ending says it in the card's words ("Accepted ... of the owner's working time."); the owner reads it as theirs.
    const why = (handoff.ending?.text ?? 'Accepted and not closed.').replace("the owner's", 'your');
    tell(owner, `Baton closed this handoff you own: it was ${why.charAt(0).toLowerCase()}${why.slice(1)}`, []);
    return notices;
  }
  if (clock && did.has('overdue') && !unreached && clock.holder.aadObjectId !== owner.aadObjectId) {
    tell(
      clock.holder,
      holderReminder(handoff, clock, when(clock.dueAt, zoneForText(clock.holderHours))),
      clock.step === 'close' ? ['close'] : ['open'],
    );
  }
  if (clock && (did.has('escalated') || unreached)) {
    const cannotTell = unreached ? ` Baton could not tell ${unreached.name}: they have not installed Baton.` : '';
    const state = did.has('escalated') ? 'and is now escalated to you' : 'and is overdue';
    // A nudge cannot reach someone who never installed Baton: the owner is offered Reassign alone then.
    tell(
      owner,
      `${capitalised(whose(clock))} was due ${when(clock.dueAt, ownerZone)} ${state}.${cannotTell}`,
      unreached ? ['reassign'] : ['nudge', 'reassign'],
    );
  } else if (clock && did.has('overdue') && clock.holder.aadObjectId === owner.aadObjectId) {
    tell(owner, holderReminder(handoff, clock, when(clock.dueAt, ownerZone)), clock.step === 'close' ? ['close'] : ['open']);
  }
  if (did.has('neededByPassed')) {
    const waits = clock ? ` It waits on ${clock.holder.aadObjectId === owner.aadObjectId ? 'you' : clock.holder.name}.` : '';
    tell(owner, `The handoff's needed-by date, ${formatDay(handoff.neededBy ?? '', at)}, has passed and it is not accepted yet.${waits}`, [
      'nudge',
    ]);
  }
  return notices;
}

/** The holder's nudge: what waits on them, and since when it was due. */
function holderReminder(handoff: Handoff, clock: StepClock, due: string): string {
  switch (clock.step) {
    case 'review':
      return `Your review of this handoff was due ${due}.`;
    case 'answer':
      return `Your answer to the question on this handoff was due ${due}.`;
    case 'fix':
      return `The changes asked for on your handoff were due ${due}: edit and resubmit it.`;
    case 'close':
      return `Closing this accepted handoff was due ${due}: close it once its work is done.`;
    case 'unblock':
      return `Your handoff is still blocked (${handoff.blocker}): unblocking it was due ${due}. Mark it ready or in progress once it moves.`;
  }
}

const capitalised = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

/**
 * A new handoff tags its receiver in the conversation; people on it who are
 * not members there (picked from the directory) would never see it, so they
 * are told 1:1.
 */
export function noticesOfPosting(handoff: Handoff, members: readonly Person[]): Notice[] {
  const inChat = new Set(members.map((m) => m.aadObjectId));
  const by = handoff.sender.name;
  const roles: [Person, string, NoticeButton[]][] = [
    [handoff.receiver, `${by} handed you a handoff to review.`, ['open']],
    [handoff.owner, `${by} made you the owner of a handoff.`, []],
    ...handoff.stakeholders.map((p): [Person, string, NoticeButton[]] => [p, `${by} added you as a stakeholder on a handoff.`, []]),
  ];
  const told = new Set<string>([handoff.sender.aadObjectId]);
  const notices: Notice[] = [];
  for (const [person, headline, buttons] of roles) {
    if (told.has(person.aadObjectId) || inChat.has(person.aadObjectId)) continue;
    told.add(person.aadObjectId);
    notices.push({ to: person, headline, quote: '', about: 'posted', buttons });
  }
  return notices;
}
