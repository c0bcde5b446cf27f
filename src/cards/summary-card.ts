/**
 * The weekly summary, laid out three ways from one model (src/domain/summary.ts):
 *
 * - the email's card: Adaptive Card 1.4 (Outlook's floor for Action.Execute
 *   and refresh) with the `originator` of the bot's Outlook channel; Outlook
 *   always runs its `refresh`, so an email opened days later shows the live
 *   state;
 * - the Teams card (1.5), with Teams' charts for the trends and a text
 *   fallback where a client has no charts;
 * - the email's HTML body, for mail clients without cards and for forwards:
 *   tables, and a bar per metric that any client draws.
 *
 * Built in code rather than a template: the three share their parts, and the
 * lists are the model's.
 */
import { type Person, PRIORITIES, PRIORITY_LABELS, STATUS } from '../domain/handoff';
import { ATTENTION_LABELS, metricLines, type MetricLine, type Summary, type TeamSummary, weekLabel, weekKey } from '../domain/summary';
import { formatWhenIn, relativeWhen } from '../domain/time-format';
import { batonLink } from './notification-card';
import type { AdaptiveCard } from './render';
import { templateSummaryElements, templateSummaryHtml } from './template-cards';
import { VERBS } from './verbs';

export interface SummaryView {
  summary: Summary;
  viewer: Person;
  timeZone: string;
  now: Date;
  /** Where Baton's links point (a handoff's link redirects to its card in Teams). */
  publicBaseUrl: string;
  /** The person stopped their summary: the card offers to start it again. */
  stopped: boolean;
  /** One line at the top: what an action just did, or why it was refused. */
  notice?: string;
  /** The week its buttons name: a week's key, or 'latest' for the seven days up to now (the `summary` command's). */
  weekKey?: string;
}

type Element = Record<string, unknown>;

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** A text sparkline of a trend ("▁▃▅▇█"); a week with no value is a dot. */
export function sparkline(values: readonly (number | undefined)[]): string {
  const known = values.filter((v): v is number => v !== undefined);
  const max = Math.max(0, ...known);
  return values.map((v) => (v === undefined ? '·' : BLOCKS[max === 0 ? 0 : Math.round((v / max) * (BLOCKS.length - 1))])).join('');
}

const text = (value: string, extra: Element = {}): Element => ({ type: 'TextBlock', text: value, wrap: true, ...extra });

type Run = { text: string; weight?: 'Bolder'; color?: string; isSubtle?: boolean; url?: string };

/**
 * A line with what people typed in it: TextRuns are never read as markdown,
 * so a summary stays exactly its text in every client; a run with a url
 * opens it.
 */
function line(runs: Run[], extra: Element = {}): Element {
  return {
    type: 'RichTextBlock',
    inlines: runs.map(({ url, ...run }) => ({
      type: 'TextRun',
      ...run,
      ...(url ? { selectAction: { type: 'Action.OpenUrl', url } } : {}),
    })),
    ...extra,
  };
}

const handoffUrl = (view: SummaryView, id: string) => batonLink(view.publicBaseUrl, id);

/**
 * "Grace Hopper holds it since Tue 1 Dec, 10:00 London time · 7 days ago",
 * or "you hold it ..." for the reader: in the reader's zone, named in words,
 * since Outlook's card and the HTML body cannot show a viewer's own zone.
 */
function holdsSince(view: SummaryView, holder: Person, since: string): string {
  const who = holder.aadObjectId === view.viewer.aadObjectId ? 'you hold' : `${holder.name} holds`;
  return `${who} it since ${formatWhenIn(since, view.timeZone, view.now)} · ${relativeWhen(since, view.now)}`;
}

/** How many weeks before this one a metric is compared with. */
const WEEKS_BEFORE = 4;

/**
 * The metrics as one compact table, a row per metric: this week's value,
 * the change against the four weeks before, and a small trend over the same
 * weeks for every metric ("24.0 h · up from 18.0 h · ▁▃▅▇█"). A FactSet:
 * a two-column table every client draws, Outlook's included.
 */
function metricTable(lines: readonly MetricLine[]): Element[] {
  return [
    {
      // One line, heading and legend: "The week · against the 4 weeks before · trend".
      type: 'RichTextBlock',
      separator: true,
      spacing: 'Medium',
      inlines: [
        { type: 'TextRun', text: 'The week', weight: 'Bolder' },
        { type: 'TextRun', text: ` · against the ${WEEKS_BEFORE} weeks before · trend`, size: 'Small', isSubtle: true },
      ],
    },
    {
      type: 'FactSet',
      spacing: 'Small',
      facts: lines.map((l) => ({ title: l.label, value: [l.text, l.change, sparkline(l.values)].filter(Boolean).join(' · ') })),
    },
  ];
}

/**
 * At most one chart: the cycle time's, and only when more than one week has
 * one; its numbers are the table's (rounded as it reads), in minutes when
 * under an hour, so an axis never reads "0.005 hours".
 */
function cycleChart(lines: readonly MetricLine[], weeks: readonly string[]): Element | undefined {
  const cycle = lines[0];
  if (!cycle || cycle.values.filter((v) => v !== undefined).length < 2) return undefined;
  const max = Math.max(...cycle.values.filter((v): v is number => v !== undefined));
  const minutes = max < 1;
  const shown = (v: number) => (minutes ? Math.round(v * 60) : Math.round(v * 10) / 10);
  return {
    type: 'Chart.VerticalBar',
    title: `${cycle.label}, by week`,
    xAxisTitle: 'Week ending',
    yAxisTitle: minutes ? 'minutes' : 'hours',
    // The table's weeks, every one: a week with no value is labelled so, never read as a real 0.
    data: cycle.values.map((v, i) => (v === undefined ? { x: `${weeks[i] ?? ''} (none)`, y: 0 } : { x: weeks[i] ?? '', y: shown(v) })),
    spacing: 'Medium',
    // A client without charts has the table's trend already.
    fallback: 'drop',
  };
}

/** Longest a handoff's summary reads where the card names it in passing (a team, a choice): the list shows it whole. */
const SHORT = 60;
const short = (value: string) => (value.length > SHORT ? `${value.slice(0, SHORT - 1)}…` : value);

/**
 * One "Flag a priority change" form for the handoffs the reader follows as a
 * stakeholder (the article's stakeholder action): the handoff, the new
 * priority, why. One form, not one per handoff, keeps the email small.
 */
function flagPriority(view: SummaryView, week: string): Element | undefined {
  const mine = view.summary.attention.filter((item) => item.handoff.stakeholders.some((s) => s.aadObjectId === view.viewer.aadObjectId));
  if (mine.length === 0) return undefined;
  return {
    type: 'Action.ShowCard',
    title: 'Flag a priority change',
    card: {
      type: 'AdaptiveCard',
      body: [
        {
          type: 'Input.ChoiceSet',
          id: 'handoffId',
          label: 'Handoff',
          isRequired: true,
          errorMessage: 'Choose the handoff',
          value: mine[0]!.handoff.id,
          choices: mine.map((item) => ({ title: short(item.handoff.summary), value: item.handoff.id })),
        },
        {
          type: 'Input.ChoiceSet',
          id: 'priority',
          label: 'New priority',
          isRequired: true,
          errorMessage: 'Choose a priority',
          choices: PRIORITIES.map((p) => ({ title: PRIORITY_LABELS[p], value: p })),
        },
        {
          type: 'Input.Text',
          id: 'priorityReason',
          label: 'Why (the team reads it on the card)',
          isRequired: true,
          errorMessage: 'Say why, in a few words',
          maxLength: 500,
        },
      ],
      actions: [{ type: 'Action.Execute', title: 'Flag it', verb: VERBS.summaryFlagPriority, data: { week } }],
    },
  };
}

function attentionItems(view: SummaryView): Element[] {
  const { summary } = view;
  if (summary.attention.length === 0) return [text('Nothing needs attention.', { isSubtle: true, spacing: 'Small' })];
  const items: Element[] = summary.attention.map((item) => ({
    type: 'Container',
    spacing: 'Medium',
    items: [
      // The summary opens the handoff's card in Teams.
      line([
        {
          text: `${ATTENTION_LABELS[item.reason]} · `,
          weight: 'Bolder',
          color: item.reason === 'overdue' || item.reason === 'blocked' ? 'Attention' : 'Default',
        },
        { text: item.handoff.summary, color: 'Accent', url: handoffUrl(view, item.handoff.id) },
      ]),
      line(
        [
          {
            text: `${STATUS[item.handoff.status].label} · ${holdsSince(view, item.holder, item.since)}`,
            isSubtle: true,
          },
        ],
        { spacing: 'None' },
      ),
    ],
  }));
  if (summary.attentionMore > 0)
    items.push(text(`And ${summary.attentionMore} more: type **mine** in Baton's chat to see them all.`, { isSubtle: true }));
  return items;
}

/** A team in one line, for the card and the HTML body alike: "Contoso Payments › Handoffs: 7 active, 2 accepted, median cycle 5.0 h, 1 blocking". */
function teamLine(team: TeamSummary): string {
  const t = team.metrics;
  const cycle = t.cycleHours ? `, median cycle ${(Math.round(t.cycleHours.median * 10) / 10).toFixed(1)} h` : '';
  return `${short(team.name)}: ${t.active} active, ${t.accepted} accepted${cycle}, ${t.blockingIncidents} blocking`;
}

function summaryBody(view: SummaryView, charts: boolean): Element[] {
  const { summary, timeZone } = view;
  const lines = metricLines(summary.trend);
  const weeks = summary.trend.map((m) => weekLabel(m.week, timeZone).split(' - ')[1] ?? '');
  const m = summary.metrics;
  const body: Element[] = [
    text('Baton · your week in handoffs', { size: 'Medium', weight: 'Bolder' }),
    text(
      `${weekLabel(summary.week, timeZone)} · ${summary.followed} handoff${summary.followed === 1 ? '' : 's'} you follow · ${m.posted} posted, ${m.accepted} accepted`,
      {
        isSubtle: true,
        spacing: 'None',
      },
    ),
  ];
  // A TextRun is never read as markdown: the notice may quote a handoff's summary.
  if (view.notice)
    body.push({
      type: 'Container',
      style: 'emphasis',
      items: [{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: view.notice }] }],
    });
  // After Stop, the notice already says it.
  if (view.stopped && !view.notice)
    body.push(text('Your weekly summary is stopped: Baton sends you none until you start it again.', { color: 'Warning' }));
  body.push(...metricTable(lines));
  const chart = charts ? cycleChart(lines, weeks) : undefined;
  if (chart) body.push(chart);
  body.push(text('Needs attention', { weight: 'Bolder', separator: true, spacing: 'Medium' }), ...attentionItems(view));
  body.push(text('Accepted this week', { weight: 'Bolder', separator: true, spacing: 'Medium' }));
  if (summary.accepted.length === 0) body.push(text('None this week.', { isSubtle: true, spacing: 'Small' }));
  for (const handoff of summary.accepted)
    body.push(
      line([{ text: '✓ ' }, { text: short(handoff.summary), color: 'Accent', url: handoffUrl(view, handoff.id) }], { spacing: 'Small' }),
    );
  if (summary.acceptedMore > 0) body.push(text(`And ${summary.acceptedMore} more.`, { isSubtle: true, spacing: 'Small' }));
  if (summary.teams.length > 0) {
    body.push(text('By team', { weight: 'Bolder', separator: true, spacing: 'Medium' }));
    for (const team of summary.teams)
      body.push(line([{ text: teamLine(team) }], { spacing: 'Small' }), ...templateSummaryElements(team, charts));
  }
  return body;
}

function cardActions(view: SummaryView, week: string): Element[] {
  const flag = flagPriority(view, week);
  return [...(flag ? [flag] : []), preferenceAction(view)];
}

function preferenceAction(view: SummaryView): Element {
  return view.stopped
    ? { type: 'Action.Execute', title: 'Start my weekly summary', verb: VERBS.summaryStart, data: {} }
    : { type: 'Action.Execute', title: 'Stop my weekly summary', verb: VERBS.summaryStop, data: {} };
}

/**
 * The email's card.
 * @param originator the provider id of the bot's Outlook channel (the Actionable Email Developer Dashboard's)
 */
export function summaryEmailCard(view: SummaryView, originator: string | undefined): AdaptiveCard {
  const week = view.weekKey ?? weekKey(view.summary.week, view.timeZone);
  return {
    type: 'AdaptiveCard',
    version: '1.4',
    ...(originator ? { originator } : {}),
    // The card says all the body says, with its buttons: Outlook shows the card alone. Replies, forwards and mail apps without cards show the body.
    hideOriginalBody: true,
    // Outlook runs this each time the email is opened: the lists show each handoff's state now.
    refresh: { action: { type: 'Action.Execute', verb: VERBS.summaryRefresh, data: { week } }, userIds: [] },
    body: summaryBody(view, false),
    actions: cardActions(view, week),
  };
}

/** The Teams card, with charts. */
export function summaryTeamsCard(view: SummaryView): AdaptiveCard {
  const week = view.weekKey ?? weekKey(view.summary.week, view.timeZone);
  return {
    type: 'AdaptiveCard',
    version: '1.5',
    refresh: { action: { type: 'Action.Execute', verb: VERBS.summaryRefresh, data: { week } }, userIds: [view.viewer.userId] },
    body: summaryBody(view, true),
    actions: cardActions(view, week),
  };
}

const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A bar any mail client draws: a table cell of a width, in a colour. */
function htmlBar(value: number | undefined, max: number): string {
  const width = value === undefined || max === 0 ? 1 : Math.max(2, Math.round((value / max) * 60));
  return `<table cellpadding="0" cellspacing="0"><tr><td width="${width}" height="10" bgcolor="${value ? '#5b5fc7' : '#e0e0e0'}"></td></tr></table>`;
}

/** The email's HTML body: the same summary for clients that show no card. */
export function summaryHtml(view: SummaryView): string {
  const { summary, timeZone } = view;
  const lines = metricLines(summary.trend);
  const weeks = summary.trend.map((m) => weekLabel(m.week, timeZone).split(' - ')[1] ?? '');
  const cell = 'style="padding:3px 6px;border-bottom:1px solid #ddd"';
  const metricTable = lines
    .map((l) => {
      const max = Math.max(0, ...l.values.filter((v): v is number => v !== undefined));
      const bars = l.values.map((v) => `<td ${cell}>${htmlBar(v, max)}</td>`).join('');
      return `<tr><td ${cell}>${escape(l.label)}</td><td ${cell}><b>${escape(l.text)}</b></td>${bars}</tr>`;
    })
    .join('');
  const weekHeads = weeks.map((w, i) => `<th ${cell} align="left">${i === 0 ? 'Week ending ' : ''}${escape(w)}</th>`).join('');
  const attention =
    summary.attention.length === 0
      ? '<p>Nothing needs attention.</p>'
      : `<ul>${summary.attention
          .map(
            (a) =>
              `<li><b>${escape(ATTENTION_LABELS[a.reason])}</b>: <a href="${escape(handoffUrl(view, a.handoff.id))}">${escape(a.handoff.summary)}</a>, ${escape(holdsSince(view, a.holder, a.since))}</li>`,
          )
          .join('')}</ul>${summary.attentionMore > 0 ? `<p>And ${summary.attentionMore} more.</p>` : ''}`;
  const accepted =
    summary.accepted.length === 0
      ? '<p>None this week.</p>'
      : `<ul>${summary.accepted.map((h) => `<li><a href="${escape(handoffUrl(view, h.id))}">${escape(short(h.summary))}</a></li>`).join('')}</ul>`;
  return [
    '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>Baton weekly summary</title></head>',
    '<body style="font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#242424">',
    `<h2 style="margin:0">Your week in handoffs</h2><p style="color:#616161;margin-top:4px">${escape(weekLabel(summary.week, timeZone))} · ${summary.followed} handoff${summary.followed === 1 ? '' : 's'} you follow · ${summary.metrics.posted} posted, ${summary.metrics.accepted} accepted</p>`,
    `<h3>The week</h3><table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse"><tr><th ${cell}></th><th ${cell} align="left">This week</th>${weekHeads}</tr>${metricTable}</table>`,
    `<h3>Needs attention</h3>${attention}`,
    `<h3>Accepted this week</h3>${accepted}`,
    summary.teams.length === 0
      ? ''
      : `<h3>By team</h3><ul>${summary.teams.map((t) => `<li>${escape(teamLine(t))}${templateSummaryHtml(t, escape)}</li>`).join('')}</ul>`,
    `<p style="color:#616161">To flag a priority change, open this email in Outlook, or open the handoff in Teams. To stop this summary, use the button in Outlook or type <b>summary stop</b> in Baton's chat.</p>`,
    '</body></html>',
  ].join('');
}
