/**
 * Every text on Baton's cards is readable in Teams' light and dark themes:
 * its colour (the host config's foreground for its container style and
 * colour name, subtle or not) against its container's background keeps
 * WCAG's 4.5:1 for normal text. The host configs are the repository's copies
 * of Teams' own (cards/hostconfig).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ada, alan, barbara, grace } from '../support/builders';
import { handoffCard, handoffFormCard } from '../../src/cards/handoff-cards';
import { myHandoffsCard } from '../../src/cards/my-handoffs-card';
import { notificationCard } from '../../src/cards/notification-card';
import { awayCard, awayNoticeCard } from '../../src/cards/away-card';
import { handoffResultCard } from '../../src/cards/handoff-result-card';
import type { AdaptiveCard } from '../../src/cards/render';
import { type Handoff, listingOf, type Person, postHandoff, type Status } from '../../src/domain/handoff';
import { DEFAULT_DUE_POLICY, nextDueState } from '../../src/domain/due';
import { apply, type Command } from '../../src/domain/process';
import { DEFAULT_WORKING_HOURS } from '../../src/domain/working-hours';
import { ASSETS } from '../../src/project';

interface HostConfig {
  containerStyles: Record<string, { backgroundColor: string; foregroundColors: Record<string, { default: string; subtle: string }> }>;
}

const THEMES: Record<string, HostConfig> = {
  light: JSON.parse(readFileSync(ASSETS.hostConfigs.teamsLight, 'utf8')) as HostConfig,
  dark: JSON.parse(readFileSync(ASSETS.hostConfigs.teamsDark, 'utf8')) as HostConfig,
};

/** #RGB, #RRGGBB or #AARRGGBB (Adaptive Cards puts alpha first) to [r, g, b] in 0..1, alpha blended over `under`. */
function rgb(hex: string, under: [number, number, number] = [1, 1, 1]): [number, number, number] {
  const digits = hex.replace('#', '');
  const [a, r, g, b] =
    digits.length === 8
      ? [0, 2, 4, 6].map((i) => parseInt(digits.slice(i, i + 2), 16) / 255)
      : [1, ...[0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16) / 255)];
  return [r!, g!, b!].map((c, i) => c * a! + under[i]! * (1 - a!)) as [number, number, number];
}

function luminance([r, g, b]: [number, number, number]): number {
  const linear = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** WCAG 2 contrast ratio of a text colour on a background. */
function contrast(text: string, background: string): number {
  const bg = rgb(background);
  const [l1, l2] = [luminance(rgb(text, bg)), luminance(bg)].sort((x, y) => y - x);
  return (l1! + 0.05) / (l2! + 0.05);
}

interface TextOnCard {
  text: string;
  style: string;
  color: string;
  subtle: boolean;
}

/** Every text, with the container style around it and its colour name. */
function textsWithStyle(card: AdaptiveCard): TextOnCard[] {
  const found: TextOnCard[] = [];
  const walk = (node: unknown, style: string, inherited: { color?: string; subtle?: boolean }) => {
    if (Array.isArray(node)) return node.forEach((child) => walk(child, style, inherited));
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const here = record.type === 'Container' && typeof record.style === 'string' ? record.style : style;
    if ((record.type === 'TextBlock' || record.type === 'TextRun') && typeof record.text === 'string' && record.text.trim() !== '') {
      found.push({
        text: record.text,
        style: here,
        color: String(record.color ?? inherited.color ?? 'default').toLowerCase(),
        subtle: record.isSubtle === true,
      });
    }
    // An Action.ShowCard's card sits on the card's own background.
    for (const [key, value] of Object.entries(record)) walk(value, key === 'card' ? 'default' : here, inherited);
  };
  walk(card.body, 'default', {});
  return found;
}

function handoffIn(status: Status): Handoff {
  let { handoff } = postHandoff({
    id: 'abcdef0123456789abcd',
    tenantId: 't',
    fields: {
      summary: 'Payments retry logic is ready',
      whatIsReady: 'Merged.',
      acceptanceCriteria: ['Tests pass'],
      assumptions: 'Sandbox.',
      links: ['https://example.com/pr/1'],
      effortMinutes: 60,
      workState: 'blocked',
      blocker: 'Staging DB',
      neededBy: '2026-12-20',
      priority: 'urgent',
    },
    sender: ada,
    receiver: grace,
    owner: alan,
    stakeholders: [barbara],
    conversation: { id: '19:chat', serviceUrl: 'https://smba.example/' },
    at: '2026-12-01T09:00:00.000Z',
    late: true,
  });
  // Blocked work is not reviewed: the sender unblocks it before a decision.
  const unblock: [Command, Person] = [{ type: 'setWorkState', workState: 'ready', blocker: '' }, ada];
  const steps: Record<Status, [Command, Person][]> = {
    inReview: [[{ type: 'nudge', reached: false }, alan]],
    questionAsked: [[{ type: 'ask', question: 'Which flag?' }, grace]],
    changesRequested: [unblock, [{ type: 'requestChanges', comment: 'Add tests.' }, grace]],
    accepted: [unblock, [{ type: 'accept', checked: [true], note: 'Good.' }, grace]],
    closed: [unblock, [{ type: 'accept', checked: [true], note: '' }, grace], [{ type: 'close', note: 'Shipped.' }, alan]],
    cancelled: [[{ type: 'cancel', reason: 'Plans changed.' }, ada]],
  };
  for (const [command, actor] of steps[status]) {
    const outcome = apply(handoff, command, actor, '2026-12-01T10:00:00.000Z');
    if (!outcome.ok) throw new Error(outcome.refusal.message);
    handoff = outcome.handoff;
  }
  return handoff;
}

/** In review with its due state, long past its due time. */
function overdue(): Handoff {
  const { handoff, event } = postHandoff({
    id: 'abcdef0123456789abce',
    tenantId: 't',
    fields: {
      summary: 'Ledger export is ready',
      whatIsReady: 'Merged.',
      acceptanceCriteria: ['Totals match'],
      assumptions: '',
      links: [],
      effortMinutes: 60,
      workState: 'ready',
      blocker: '',
      neededBy: undefined,
      priority: 'normal',
    },
    sender: ada,
    receiver: grace,
    owner: alan,
    stakeholders: [],
    conversation: { id: '19:chat', serviceUrl: 'https://smba.example/' },
    at: '2026-12-01T09:00:00.000Z',
    late: false,
  });
  const hours = new Map([ada, grace, alan].map((p) => [p.aadObjectId, DEFAULT_WORKING_HOURS]));
  return { ...handoff, ...nextDueState(undefined, handoff, event, hours, DEFAULT_DUE_POLICY) };
}

const STATUSES_SHOWN: Status[] = ['inReview', 'questionAsked', 'changesRequested', 'accepted', 'closed', 'cancelled'];

const CARDS: [string, AdaptiveCard][] = [
  ...STATUSES_SHOWN.flatMap((status) =>
    [ada, grace, alan, barbara, undefined].map((viewer): [string, AdaptiveCard] => [
      `handoff ${status} for ${viewer?.name ?? 'everyone'}`,
      handoffCard(handoffIn(status), viewer, {
        notice: 'Others changed this handoff at the same moment.',
        now: new Date('2026-12-01T12:00:00Z'),
      }),
    ]),
  ),
  // The turn line turns the attention colour once a step is overdue.
  ...[ada, grace, undefined].map((viewer): [string, AdaptiveCard] => [
    `handoff overdue for ${viewer?.name ?? 'everyone'}`,
    handoffCard(overdue(), viewer, { now: new Date('2026-12-09T12:00:00Z') }),
  ]),
  [
    'the form with errors and hints',
    handoffFormCard({
      formId: 'f',
      members: [ada, grace],
      errors: { summary: 'Write a one-sentence summary.', links: 'Not https.' },
      message: 'Nothing was posted: 2 fields need a change.',
      hints: ['No links.'],
    }),
  ],
  [
    'the edit form with its change request',
    handoffFormCard({
      formId: 'f',
      members: [],
      editing: { handoffId: 'h', version: 1, banner: { title: 'Grace asked for changes: ', text: 'Add tests.' } },
    }),
  ],
  [
    'mine',
    myHandoffsCard([
      {
        title: 'To review',
        handoffs: [
          {
            handoff: handoffIn('inReview'),
            detail: 'From Ada · 2 h ago',
            due: 'due {{DATE(2026-12-08T10:00:00Z, SHORT)}} {{TIME(2026-12-08T10:00:00Z)}}',
          },
        ],
      },
    ]),
  ],
  ['a 1:1 message', notificationCard(handoffIn('questionAsked'), 'Grace asked a question about your handoff.', 'Which flag?')],
  [
    'a search result',
    handoffResultCard(listingOf(handoffIn('inReview')), 'In review · Ada Lovelace -> Grace Hopper', 'https://baton.example/api/handoffs/h'),
  ],
  [
    'the form, someone on it away',
    handoffFormCard({
      formId: 'f',
      members: [],
      away: [
        {
          text: 'Grace Hopper is away until Wed 16 Dec; the review would be due Wed 16 Dec, 12:00.',
          offer: 'Hand it to Alan Turing instead',
          useReceiver: 'a',
          useOwner: '',
        },
      ],
    }),
  ],
  [
    "the owner's message about someone away",
    awayNoticeCard({
      headline: 'Grace Hopper is away until Wed 16 Dec: a handoff you own waits on Grace.',
      note: 'Grace named Alan Turing to take over while away: Reassign hands a review to Alan.',
      items: [
        {
          handoffId: 'h',
          summary: 'Payments retry',
          detail: 'Review · due Wed 16 Dec, 12:00',
          answer: 'You keep waiting for Grace.',
          reassign: true,
          keep: true,
          input: 'newReceiver_0',
          successorId: 'a',
          successorName: 'Alan Turing',
          reassignTitle: 'Reassign to someone else',
          away: 'g',
          notice: 'n',
        },
      ],
    }),
  ],
  [
    'the away card',
    awayCard({
      status: 'You told Baton you are away from Fri 11 Dec until Wed 16 Dec.',
      from: '2026-12-11',
      until: '2026-12-16',
      successorId: '',
      successors: [],
      handOver: 'false',
      declared: true,
      notice: 'Saved.',
    }),
  ],
];

describe("text contrast in Teams' light and dark themes", () => {
  it.each(CARDS.flatMap(([name, card]) => Object.keys(THEMES).map((theme) => [`${name}, ${theme}`, card, theme] as const)))(
    'keeps 4.5:1 everywhere on %s',
    (_name, card, theme) => {
      const config = THEMES[theme]!;
      const poor = textsWithStyle(card)
        .map((t) => {
          const style = config.containerStyles[t.style] ?? config.containerStyles.default!;
          const colors = style.foregroundColors[t.color] ?? style.foregroundColors.default!;
          return { ...t, ratio: contrast(t.subtle ? colors.subtle : colors.default, style.backgroundColor) };
        })
        .filter((t) => t.ratio < 4.5)
        .map((t) => `${t.ratio.toFixed(2)}:1 "${t.text.slice(0, 40)}" (${t.color}${t.subtle ? ', subtle' : ''} on ${t.style})`);
      expect(poor).toEqual([]);
    },
  );

  it('computes ratios as WCAG does', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
    // Teams light: warning text on white, the colour the status used to be drawn in.
    expect(contrast('#f8d22a', '#ffffff')).toBeLessThan(2);
  });
});
