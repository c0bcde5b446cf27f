/**
 * The weekly summary's content for one person, from the histories of the
 * handoffs they follow and of the teams those handoffs live in: the week's
 * metrics with their trend, what needs attention, what was accepted. Pure:
 * the cards (src/cards/summary-card.ts) only lay it out.
 */
import { isOverdue, waitingSince } from './due';
import { ballHolder, type Handoff, isBlocked, type Person, STATUS } from './handoff';
import { activeIn, type HandoffHistory, type Week, weekMetrics, type WeekMetrics } from './metrics';
import { loopWindow, type TemplateRow, templateRows } from './template-metrics';
import type { WorkingHours } from './working-hours';

/** How many weeks the trend shows: the week just ended and the four before. */
export const TREND_WEEKS = 5;
/** At most this many handoffs in each list of the summary; the rest are counted ("and 4 more"). */
export const LIST_MAX = 5;

export type AttentionReason = 'overdue' | 'blocked' | 'late' | 'waiting';

export const ATTENTION_LABELS: Readonly<Record<AttentionReason, string>> = {
  overdue: 'Overdue',
  blocked: 'Blocking',
  late: 'Posted late',
  waiting: 'Waiting',
};

export interface AttentionItem {
  handoff: Handoff;
  reason: AttentionReason;
  /** Who holds the ball, and since when they have had it (ISO; {@link waitingSince}). */
  holder: Person;
  since: string;
}

export interface TeamSummary {
  /** The conversation the cards live in. */
  conversationId: string;
  /** A handoff the person follows in this team, to name the team by (the team's others are only counted). */
  example: string;
  metrics: WeekMetrics;
  /** The team templates used in the four weeks to the week's end, most used first (issue 26). */
  templates: TemplateRow[];
}

export interface Summary {
  week: Week;
  /** The handoffs the person follows: this week's metrics and the trend, oldest week first. */
  metrics: WeekMetrics;
  trend: WeekMetrics[];
  attention: AttentionItem[];
  /** How many needed attention beyond the list. */
  attentionMore: number;
  accepted: Handoff[];
  acceptedMore: number;
  /** Per team (conversation) the person's handoffs live in. */
  teams: TeamSummary[];
  /** Handoffs followed that were open or changed during the week: a summary with none is not sent. */
  followed: number;
}

/** Blocking work first: it stalls everything behind it; then what is overdue. */
const ORDER: Readonly<Record<AttentionReason, number>> = { blocked: 0, overdue: 1, late: 2, waiting: 3 };

/** Why an open handoff needs attention now, if it does; every open handoff is at least waiting on someone. Blocked is blocking, not overdue. */
function attentionOf(handoff: Handoff, now: Date): AttentionReason {
  if (isBlocked(handoff)) return 'blocked';
  if (isOverdue(handoff, now)) return 'overdue';
  if (handoff.late) return 'late';
  return 'waiting';
}

/** When the person holding the ball got it. */
function holderSince(handoff: Handoff): string {
  return waitingSince(handoff) ?? handoff.updatedAt;
}

/**
 * The summary of `week` for the handoffs a person follows.
 * @param followed the person's handoffs, with their histories
 * @param teams every handoff of each team those handoffs live in, by conversation id
 * @param weeks the trend's weeks, oldest first, ending with the summary's week
 * @param now when the summary is built: "needs attention" is the live state
 */
export function buildSummary(input: {
  followed: readonly HandoffHistory[];
  teams: ReadonlyMap<string, readonly HandoffHistory[]>;
  weeks: readonly Week[];
  now: Date;
  hoursOf: (person: Person) => WorkingHours;
}): Summary {
  const { weeks, now, hoursOf } = input;
  const week = weeks[weeks.length - 1]!;
  const relevant = input.followed.filter((h) => activeIn(h, week));
  const trend = weeks.map((w) => weekMetrics(input.followed, w, hoursOf));
  const attention = relevant
    .map((h) => h.handoff)
    .filter((h) => STATUS[h.status].open || h.status === 'accepted')
    .map((handoff) => ({ handoff, reason: attentionOf(handoff, now), holder: ballHolder(handoff)!, since: holderSince(handoff) }))
    // Accepted work waiting for its owner to close it needs nobody's attention until the close is overdue.
    .filter((item) => item.holder !== undefined && (item.handoff.status !== 'accepted' || item.reason === 'overdue'))
    // The most urgent reason first, then who has waited longest.
    .sort((a, b) => ORDER[a.reason] - ORDER[b.reason] || a.since.localeCompare(b.since));
  const accepted = relevant
    .filter((h) => h.events.some((e) => e.type === 'accepted' && e.at >= week.start && e.at < week.end))
    .map((h) => h.handoff)
    .sort((a, b) => a.summary.localeCompare(b.summary));
  const teams = [...input.teams.entries()]
    .map(([conversationId, histories]) => ({
      conversationId,
      // Named by a handoff the person follows: the team's other handoffs are counted, never shown.
      example: input.followed.find((h) => h.handoff.conversation.id === conversationId)?.handoff.summary ?? '',
      metrics: weekMetrics(histories, week, hoursOf),
      templates: templateRows(histories, loopWindow(new Date(week.end))),
    }))
    .filter((t) => t.metrics.active > 0)
    .sort((a, b) => b.metrics.active - a.metrics.active || a.conversationId.localeCompare(b.conversationId));
  return {
    week,
    metrics: trend[trend.length - 1]!,
    trend,
    attention: attention.slice(0, LIST_MAX),
    attentionMore: Math.max(0, attention.length - LIST_MAX),
    accepted: accepted.slice(0, LIST_MAX),
    acceptedMore: Math.max(0, accepted.length - LIST_MAX),
    teams,
    followed: relevant.length,
  };
}

/** A metric of the summary: how it reads, its value per trend week, and whether higher is better. */
export interface MetricLine {
  label: string;
  /** This week's value as text ("6.5 h", "80%", "none"). */
  text: string;
  /** One number per trend week (undefined where the week had none), for bars and charts. */
  values: (number | undefined)[];
  unit: string;
  /** Compared with the week before, in words ("up from 4.0 h"), or '' when there is nothing to compare. */
  change: string;
}

const oneDecimal = (n: number) => (Math.round(n * 10) / 10).toFixed(1);

function line(
  label: string,
  trend: readonly WeekMetrics[],
  pick: (m: WeekMetrics) => number | undefined,
  format: (n: number) => string,
  unit: string,
): MetricLine {
  const values = trend.map(pick);
  const current = values[values.length - 1];
  const previous = values[values.length - 2];
  const change =
    current === undefined || previous === undefined
      ? ''
      : current === previous
        ? 'same as the week before'
        : `${current > previous ? 'up' : 'down'} from ${format(previous)}`;
  return { label, text: current === undefined ? 'none' : format(current), values, unit, change };
}

/** A blocking incident has its duration: how long the week's blocked spells lasted, beside their count. */
function withBlockedTime(incidents: MetricLine, medianHours: number | undefined): MetricLine {
  return medianHours === undefined ? incidents : { ...incidents, text: `${incidents.text} (blocked ${oneDecimal(medianHours)} h, median)` };
}

/** The article's metrics, as the summary shows them, in order. */
export function metricLines(trend: readonly WeekMetrics[]): MetricLine[] {
  return [
    line(
      'Cycle time (median, posted to accepted)',
      trend,
      (m) => m.cycleHours?.median,
      (n) => `${oneDecimal(n)} h`,
      'hours',
    ),
    line(
      'First-pass acceptance',
      trend,
      (m) => (m.firstPassRate === undefined ? undefined : m.firstPassRate * 100),
      (n) => `${Math.round(n)}%`,
      '%',
    ),
    line('Clarifications per handoff', trend, (m) => m.clarificationsPerHandoff, oneDecimal, 'per handoff'),
    withBlockedTime(
      line(
        'Blocking incidents',
        trend,
        (m) => m.blockingIncidents,
        (n) => String(n),
        'incidents',
      ),
      trend.at(-1)?.blockedHours?.median,
    ),
    line(
      'Overdue steps',
      trend,
      (m) => m.overdueSteps,
      (n) => String(n),
      'steps',
    ),
    line(
      'Posted late',
      trend,
      (m) => m.late,
      (n) => String(n),
      'handoffs',
    ),
  ];
}

/** The week's name in the reader's words: "24 Nov - 1 Dec". */
export function weekLabel(week: Week, timeZone: string): string {
  const day = (iso: string) => new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'short' }).format(new Date(iso));
  return `${day(week.start)} - ${day(week.end)}`;
}

/** The key of a person's week: the local date it ended on ("2026-11-30"), the same for every instance. */
export function weekKey(week: Week, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(week.end));
}
