/**
 * Cards read in two seconds (issue 23): every view drawn by the reference
 * renderer with Teams' light host config (Outlook's for the email), 450 px
 * wide, holds its height budget. Screenshots of each go to
 * test-results/card-heights/; the README's are copies of them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handoffCard, handoffFormCard } from '../../src/cards/handoff-cards';
import type { AdaptiveCard } from '../../src/cards/render';
import { summaryEmailCard, summaryTeamsCard, type SummaryView } from '../../src/cards/summary-card';
import type { Person } from '../../src/domain/handoff';
import { weeksBefore } from '../../src/domain/metrics';
import { buildSummary } from '../../src/domain/summary';
import { DEFAULT_WORKING_HOURS } from '../../src/domain/working-hours';
import { ASSETS, PROJECT_ROOT } from '../../src/project';
import { ada, alan, barbara, grace, journey, members, states, TYPICAL_STEPS, type Journey } from '../support/card-fixtures';
import { type CardRenderer, openCardRenderer } from '../support/card-renderer';
import { chromiumAvailable } from '../support/chromium';
import { history } from '../support/histories';

const SHOTS = join(PROJECT_ROOT, 'test-results', 'card-heights');
const NOW = new Date('2026-12-08T12:00:00.000Z');

const ROLES: [string, Person | undefined][] = [
  ['the receiver', grace],
  ['the sender', ada],
  ['the owner', alan],
  ['a stakeholder', barbara],
  ['the shared card', undefined],
];

const view = (j: Journey, who: Person | undefined, extra: { history?: boolean } = {}) =>
  handoffCard(j.handoff, who, {
    now: NOW,
    timeZone: 'Europe/London',
    members: [ada, grace, alan, barbara],
    history: extra.history ? j.history : undefined,
  });

const typical = journey(TYPICAL_STEPS);
/** Every attention fact at once: posted late, blocked, a flagged priority, a nudge that reached nobody, escalated. */
const everything = (() => {
  const j = journey(
    [
      [{ type: 'setWorkState', workState: 'blocked', blocker: 'Waiting for finance to grant read access' }, ada],
      [{ type: 'flagPriority', priority: 'urgent', reason: 'The launch moved to Thursday.' }, barbara],
      [{ type: 'nudge', reached: false }, alan],
    ],
    { late: true },
  );
  return { ...j, handoff: { ...j.handoff, clock: { ...j.handoff.clock!, level: 2 as const } } };
})();
const closed = journey([
  ...TYPICAL_STEPS,
  [{ type: 'accept', checked: [true, true, true], note: '' }, grace],
  [{ type: 'close', note: 'Shipped.' }, alan],
]);
const cancelled = journey([...TYPICAL_STEPS, [{ type: 'cancel', reason: 'Finance moved the project to Q1.' }, ada]]);

/** Three handoffs followed, five weeks of data. */
function summaryView(): SummaryView {
  const katherine = { aadObjectId: 'aad-k', userId: '29:k', name: 'Katherine Johnson' };
  const followed = [
    history(
      'h0',
      [
        ['posted', '2026-11-10T10:00:00.000Z'],
        ['accepted', '2026-11-11T15:00:00.000Z'],
      ],
      { stakeholders: [katherine], status: 'accepted', conversation: '19:team-a' },
    ),
    history(
      'h1',
      [
        ['posted', '2026-11-24T10:00:00.000Z'],
        ['questionAsked', '2026-11-25T10:00:00.000Z'],
        ['answered', '2026-11-25T12:00:00.000Z'],
        ['accepted', '2026-11-26T10:00:00.000Z'],
      ],
      { stakeholders: [katherine], status: 'accepted', conversation: '19:team-a' },
    ),
    history(
      'h2',
      [
        ['posted', '2026-12-01T10:00:00.000Z'],
        ['overdue', '2026-12-03T10:00:00.000Z'],
      ],
      { stakeholders: [katherine], status: 'inReview', conversation: '19:team-b' },
    ),
  ];
  const teams = new Map([
    ['19:team-a', followed.slice(0, 2)],
    ['19:team-b', followed.slice(2)],
  ]);
  const week = { start: '2026-11-30T08:00:00.000Z', end: '2026-12-07T08:00:00.000Z' };
  const summary = buildSummary({ followed, teams, weeks: weeksBefore(week, 5, 'UTC'), now: NOW, hoursOf: () => DEFAULT_WORKING_HOURS });
  return { summary, viewer: katherine, timeZone: 'Europe/London', now: NOW, publicBaseUrl: 'https://baton.contoso.com', stopped: false };
}

interface Case {
  name: string;
  card: AdaptiveCard;
  budget: number;
  hostConfig: 'teamsLight' | 'outlookDesktop';
}

const CASES: Case[] = [
  ...ROLES.map(([role, who]) => ({
    name: `a typical open handoff, ${role}`,
    card: view(typical, who),
    budget: 560,
    hostConfig: 'teamsLight' as const,
  })),
  ...ROLES.map(([role, who]) => ({
    name: `every attention fact at once, ${role}`,
    card: view(everything, who),
    budget: 640,
    hostConfig: 'teamsLight' as const,
  })),
  ...ROLES.flatMap(([role, who]) => [
    { name: `closed, ${role}`, card: view(closed, who), budget: 260, hostConfig: 'teamsLight' as const },
    { name: `cancelled, ${role}`, card: view(cancelled, who), budget: 260, hostConfig: 'teamsLight' as const },
  ]),
  ...states().flatMap((state) =>
    (
      [
        ['everyone', undefined],
        ['the receiver', state.handoff.receiver],
        ['the owner', state.handoff.owner],
        ['the sender', state.handoff.sender],
      ] as const
    ).map(([role, who]) => ({
      name: `the largest handoff, ${state.name}, ${role}`,
      card: handoffCard(state.handoff, who, { now: NOW, members, timeZone: 'Asia/Kolkata' }),
      budget: 1400,
      hostConfig: 'teamsLight' as const,
    })),
  ),
  {
    name: 'the handoff form, empty',
    card: handoffFormCard({ formId: 'f', members: [ada, grace, alan, barbara] }),
    budget: 800,
    hostConfig: 'teamsLight',
  },
  { name: 'the weekly summary in Teams', card: summaryTeamsCard(summaryView()), budget: 1000, hostConfig: 'teamsLight' },
  {
    name: 'the weekly summary email card in Outlook',
    card: summaryEmailCard(summaryView(), '6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6c'),
    budget: 900,
    hostConfig: 'outlookDesktop',
  },
];

describe.runIf(chromiumAvailable('the card height tests'))('card heights, drawn at 450 px', () => {
  const renderers: Partial<Record<Case['hostConfig'], CardRenderer>> = {};
  const heights: [string, number, number][] = [];
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    renderers.teamsLight = await openCardRenderer(ASSETS.hostConfigs.teamsLight);
    renderers.outlookDesktop = await openCardRenderer(ASSETS.hostConfigs.outlookDesktop);
  }, 60_000);
  afterAll(async () => {
    console.log(heights.map(([name, h, budget]) => `${String(h).padStart(5)} px of ${budget}  ${name}`).join('\n'));
    await Promise.all(Object.values(renderers).map((r) => r?.close()));
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (name, c) => {
    const renderer = renderers[c.hostConfig]!;
    const height = await renderer.height(c.card);
    heights.push([name, height, c.budget]);
    await renderer.screenshot(c.card, join(SHOTS, `${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`));
    expect(height).toBeLessThanOrEqual(c.budget);
  });
});
