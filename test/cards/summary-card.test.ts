/**
 * The weekly summary's three layouts (issue 11): the email's card (1.4, with
 * the originator and a refresh), the Teams card (charts with a fallback),
 * and the HTML body for clients without cards. Each against the schema, each
 * small enough for its channel at the largest summary Baton builds, user text
 * always text.
 */
import { describe, expect, it } from 'vitest';
import { composeEmailHtml } from '../../src/graph/mail';
import { summaryEmailCard, summaryHtml, summaryTeamsCard, sparkline, type SummaryView } from '../../src/cards/summary-card';
import type { AdaptiveCard } from '../../src/cards/render';
import { VERBS } from '../../src/cards/verbs';
import { weeksBefore } from '../../src/domain/metrics';
import { SUMMARY_MAX } from '../../src/domain/handoff-form';
import { buildSummary, LIST_MAX } from '../../src/domain/summary';
import { DEFAULT_WORKING_HOURS } from '../../src/domain/working-hours';
import { expectValidCard } from '../support/card-schema';
import { history, person, type Step } from '../support/histories';

const katherine = person('katherine', 'Katherine Johnson');
const WEEK = { start: '2026-11-30T08:00:00.000Z', end: '2026-12-07T08:00:00.000Z' };
const NOW = new Date('2026-12-07T08:05:00.000Z');
const ORIGINATOR = '6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6c';
const HOSTILE = 'Payroll <script>alert(1)</script> **bold** [x](https://evil.example) ${name}';

type Node = Record<string, unknown>;
function nodes(card: unknown, keep: (n: Node) => boolean): Node[] {
  const found: Node[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      if (keep(n as Node)) found.push(n as Node);
      Object.values(n).forEach(walk);
    }
  };
  walk(card);
  return found;
}
const verbs = (card: unknown) => nodes(card, (n) => n.type === 'Action.Execute').map((n) => n.verb);

function view(options: { followed?: number; stopped?: boolean; summary?: string; stakeholder?: boolean } = {}): SummaryView {
  const count = options.followed ?? 3;
  const stakeholders = options.stakeholder === false ? [] : [katherine];
  const followed = Array.from({ length: count }, (_, i) =>
    history(`h${i}`, [['posted', '2026-12-01T10:00:00.000Z'], ...(i % 2 === 0 ? [['accepted', '2026-12-02T10:00:00.000Z'] as Step] : [])], {
      stakeholders,
      status: i % 2 === 0 ? 'accepted' : 'inReview',
      conversation: `19:team-${i % 10}`,
      patch: { summary: options.summary ? `${options.summary}`.slice(0, SUMMARY_MAX) : `Handoff ${i}`, id: `${i}`.padStart(20, '0') },
    }),
  );
  const teams = new Map(followed.map((h) => [h.handoff.conversation.id, [h]]));
  const summary = buildSummary({ followed, teams, weeks: weeksBefore(WEEK, 5, 'UTC'), now: NOW, hoursOf: () => DEFAULT_WORKING_HOURS });
  return {
    summary,
    viewer: katherine,
    timeZone: 'Europe/London',
    now: NOW,
    publicBaseUrl: 'https://baton.contoso.com',
    stopped: options.stopped ?? false,
  };
}

/** What a client without charts renders: each chart replaced by its fallback. */
function withChartFallbacks(card: AdaptiveCard): AdaptiveCard {
  const swap = (n: unknown): unknown => {
    if (Array.isArray(n)) return n.map(swap);
    if (!n || typeof n !== 'object') return n;
    const node = n as Node;
    if (typeof node.type === 'string' && node.type.startsWith('Chart.')) return swap(node.fallback);
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, swap(v)]));
  };
  return swap(card) as AdaptiveCard;
}

describe("the summary email's card", () => {
  const card = summaryEmailCard(view(), ORIGINATOR);

  it('is version 1.4 with the originator, hides the HTML body it repeats, and refreshes itself with the week it shows', () => {
    expect(card.version).toBe('1.4');
    expect(card.originator).toBe(ORIGINATOR);
    expect(card.hideOriginalBody).toBe(true);
    expect(card.refresh).toEqual({
      action: { type: 'Action.Execute', verb: VERBS.summaryRefresh, data: { week: '2026-12-07' } },
      userIds: [],
    });
    // `originator` and `hideOriginalBody` are Outlook's extensions to the schema, checked above.
    const { originator: _originator, hideOriginalBody: _hide, ...core } = card;
    expectValidCard(core as AdaptiveCard, '1.4');
  });

  it('leaves the originator out until one is registered', () => {
    expect(summaryEmailCard(view(), undefined)).not.toHaveProperty('originator');
  });

  it('offers a stakeholder to flag a priority change on a handoff that needs attention, links each to Teams, and offers to stop the summary', () => {
    expect(new Set(verbs(card))).toEqual(new Set([VERBS.summaryRefresh, VERBS.summaryFlagPriority, VERBS.summaryStop]));
    const flags = nodes(card, (n) => n.verb === VERBS.summaryFlagPriority);
    expect(flags.map((f) => f.data)).toEqual([{ week: '2026-12-07' }]);
    const [which, priority] = nodes(card, (n) => n.type === 'Input.ChoiceSet');
    // Only the one still in review: accepted work needs no priority.
    expect(which).toMatchObject({
      id: 'handoffId',
      value: '00000000000000000001',
      choices: [{ title: 'Handoff 1', value: '00000000000000000001' }],
    });
    expect(priority).toMatchObject({ id: 'priority', choices: [{ value: 'normal' }, { value: 'high' }, { value: 'urgent' }] });
    expect(nodes(card, (n) => n.type === 'TextRun' && n.text === 'Handoff 1')[0]).toMatchObject({
      selectAction: { type: 'Action.OpenUrl', url: 'https://baton.contoso.com/api/handoffs/00000000000000000001' },
    });
  });

  it('offers no flag on a handoff the reader does not follow as a stakeholder (an owner who asked for the summary)', () => {
    expect(verbs(summaryEmailCard(view({ stakeholder: false }), ORIGINATOR))).not.toContain(VERBS.summaryFlagPriority);
  });

  it('offers to start the summary again once it is stopped, and says so', () => {
    const stopped = summaryEmailCard(view({ stopped: true }), ORIGINATOR);
    expect(verbs(stopped)).toContain(VERBS.summaryStart);
    expect(verbs(stopped)).not.toContain(VERBS.summaryStop);
    expect(JSON.stringify(stopped)).toContain('Your weekly summary is stopped');
    // After the Stop button, its notice says it once, not twice.
    const afterStop = summaryEmailCard({ ...view({ stopped: true }), notice: 'Your weekly summary is stopped.' }, ORIGINATOR);
    expect(JSON.stringify(afterStop).match(/Your weekly summary is stopped/g)).toHaveLength(1);
  });

  it('keeps what people typed as text: only in TextRuns, never read as markdown', () => {
    const hostile = summaryEmailCard(view({ summary: HOSTILE }), ORIGINATOR);
    expect(nodes(hostile, (n) => n.type === 'TextRun' && n.text === HOSTILE).length).toBeGreaterThan(0);
    expect(nodes(hostile, (n) => n.type === 'TextBlock' && String(n.text).includes('bold'))).toEqual([]);
  });
});

describe('who holds what needs attention, and since when', () => {
  const texts = (card: unknown) => nodes(card, (n) => typeof n.text === 'string').map((n) => n.text as string);

  it("says it in the reader's zone, named in words, with how long ago, and says you to the one who holds it", () => {
    const shown = view();
    const line = /^In review · Grace Hopper holds it since Tue 1 Dec, 10:00 London time · 5 days ago$/;
    expect(texts(summaryTeamsCard(shown))).toContainEqual(expect.stringMatching(line));
    expect(texts(summaryEmailCard(shown, ORIGINATOR))).toContainEqual(expect.stringMatching(line));
    expect(summaryHtml(shown)).toContain('Grace Hopper holds it since Tue 1 Dec, 10:00 London time · 5 days ago');
    const grace = shown.summary.attention[0]!.holder;
    expect(texts(summaryTeamsCard({ ...shown, viewer: grace }))).toContainEqual(
      'In review · you hold it since Tue 1 Dec, 10:00 London time · 5 days ago',
    );
  });
});

describe('the summary in Teams', () => {
  /** Handoffs accepted in the given weeks, each after `hours` of calendar time. */
  function acceptedIn(cycles: [string, number][]): SummaryView {
    const followed = cycles.map(([acceptedAt, hours], i) =>
      history(
        `c${i}`,
        [
          ['posted', new Date(Date.parse(acceptedAt) - hours * 3_600_000).toISOString()],
          ['accepted', acceptedAt],
        ],
        {
          stakeholders: [katherine],
          status: 'accepted',
          conversation: '19:team-0',
          patch: { summary: `Handoff ${i}`, id: `${i}`.padStart(20, '0') },
        },
      ),
    );
    const summary = buildSummary({
      followed,
      teams: new Map([['19:team-0', followed]]),
      weeks: weeksBefore(WEEK, 5, 'UTC'),
      now: NOW,
      hoursOf: () => DEFAULT_WORKING_HOURS,
    });
    return { summary, viewer: katherine, timeZone: 'Europe/London', now: NOW, publicBaseUrl: 'https://baton.contoso.com', stopped: false };
  }

  it('shows the metrics as one compact table: this week, against the four weeks before, and a trend over the same weeks', () => {
    const card = summaryTeamsCard(view());
    const facts = nodes(card, (n) => n.type === 'FactSet')[0]!.facts as { title: string; value: string }[];
    expect(facts.map((f) => f.title)).toEqual([
      'Cycle time (median, posted to accepted)',
      'First-pass acceptance',
      'Clarifications per handoff',
      'Blocking incidents',
      'Overdue steps',
      'Posted late',
    ]);
    // Five weeks each, the same five for every metric; a week without a value is a dot.
    expect(facts[0]!.value).toBe('24.0 h · ····█');
    expect(facts.every((f) => /[▁-█·]{5}$/.test(f.value))).toBe(true);
    expect(card.refresh).toMatchObject({ userIds: [katherine.userId] });
    expectValidCard(withChartFallbacks(card));
  });

  it("draws at most one chart, the cycle time, only when more than one week has one, over the table's weeks, with the numbers the table reads", () => {
    // One week with a cycle time: no chart.
    expect(nodes(summaryTeamsCard(view()), (n) => typeof n.type === 'string' && n.type.startsWith('Chart.'))).toEqual([]);
    // Two weeks: one chart, in hours, rounded as the table reads them.
    const two = summaryTeamsCard(
      acceptedIn([
        ['2026-11-25T10:00:00.000Z', 30.04],
        ['2026-12-02T10:00:00.000Z', 6.25],
      ]),
    );
    const charts = nodes(two, (n) => typeof n.type === 'string' && n.type.startsWith('Chart.'));
    expect(charts.map((c) => [c.type, c.title, c.yAxisTitle, c.data])).toEqual([
      [
        'Chart.VerticalBar',
        'Cycle time (median, posted to accepted), by week',
        'hours',
        [
          { x: '9 Nov (none)', y: 0 },
          { x: '16 Nov (none)', y: 0 },
          { x: '23 Nov (none)', y: 0 },
          { x: '30 Nov', y: 30 },
          { x: '7 Dec', y: 6.3 },
        ],
      ],
    ]);
    expect((nodes(two, (n) => n.type === 'FactSet')[0]!.facts as { value: string }[])[0]!.value).toMatch(/^6\.3 h · down from 30\.0 h · /);
    // Under an hour every week: minutes, never "0.005 hours".
    const quick = summaryTeamsCard(
      acceptedIn([
        ['2026-11-25T10:00:00.000Z', 0.5],
        ['2026-12-02T10:00:00.000Z', 0.25],
      ]),
    );
    const minutes = nodes(quick, (n) => n.type === 'Chart.VerticalBar')[0]!;
    expect([minutes.yAxisTitle, minutes.data]).toEqual([
      'minutes',
      [
        { x: '9 Nov (none)', y: 0 },
        { x: '16 Nov (none)', y: 0 },
        { x: '23 Nov (none)', y: 0 },
        { x: '30 Nov', y: 30 },
        { x: '7 Dec', y: 15 },
      ],
    ]);
  });
});

describe('the summary at its largest', () => {
  // Every list full, each summary at the form's cap in multi-byte text, ten teams.
  const largest = view({ followed: 40, summary: 'Überprüfung der Zahlungsläufe 支払い再試行 ✓ '.repeat(8) });

  it(`lists at most ${LIST_MAX} handoffs per list and counts the rest`, () => {
    expect(largest.summary.attention).toHaveLength(LIST_MAX);
    // Half of them are accepted, not waiting on anyone's attention.
    expect(largest.summary.attentionMore).toBe(20 - LIST_MAX);
  });

  it('keeps the whole email, card in its head, under 25 KB', () => {
    const html = composeEmailHtml(summaryHtml(largest), summaryEmailCard(largest, ORIGINATOR));
    const bytes = Buffer.byteLength(html, 'utf8');
    // 25 KB as Outlook's limit is read most strictly: 25,000 bytes.
    expect(bytes).toBeLessThan(25_000);
    expect(bytes).toBeGreaterThan(8 * 1024);
  });

  it('keeps the Teams card under 40 KB counted as Teams counts (UTF-16)', () => {
    expect(JSON.stringify(summaryTeamsCard(largest)).length * 2).toBeLessThan(40 * 1024);
  });
});

describe("the summary email's HTML body", () => {
  const html = summaryHtml(view({ summary: HOSTILE }));

  it('says what the card says, with a bar per metric and week that any client draws', () => {
    expect(html).toContain('Your week in handoffs');
    expect(html).toContain('First-pass acceptance');
    expect(html).toContain('Needs attention');
    expect(html).toContain('Accepted this week');
    // Six metrics, five weeks each: a bar is a table cell of a width.
    expect(html.match(/<td width="\d+" height="10" bgcolor="#[0-9a-f]{6}"><\/td>/g)).toHaveLength(30);
    expect(html).toContain('<a href="https://baton.contoso.com/api/handoffs/00000000000000000001">');
    expect(html).toContain('<h3>By team</h3>');
  });

  it('escapes what people typed', () => {
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('sparkline', () => {
  it('scales to the largest week and dots a week without a value', () => {
    expect(sparkline([0, 1, 2, undefined, 4])).toBe('▁▃▅·█');
    expect(sparkline([0, 0])).toBe('▁▁');
  });
});
