/**
 * Away time is not working time (issue 25), with exact instants: a review in
 * Kolkata due Friday 15:00 whose receiver is away from Friday 12:00 to
 * Wednesday 09:00; a weekend inside an absence; an absence across New York's
 * change to daylight saving; an absence with no end. And what Baton keeps of
 * absences: the past as it was seen, the rest as the person's sources say now.
 */
import { describe, expect, it } from 'vitest';
import {
  absenceAt,
  awayText,
  KEEP_ABSENCES_MS,
  mergeAbsences,
  normalizeAbsences,
  returnOf,
  statedAbsences,
  withAway,
} from '../../src/domain/away';
import {
  absenceEvent,
  DEFAULT_DUE_POLICY,
  dueClause,
  dueNow,
  dueView,
  escalateAt,
  isOverdue,
  nextDueState,
  pendingActions,
  waitsOnSomeoneAway,
  withAbsences,
} from '../../src/domain/due';
import { type Handoff, postHandoff } from '../../src/domain/handoff';
import { workingMinutesUntilDay } from '../../src/domain/lead-time';
import { weekMetrics } from '../../src/domain/metrics';
import { apply } from '../../src/domain/process';
import { formatWhen } from '../../src/domain/time-format';
import {
  type Absence,
  addWorkingMinutes,
  DEFAULT_WORKING_HOURS,
  nextWorkingInstant,
  type WorkingHours,
  workingMinutesBetween,
  workingPeriodAt,
} from '../../src/domain/working-hours';
import { ada, alan, FIELDS, grace } from '../support/builders';

const WEEK = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const;
const office = (timeZone: string, away?: Absence[]): WorkingHours => ({
  days: [...WEEK],
  start: '09:00',
  end: '17:00',
  timeZone,
  ...(away ? { away } : {}),
});
const at = (iso: string) => new Date(iso);
const iso = (date: Date | undefined) => date?.toISOString();

// Kolkata is UTC+5:30 all year. Thu 10 Dec 2026 15:00 IST is 09:30Z.
const KOLKATA = office('Asia/Kolkata');
/** Away from Friday 11 December 12:00 to Wednesday 16 December 09:00, Kolkata time. */
const FRIDAY_TO_WEDNESDAY: Absence = { start: '2026-12-11T06:30:00.000Z', end: '2026-12-16T03:30:00.000Z' };
const KOLKATA_AWAY = office('Asia/Kolkata', [FRIDAY_TO_WEDNESDAY]);

/** A review posted at `posted`, Ada to Grace, Alan owning it, with these hours. */
function review(postedAt: string, hours: { grace: WorkingHours; alan?: WorkingHours }): Handoff {
  const { handoff, event } = postHandoff({
    id: 'h1',
    tenantId: 't1',
    fields: { ...FIELDS, neededBy: undefined, priority: 'normal' },
    sender: ada,
    receiver: grace,
    owner: alan,
    stakeholders: [],
    conversation: { id: '19:chat', serviceUrl: 'https://smba.example/' },
    at: postedAt,
    late: false,
  });
  const map = new Map([
    [grace.aadObjectId, hours.grace],
    [alan.aadObjectId, hours.alan ?? DEFAULT_WORKING_HOURS],
    [ada.aadObjectId, DEFAULT_WORKING_HOURS],
  ]);
  return { ...handoff, ...nextDueState(undefined, handoff, event, map, DEFAULT_DUE_POLICY) };
}

describe('the Kolkata review: due Friday 15:00, the receiver away Friday 12:00 to Wednesday 09:00', () => {
  const posted = '2026-12-10T09:30:00.000Z'; // Thu 10 Dec, 15:00 IST: 2h on Thursday, 6h on Friday

  it('is due Friday 15:00 without the absence', () => {
    expect(review(posted, { grace: KOLKATA }).clock?.dueAt).toBe('2026-12-11T09:30:00.000Z');
  });

  it('is due Wednesday 12:00 with it: 3 hours of Friday morning used, 3 left after the return', () => {
    const handoff = review(posted, { grace: KOLKATA_AWAY });
    // Thursday 15:00-17:00 and Friday 09:00-12:00 are 5 of its 8 hours; Wednesday 09:00-12:00 the rest.
    expect(handoff.clock?.dueAt).toBe('2026-12-16T06:30:00.000Z');
    expect(workingMinutesBetween(KOLKATA_AWAY, at(posted), at('2026-12-16T06:30:00.000Z'))).toBe(480);
    // Nudged at the new due time, inside her hours; the owner (UTC hours) a goal later, Thursday 12:00 IST, at his 09:00 UTC.
    expect(pendingActions(handoff)).toEqual([{ kind: 'overdue', at: '2026-12-16T06:30:00.000Z' }]);
    expect(iso(new Date(escalateAt(handoff.clock!)!))).toBe('2026-12-17T09:00:00.000Z');
  });

  it('is never overdue while she is away, and says so with her working time left', () => {
    const handoff = review(posted, { grace: KOLKATA_AWAY });
    // Friday 15:00 IST, the old due time: nothing is due.
    expect(dueNow(handoff, at('2026-12-11T09:30:00.000Z'))).toBeUndefined();
    for (const moment of ['2026-12-11T09:30:00.000Z', '2026-12-12T06:00:00.000Z', '2026-12-15T11:30:00.000Z']) {
      const view = dueView(handoff, at(moment));
      expect(view).toEqual({
        state: 'away',
        away: 'away until Wed 16 Dec',
        dueAt: '2026-12-16T06:30:00.000Z',
        leftMinutes: 180,
        holder: grace,
      });
      expect(isOverdue(handoff, at(moment))).toBe(false);
      expect(waitsOnSomeoneAway(handoff, at(moment))).toBe(true);
    }
    const when = (instant: string) => formatWhen(instant, 'Asia/Kolkata', at('2026-12-12T06:00:00.000Z'));
    expect(dueClause(dueView(handoff, at('2026-12-12T06:00:00.000Z'))!, when, false)).toBe('away until Wed 16 Dec · due Wed 16 Dec, 12:00');
    expect(dueClause(dueView(handoff, at('2026-12-12T06:00:00.000Z'))!, when, true)).toBe(
      "away until Wed 16 Dec · due Wed 16 Dec, 12:00 (3 h of Grace's working time left)",
    );
    // Back on Wednesday at 09:00: due at noon, in 3 hours.
    expect(dueView(handoff, at('2026-12-16T03:30:00.000Z'))).toMatchObject({ state: 'due', leftMinutes: 180 });
    expect(waitsOnSomeoneAway(handoff, at('2026-12-16T03:30:00.000Z'))).toBe(false);
  });

  it('moves the due time the same way when the absence is seen only after the review began, and writes why', () => {
    const before = review(posted, { grace: KOLKATA });
    // Seen on Friday at 12:40 IST, the check after she left.
    const seen = '2026-12-11T07:10:00.000Z';
    const moved = withAbsences(before, { holder: KOLKATA_AWAY, owner: DEFAULT_WORKING_HOURS }, seen, DEFAULT_DUE_POLICY)!;
    expect(moved.clock?.dueAt).toBe('2026-12-16T06:30:00.000Z');
    expect(moved.wakeAt).toBe('2026-12-16T06:30:00.000Z');
    expect(absenceEvent(before, { ...moved, eventCount: 2 }, seen)).toMatchObject({
      type: 'away',
      seq: 2,
      actor: { name: 'Baton' },
      detail: "Grace Hopper is away until Wed 16 Dec; Grace Hopper's review is due Wed 16 Dec, 12:00 Kolkata time",
    });
    // The same reading again changes nothing.
    expect(withAbsences(moved, { holder: KOLKATA_AWAY, owner: DEFAULT_WORKING_HOURS }, seen, DEFAULT_DUE_POLICY)).toBeUndefined();
  });

  it('comes back early: replies turned off on Monday 10:00 IST, the rest of the review counts from then', () => {
    const away = review(posted, { grace: KOLKATA_AWAY });
    const monday = '2026-12-14T04:30:00.000Z';
    const back = withAbsences(away, { holder: KOLKATA, owner: DEFAULT_WORKING_HOURS }, monday, DEFAULT_DUE_POLICY)!;
    expect(back.clock?.holderHours.away).toEqual([{ start: FRIDAY_TO_WEDNESDAY.start, end: monday }]);
    expect(back.clock?.dueAt).toBe('2026-12-14T07:30:00.000Z'); // Monday 13:00 IST
    expect(absenceEvent(away, { ...back, eventCount: 2 }, monday)).toMatchObject({
      type: 'back',
      detail: "Grace Hopper is back; Grace Hopper's review is due Mon 14 Dec, 13:00 Kolkata time",
    });
  });

  it('pauses and keeps the review cycle in working time without the absence (the summary counts it so)', () => {
    const away = review(posted, { grace: KOLKATA_AWAY });
    const asked = apply(away, { type: 'ask', question: 'Which flag?' }, grace, '2026-12-16T05:30:00.000Z');
    if (!asked.ok) throw new Error(asked.refusal.message);
    const everyone = new Map([ada, alan].map((p) => [p.aadObjectId, DEFAULT_WORKING_HOURS]));
    const after = { ...asked.handoff, ...nextDueState(away, asked.handoff, asked.event, everyone, DEFAULT_DUE_POLICY) };
    // Thursday 2h, Friday 3h, Wednesday 09:00-11:00: 7h, none of the week away.
    expect(after.review?.usedMinutes).toBe(7 * 60);
  });
});

describe('a weekend inside an absence', () => {
  // New York, EST (UTC-5): away Friday 4 Dec 2026 12:00 to Monday 7 Dec 12:00.
  const away: Absence = { start: '2026-12-04T17:00:00.000Z', end: '2026-12-07T17:00:00.000Z' };
  const hours = office('America/New_York', [away]);

  it('counts Friday morning and Monday afternoon, nothing between', () => {
    // Friday 09:00 to Monday 17:00: 3h + 5h.
    expect(workingMinutesBetween(hours, at('2026-12-04T14:00:00Z'), at('2026-12-07T22:00:00Z'))).toBe(8 * 60);
    expect(iso(addWorkingMinutes(hours, at('2026-12-04T14:00:00Z'), 8 * 60))).toBe('2026-12-07T22:00:00.000Z');
    expect(iso(addWorkingMinutes(hours, at('2026-12-04T14:00:00Z'), 3 * 60))).toBe('2026-12-04T17:00:00.000Z');
    expect(iso(addWorkingMinutes(hours, at('2026-12-04T14:00:00Z'), 3 * 60 + 1))).toBe('2026-12-07T17:01:00.000Z');
  });

  it('is back Monday at noon, not at 09:00', () => {
    expect(iso(nextWorkingInstant(hours, at('2026-12-05T15:00:00Z')))).toBe('2026-12-07T17:00:00.000Z');
    expect(iso(returnOf(hours, away))).toBe('2026-12-07T17:00:00.000Z');
    expect(workingPeriodAt(hours, at('2026-12-07T15:00:00Z'))).toBeUndefined();
    expect(workingPeriodAt(hours, at('2026-12-07T18:00:00Z'))).toEqual({
      start: at('2026-12-07T17:00:00Z'),
      end: at('2026-12-07T22:00:00Z'),
    });
    expect(awayText(hours, away, at('2026-12-05T15:00:00Z'))).toBe('away until Mon 7 Dec');
  });

  it('leaves the lead time short by the days away', () => {
    // From Thursday 3 Dec 09:00 to the end of Monday 7 Dec: Thursday 8h, Friday 3h, Monday 5h.
    expect(workingMinutesUntilDay(hours, at('2026-12-03T14:00:00Z'), '2026-12-07')).toBe(16 * 60);
  });
});

describe('an absence across the change to daylight saving (New York, Sunday 8 March 2026)', () => {
  // Away from Friday 6 March 12:00 EST (17:00Z) to Wednesday 11 March 09:00 EDT (13:00Z).
  const away: Absence = { start: '2026-03-06T17:00:00.000Z', end: '2026-03-11T13:00:00.000Z' };
  const hours = office('America/New_York', [away]);

  it('moves a review due Friday 13:00 EST to Wednesday 10:00 EDT', () => {
    const posted = '2026-03-05T18:00:00.000Z'; // Thursday 13:00 EST: 4h on Thursday, 4h on Friday
    expect(review(posted, { grace: office('America/New_York') }).clock?.dueAt).toBe('2026-03-06T18:00:00.000Z');
    const handoff = review(posted, { grace: hours });
    // Thursday 4h and Friday 09:00-12:00 3h; the hour left on Wednesday, in EDT.
    expect(handoff.clock?.dueAt).toBe('2026-03-11T14:00:00.000Z');
    expect(dueView(handoff, at('2026-03-09T14:00:00Z'))).toMatchObject({ state: 'away', away: 'away until Wed 11 Mar', leftMinutes: 60 });
  });

  it('is back at 09:00 in the summer offset, and the week away counts no working time', () => {
    expect(iso(returnOf(hours, away))).toBe('2026-03-11T13:00:00.000Z');
    expect(workingMinutesBetween(hours, at('2026-03-06T17:00:00Z'), at('2026-03-11T13:00:00Z'))).toBe(0);
    expect(workingMinutesBetween(hours, at('2026-03-06T14:00:00Z'), at('2026-03-11T21:00:00Z'))).toBe(3 * 60 + 8 * 60);
  });
});

describe('an absence with no end (automatic replies always on)', () => {
  // Mon-Fri 09:00-17:00 UTC; replies on from Wednesday 9 December 11:00.
  const open: Absence = { start: '2026-12-09T11:00:00.000Z' };
  const hours = withAway(DEFAULT_WORKING_HOURS, [open]);

  it('has no working time after it starts: the clock does not run', () => {
    expect(workingMinutesBetween(hours, at('2026-12-09T09:00:00Z'), at('2027-06-01T00:00:00Z'))).toBe(120);
    expect(addWorkingMinutes(hours, at('2026-12-09T10:00:00Z'), 60)).toEqual(at('2026-12-09T11:00:00Z'));
    expect(addWorkingMinutes(hours, at('2026-12-09T10:00:00Z'), 61)).toBeUndefined();
    expect(nextWorkingInstant(hours, at('2026-12-09T12:00:00Z'))).toBeUndefined();
    expect(returnOf(hours, open)).toBeUndefined();
  });

  it('leaves a review posted an hour before with no due time, nothing to nudge or escalate, and says it waits', () => {
    const handoff = review('2026-12-09T10:00:00.000Z', { grace: hours });
    expect(handoff.clock?.dueAt).toBeUndefined();
    expect(pendingActions(handoff)).toEqual([]);
    expect(handoff.wakeAt).toBeUndefined();
    const view = dueView(handoff, at('2026-12-10T10:00:00Z'))!;
    expect(view).toEqual({ state: 'away', away: 'away with no return date set', dueAt: undefined, leftMinutes: 0, holder: grace });
    expect(dueClause(view, (i) => i, true)).toBe('away with no return date set · due once back');
    // Before it starts: not due at any time yet.
    const before = dueView(handoff, at('2026-12-09T10:30:00Z'))!;
    expect(before).toEqual({ state: 'waits', away: 'away from Wed 9 Dec with no return date set', holder: grace });
    expect(dueClause(before, (i) => i, false)).toBe('due once Grace is back (away from Wed 9 Dec with no return date set)');
  });

  it('runs again when the replies are turned off: the 7 hours left count from the return', () => {
    const handoff = review('2026-12-09T10:00:00.000Z', { grace: hours });
    const monday = '2026-12-14T09:00:00.000Z';
    const back = withAbsences(handoff, { holder: DEFAULT_WORKING_HOURS, owner: DEFAULT_WORKING_HOURS }, monday, DEFAULT_DUE_POLICY)!;
    expect(back.clock?.dueAt).toBe('2026-12-14T16:00:00.000Z');
    expect(back.wakeAt).toBe('2026-12-14T16:00:00.000Z');
  });
});

describe('what Baton keeps of absences', () => {
  const now = '2026-12-14T10:00:00.000Z';

  it('takes scheduled replies as they are, always-on replies from when Baton first saw them, and what the person told Baton', () => {
    const scheduled = { status: 'scheduled' as const, start: '2026-12-18T17:00:00.000Z', end: '2027-01-04T08:00:00.000Z' };
    expect(statedAbsences(scheduled, undefined, [], now)).toEqual([{ start: scheduled.start, end: scheduled.end }]);
    expect(statedAbsences({ status: 'alwaysEnabled' }, undefined, [], now)).toEqual([{ start: now }]);
    expect(statedAbsences({ status: 'alwaysEnabled' }, undefined, [{ start: '2026-12-10T08:00:00.000Z' }], now)).toEqual([
      { start: '2026-12-10T08:00:00.000Z' },
    ]);
    expect(statedAbsences({ status: 'disabled' }, { start: '2026-12-21T00:00:00.000Z', end: '2026-12-23T00:00:00.000Z' }, [], now)).toEqual(
      [{ start: '2026-12-21T00:00:00.000Z', end: '2026-12-23T00:00:00.000Z' }],
    );
  });

  it('keeps what already happened as it was seen, lets the sources decide the rest, and ends an absence turned off early now', () => {
    const known: Absence[] = [
      { start: '2026-11-02T09:00:00.000Z', end: '2026-11-04T09:00:00.000Z' },
      { start: '2026-12-11T12:00:00.000Z', end: '2026-12-16T09:00:00.000Z' },
    ];
    // The replies are off now: the first stays, the second ends now.
    expect(mergeAbsences(known, [], now)).toEqual([known[0], { start: '2026-12-11T12:00:00.000Z', end: now }]);
    // Still on: the same as before.
    expect(mergeAbsences(known, [known[1]!], now)).toEqual(known);
    // Turned on an hour back, before Baton looked: from when they say.
    expect(mergeAbsences([], [{ start: '2026-12-14T09:00:00.000Z', end: '2026-12-15T09:00:00.000Z' }], now)).toEqual([
      { start: '2026-12-14T09:00:00.000Z', end: '2026-12-15T09:00:00.000Z' },
    ]);
    // A planned absence called off before it began is gone.
    expect(mergeAbsences([{ start: '2026-12-21T00:00:00.000Z', end: '2026-12-23T00:00:00.000Z' }], [], now)).toEqual([]);
  });

  it('forgets absences over for longer than the summary looks back, and joins overlapping ones', () => {
    const old = { start: '2026-09-01T00:00:00.000Z', end: '2026-09-05T00:00:00.000Z' };
    expect(Date.parse(now) - Date.parse(old.end)).toBeGreaterThan(KEEP_ABSENCES_MS);
    expect(mergeAbsences([old], [], now)).toEqual([]);
    expect(
      normalizeAbsences([
        { start: '2026-12-10T00:00:00.000Z', end: '2026-12-12T00:00:00.000Z' },
        { start: '2026-12-11T00:00:00.000Z' },
        { start: '2026-12-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' },
      ]),
    ).toEqual([{ start: '2026-12-10T00:00:00.000Z' }]);
    expect(absenceAt(office('UTC', [{ start: '2026-12-10T00:00:00.000Z' }]), at('2030-01-01T00:00:00Z'))).toEqual({
      start: '2026-12-10T00:00:00.000Z',
    });
  });

  it("leaves the week's working-time cycle times without the days away", () => {
    const handoff = review('2026-12-10T09:30:00.000Z', { grace: KOLKATA_AWAY });
    const accepted = apply(handoff, { type: 'accept', checked: [true, true, true], note: '' }, grace, '2026-12-16T06:00:00.000Z');
    if (!accepted.ok) throw new Error(accepted.refusal.message);
    const posted = { ...accepted.event, seq: 1, type: 'posted' as const, actor: ada, at: '2026-12-10T09:30:00.000Z' };
    const week = { start: '2026-12-14T00:00:00.000Z', end: '2026-12-21T00:00:00.000Z' };
    const metrics = weekMetrics([{ handoff: accepted.handoff, events: [posted, accepted.event] }], week, () => KOLKATA_AWAY);
    // Thursday 2h, Friday 3h, Wednesday 09:00-11:30: 7h 30m.
    expect(metrics.cycleWorkingMinutes?.median).toBe(7 * 60 + 30);
  });
});
