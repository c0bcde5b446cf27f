/**
 * The weekly summary's content for one person, from the histories of the
 * handoffs they follow and of the teams those handoffs live in: the week's
 * metrics with their trend, what needs attention, what was accepted. Pure:
 * the cards (src/cards/summary-card.ts) only lay it out.
 */
import { isOverdue, waitingSince, waitsOnSomeoneAway } from './due';
import { ballHolder, type ConversationRef, type Handoff, isBlocked, type Person, STATUS } from './handoff';
import { formatDuration } from './time-format';
import { activeIn, type HandoffHistory, type Week, weekMetrics, type WeekMetrics } from './metrics';
import { loopWindow, type TemplateRow, templateRows } from './template-metrics';
import type { WorkingHours } from './working-hours';

/** How many weeks the trend shows: the week just ended and the four before. */
export const TREND_WEEKS = 5;
/** At most this many handoffs in each list of the summary; the rest are counted ("and 4 more"). */
export const LIST_MAX = 5;

export type AttentionReason = 'overdue' | 'blocked' | 'away' | 'late' | 'waiting';

export const ATTENTION_LABELS: Readonly<Record<AttentionReason, string>> = {
  overdue: 'Overdue',
  blocked: 'Blocking',
  away: 'Waiting on someone away',
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
  /** What the team is called: "Contoso Payments › Handoffs", a chat's topic, "Chat with Ada Lovelace, Grace Hopper and 3 others". */
  name: string;
  metrics: WeekMetrics;
  /** The team templates used in the four weeks to the week's end, most used first (issue 26). */
  templates: TemplateRow[];
}

/** A team's conversation as its newest handoff keeps it: the newest knows the names Teams gave last. */
export function teamConversation(conversationId: string, histories: readonly HandoffHistory[]): ConversationRef {
  const newest = [...histories].sort((a, b) => b.handoff.createdAt.localeCompare(a.handoff.createdAt))[0];
  return newest?.handoff.conversation ?? { id: conversationId, serviceUrl: '' };
}

/** Whether a summary would name this conversation by its people: a group chat Teams never named. */
export function needsTopic(ref: ConversationRef, renamed: ReadonlyMap<string, string>): boolean {
  return kindOf(ref) === 'groupChat' && !ref.name && !renamed.has(ref.id);
}

/** The kind of a conversation from its id, for handoffs posted before the kind was kept. */
function kindOf(ref: ConversationRef): ConversationRef['kind'] {
  if (ref.kind) return ref.kind;
  if (ref.id.startsWith('a:') || ref.id.startsWith('8:')) return 'personal';
  if (/@thread\.(tacv2|skype)/.test(ref.id)) return 'channel';
  return ref.id.startsWith('19:') ? 'groupChat' : undefined;
}

/**
 * What to call a team in the summary, from its newest handoff's conversation
 * and the names Teams gave on a rename: "Contoso Payments › Handoffs" for a
 * channel, the topic of a group chat, or, when Teams never said, "Chat with
 * Ada Lovelace, Grace Hopper and 3 others" (the people of its handoffs, the
 * busiest first). A personal chat is never a team: undefined.
 */
export function teamName(ref: ConversationRef, renamed: ReadonlyMap<string, string>, handoffs: readonly Handoff[]): string | undefined {
  const kind = kindOf(ref);
  if (kind === 'personal') return undefined;
  const counts = new Map<string, { name: string; n: number }>();
  for (const h of handoffs)
    for (const p of [h.sender, h.receiver, h.owner]) {
      const seen = counts.get(p.aadObjectId) ?? { name: p.name, n: 0 };
      counts.set(p.aadObjectId, { ...seen, n: seen.n + 1 });
    }
  const names = [...counts.values()].sort((a, b) => b.n - a.n || a.name.localeCompare(b.name)).map((c) => c.name);
  const people =
    names.length <= 3
      ? `${names.slice(0, -1).join(', ')}${names.length > 1 ? ' and ' : ''}${names[names.length - 1] ?? ''}`
      : `${names.slice(0, 2).join(', ')} and ${names.length - 2} others`;
  if (kind === 'channel') {
    const team = (ref.team && (renamed.get(ref.team.id) ?? ref.team.name)) || undefined;
    const general = ref.team && ref.channel && ref.team.id === ref.channel.id;
    const channel = (ref.channel && (renamed.get(ref.channel.id) ?? ref.channel.name)) || (general ? 'General' : undefined);
    if (team) return channel ? `${team} › ${channel}` : team;
    if (channel) return `${channel} (a channel)`;
    return `A channel with ${people}`;
  }
  return renamed.get(ref.id) ?? ref.name ?? `Chat with ${people}`;
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
const ORDER: Readonly<Record<AttentionReason, number>> = { blocked: 0, overdue: 1, away: 2, late: 3, waiting: 4 };

/** Why an open handoff needs attention now, if it does; every open handoff is at least waiting on someone. Blocked is blocking, not overdue. */
function attentionOf(handoff: Handoff, now: Date): AttentionReason {
  if (isBlocked(handoff)) return 'blocked';
  // Never overdue for time away: a heading of its own.
  if (waitsOnSomeoneAway(handoff, now)) return 'away';
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
  /** What teams and channels were renamed to, by id. */
  renamed?: ReadonlyMap<string, string>;
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
    .flatMap(([conversationId, histories]) => {
      const ref = teamConversation(conversationId, histories);
      const name = teamName(
        ref,
        input.renamed ?? new Map(),
        histories.map((h) => h.handoff),
      );
      return name === undefined
        ? []
        : [
            {
              conversationId,
              name,
              metrics: weekMetrics(histories, week, hoursOf),
              templates: templateRows(histories, loopWindow(new Date(week.end))),
            },
          ];
    })
    .filter((t) => t.metrics.active > 0)
    .sort((a, b) => b.metrics.active - a.metrics.active || a.conversationId.localeCompare(b.conversationId));
  // Two chats named alike (the same people, no topic) are told apart by a handoff the reader follows in each.
  const named = new Map<string, number>();
  for (const t of teams) named.set(t.name, (named.get(t.name) ?? 0) + 1);
  for (const t of teams) {
    const example = input.followed.find((h) => h.handoff.conversation.id === t.conversationId)?.handoff.summary;
    if ((named.get(t.name) ?? 0) > 1 && example) t.name = `${t.name} (“${example.length > 40 ? `${example.slice(0, 39)}…` : example}”)`;
  }
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
  /**
   * Compared with the four weeks before (their average, over the weeks that
   * had a value), in words: "up from 4.0 h", "same as before"; '' when there
   * is nothing to compare.
   */
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
  const before = values.slice(0, -1).filter((v): v is number => v !== undefined);
  const average = before.length === 0 ? undefined : before.reduce((a, b) => a + b, 0) / before.length;
  // Compared as they read: 0.26 and 0.3 both read "0.3", which is the same, not down.
  const change =
    current === undefined || average === undefined
      ? ''
      : format(current) === format(average)
        ? 'same as before'
        : `${current > average ? 'up' : 'down'} from ${format(average)}`;
  return { label, text: current === undefined ? 'none' : format(current), values, unit, change };
}

/** A blocking incident has its duration: how long the week's blocked spells lasted, beside their count. */
function withBlockedTime(incidents: MetricLine, medianHours: number | undefined): MetricLine {
  // Calendar time, said as people say it: "blocked for 1 minute", "blocked for 3 hours" (median of the spells).
  return medianHours === undefined
    ? incidents
    : { ...incidents, text: `${incidents.text} (blocked for ${formatDuration(medianHours * 3_600_000)}, median)` };
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
