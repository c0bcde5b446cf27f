/**
 * One person's weekly summary (issue 11): what they follow, the trend, what
 * needs attention in which order, what was accepted, their teams; and the
 * week keys every instance agrees on.
 */
import { describe, expect, it } from 'vitest';
import { weekEndingAt, weeksBefore } from '../../src/domain/metrics';
import { buildSummary, LIST_MAX, metricLines, teamName, weekKey, weekLabel } from '../../src/domain/summary';
import { DEFAULT_WORKING_HOURS } from '../../src/domain/working-hours';
import { grace, history, person } from '../support/histories';
import type { ConversationRef } from '../../src/domain/handoff';

const katherine = person('katherine', 'Katherine Johnson');
const WEEK = { start: '2026-11-30T08:00:00.000Z', end: '2026-12-07T08:00:00.000Z' };
const weeks = weeksBefore(WEEK, 5, 'UTC');
const NOW = new Date('2026-12-07T08:05:00.000Z');
const follows = { stakeholders: [katherine] };

const accepted = history(
  'Accepted Tuesday',
  [
    ['posted', '2026-11-30T09:00:00.000Z'],
    ['accepted', '2026-12-01T09:00:00.000Z'],
  ],
  { ...follows, status: 'accepted' },
);
// Waiting on Grace since Thursday; due Friday, so overdue now.
const overdue = history('Overdue review', [['posted', '2026-12-03T10:00:00.000Z']], {
  ...follows,
  patch: {
    clock: {
      step: 'review',
      startedBy: 1,
      holder: grace,
      holderHours: DEFAULT_WORKING_HOURS,
      ownerHours: DEFAULT_WORKING_HOURS,
      runStartedAt: '2026-12-03T10:00:00.000Z',
      usedMinutes: 0,
      goalMinutes: 480,
      dueAt: '2026-12-04T10:00:00.000Z',
      level: 1,
    },
  },
});
const blocked = history('Blocked work', [['posted', '2026-12-01T10:00:00.000Z', { workState: 'blocked' }]], {
  ...follows,
  patch: { workState: 'blocked' },
});
const waitingLong = history('Waiting since last week', [['posted', '2026-11-24T10:00:00.000Z']], follows);
const waitingShort = history('Waiting since Friday', [['posted', '2026-12-04T10:00:00.000Z']], follows);
const late = history('Posted late', [['posted', '2026-12-02T10:00:00.000Z']], { ...follows, late: true });
const closedBefore = history(
  'Closed before the week',
  [
    ['posted', '2026-11-16T10:00:00.000Z'],
    ['closed', '2026-11-20T10:00:00.000Z'],
  ],
  { ...follows, status: 'closed' },
);
const teammate = history(
  'Not followed, same team',
  [
    ['posted', '2026-12-01T10:00:00.000Z'],
    ['accepted', '2026-12-02T10:00:00.000Z'],
  ],
  { status: 'accepted' },
);
const otherTeam = history('Other team', [['posted', '2026-12-01T10:00:00.000Z']], { ...follows, conversation: '19:other' });

const followed = [accepted, overdue, blocked, waitingLong, waitingShort, late, closedBefore, otherTeam];
const teams = new Map([
  ['19:team', [accepted, overdue, blocked, waitingLong, waitingShort, late, closedBefore, teammate]],
  ['19:other', [otherTeam]],
]);

describe('buildSummary', () => {
  const summary = buildSummary({ followed, teams, weeks, now: NOW, hoursOf: () => DEFAULT_WORKING_HOURS });

  it('counts the handoffs followed that were open or changed in the week, and what was accepted', () => {
    expect(summary.followed).toBe(7);
    expect(summary.accepted.map((h) => h.summary)).toEqual(['Accepted Tuesday']);
    expect(summary.metrics.week).toEqual(WEEK);
    expect(summary.metrics.posted).toBe(6);
    expect(summary.metrics.cycleHours).toEqual({ average: 24, median: 24 });
    expect(summary.trend.map((m) => m.week.end)).toEqual([
      '2026-11-09T08:00:00.000Z',
      '2026-11-16T08:00:00.000Z',
      '2026-11-23T08:00:00.000Z',
      '2026-11-30T08:00:00.000Z',
      WEEK.end,
    ]);
  });

  it('lists what needs attention: blocking work (on its sender), then overdue, then late, then who waited longest (not accepted work before its close is overdue)', () => {
    expect(summary.attention.map((a) => [a.reason, a.handoff.summary, a.holder.name, a.since])).toEqual([
      ['blocked', 'Blocked work', 'Ada Lovelace', '2026-12-01T10:00:00.000Z'],
      ['overdue', 'Overdue review', 'Grace Hopper', '2026-12-03T10:00:00.000Z'],
      ['late', 'Posted late', 'Grace Hopper', '2026-12-02T10:00:00.000Z'],
      ['waiting', 'Waiting since last week', 'Grace Hopper', '2026-11-24T10:00:00.000Z'],
      ['waiting', 'Other team', 'Grace Hopper', '2026-12-01T10:00:00.000Z'],
    ]);
    // The sixth, who waited least (since Friday), is counted, not listed.
    expect(summary.attentionMore).toBe(1);
  });

  it("gives each team's metrics over all its handoffs, named by its people when Teams never named the chat, two alike told apart", () => {
    expect(summary.teams.map((t) => [t.conversationId, t.name, t.metrics.active, t.metrics.accepted])).toEqual([
      ['19:team', 'Chat with Ada Lovelace, Alan Turing and Grace Hopper (“Accepted Tuesday”)', 7, 2],
      ['19:other', 'Chat with Ada Lovelace, Alan Turing and Grace Hopper (“Other team”)', 1, 0],
    ]);
  });

  it('keeps each list to LIST_MAX and counts the rest', () => {
    const many = Array.from({ length: LIST_MAX + 3 }, (_, i) =>
      history(`Waiting ${i}`, [['posted', `2026-12-0${1 + (i % 5)}T1${i % 10}:00:00.000Z`]], follows),
    );
    const big = buildSummary({ followed: many, teams: new Map(), weeks, now: NOW, hoursOf: () => DEFAULT_WORKING_HOURS });
    expect(big.attention).toHaveLength(LIST_MAX);
    expect(big.attentionMore).toBe(3);
  });

  it('is empty for a week in which nothing followed was open', () => {
    const empty = buildSummary({ followed: [closedBefore], teams: new Map(), weeks, now: NOW, hoursOf: () => DEFAULT_WORKING_HOURS });
    expect(empty.followed).toBe(0);
    expect(empty.attention).toEqual([]);
    expect(empty.accepted).toEqual([]);
    expect(empty.metrics.active).toBe(0);
  });
});

describe('teamName', () => {
  const serviceUrl = 'https://smba.example/';
  const handoffs = [accepted.handoff];
  const none = new Map<string, string>();
  const channel: ConversationRef = {
    id: '19:abc@thread.tacv2;messageid=1',
    serviceUrl,
    kind: 'channel',
    team: { id: '19:team@thread.tacv2', name: 'Contoso Payments' },
    channel: { id: '19:abc@thread.tacv2', name: 'Handoffs' },
  };

  it('names a channel by its team and channel, and the General channel (whose id is the team’s) as General', () => {
    expect(teamName(channel, none, handoffs)).toBe('Contoso Payments › Handoffs');
    const general = { ...channel, team: { id: '19:team@thread.tacv2', name: 'Contoso Payments' }, channel: { id: '19:team@thread.tacv2' } };
    expect(teamName(general, none, handoffs)).toBe('Contoso Payments › General');
  });

  it('uses the name Teams gave on a rename over the one kept with the handoff', () => {
    const renamed = new Map([
      ['19:team@thread.tacv2', 'Payments'],
      ['19:abc@thread.tacv2', 'Reviews'],
    ]);
    expect(teamName(channel, renamed, handoffs)).toBe('Payments › Reviews');
    const chat: ConversationRef = { id: '19:chat@thread.v2', serviceUrl, kind: 'groupChat', name: 'Launch' };
    expect(teamName(chat, new Map([['19:chat@thread.v2', 'Launch v2']]), handoffs)).toBe('Launch v2');
    expect(teamName(chat, none, handoffs)).toBe('Launch');
  });

  it('names a chat Teams never named by its people, the busiest first, and a channel without names by its people too', () => {
    const chat: ConversationRef = { id: '19:chat@thread.v2', serviceUrl, kind: 'groupChat' };
    expect(teamName(chat, none, handoffs)).toBe('Chat with Ada Lovelace, Alan Turing and Grace Hopper');
    const many = [
      accepted.handoff,
      history('To Katherine', [['posted', '2026-12-01T10:00:00.000Z']], { receiver: katherine }).handoff,
      history('To Barbara', [['posted', '2026-12-01T10:00:00.000Z']], { receiver: person('barbara', 'Barbara Liskov') }).handoff,
    ];
    expect(teamName(chat, none, many)).toBe('Chat with Ada Lovelace, Alan Turing and 3 others');
    expect(teamName({ id: '19:x@thread.tacv2', serviceUrl, kind: 'channel' }, none, handoffs)).toBe(
      'A channel with Ada Lovelace, Alan Turing and Grace Hopper',
    );
  });

  it('never makes a team of a personal chat, also for handoffs kept before the kind was', () => {
    expect(teamName({ id: 'a:1personal', serviceUrl, kind: 'personal' }, none, handoffs)).toBeUndefined();
    expect(teamName({ id: 'a:1personal', serviceUrl }, none, handoffs)).toBeUndefined();
    expect(teamName({ id: '19:old@thread.tacv2', serviceUrl, team: { id: '19:old@thread.tacv2', name: 'Old team' } }, none, handoffs)).toBe(
      'Old team',
    );
  });
});

describe('metricLines', () => {
  it('reads each metric with its change from the week before', () => {
    const summary = buildSummary({ followed, teams, weeks, now: NOW, hoursOf: () => DEFAULT_WORKING_HOURS });
    const lines = metricLines(summary.trend);
    expect(lines.map((l) => [l.label, l.text, l.change])).toEqual([
      ['Cycle time (median, posted to accepted)', '24.0 h', ''],
      ['First-pass acceptance', '100%', ''],
      ['Clarifications per handoff', '0.0', 'same as before'],
      ['Blocking incidents', '1', 'up from 0'],
      ['Overdue steps', '0', 'same as before'],
      ['Posted late', '1', 'up from 0'],
    ]);
    expect(lines[3]!.values).toEqual([0, 0, 0, 0, 1]);
    expect(lines[0]!.values).toEqual([undefined, undefined, undefined, undefined, 24]);
  });
});

describe('week keys and labels', () => {
  it('name a week by the local date it ends on, the same from any instant inside the next week', () => {
    const sydney = weekEndingAt(new Date('2026-12-07T00:00:00.000Z'), 'Australia/Sydney');
    expect(sydney.end).toBe('2026-12-06T21:00:00.000Z');
    expect(weekKey(sydney, 'Australia/Sydney')).toBe('2026-12-07');
    expect(weekKey(weekEndingAt(new Date('2026-12-13T12:00:00.000Z'), 'Australia/Sydney'), 'Australia/Sydney')).toBe('2026-12-07');
    expect(weekLabel(sydney, 'Australia/Sydney')).toBe('30 Nov - 7 Dec');
    expect(weekKey(WEEK, 'UTC')).toBe('2026-12-07');
  });
});
