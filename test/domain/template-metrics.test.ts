/**
 * The loop's numbers (issue 26), exact: per template, over the four weeks to
 * the summary's end, handoffs posted, first-pass acceptance and
 * clarifications per handoff against the team's other handoffs; and the
 * summary's "improve this template" line at the threshold and just below.
 */
import { describe, expect, it } from 'vitest';
import { summaryHtml, summaryTeamsCard } from '../../src/cards/summary-card';
import type { HandoffEvent, TemplateStamp } from '../../src/domain/handoff';
import type { HandoffHistory } from '../../src/domain/metrics';
import { buildSummary } from '../../src/domain/summary';
import { improveLine, loopWindow, templateLoop, templateRows } from '../../src/domain/template-metrics';
import { DEFAULT_WORKING_HOURS } from '../../src/domain/working-hours';
import { ada, barbara, grace, posted } from '../support/builders';

const END = '2026-06-01T08:00:00.000Z';
const window = loopWindow(new Date(END));
const RELEASE: TemplateStamp = { id: 'tpl-release', name: 'Release to QA', version: 1, checklist: ['Release notes written'] };
let ids = 0;

/** A handoff posted `daysBefore` the end, from `template`, with `questions` asked on it, accepted at v1 when `firstPass`. */
function history(options: {
  template?: TemplateStamp;
  questions?: number;
  daysBefore?: number;
  accepted?: 'firstPass' | 'afterChanges';
}): HandoffHistory {
  const at = (hours: number) => new Date(Date.parse(END) - (options.daysBefore ?? 3) * 86_400_000 + hours * 3_600_000).toISOString();
  const { handoff, event } = posted({ id: `h${(ids += 1)}`, at: at(0), stakeholders: [barbara] });
  const events: HandoffEvent[] = [event];
  const add = (type: HandoffEvent['type'], comment = '', version = 1) =>
    events.push({ ...event, seq: events.length + 1, type, actor: grace, at: at(events.length), comment, version });
  for (let q = 0; q < (options.questions ?? 0); q += 1) {
    add('questionAsked', `Question ${q} on ${handoff.id}?`);
    add('answered', 'Yes');
  }
  if (options.accepted === 'firstPass') add('accepted');
  if (options.accepted === 'afterChanges') {
    add('changesRequested', 'More');
    add('resubmitted', '', 2);
    add('accepted', '', 2);
  }
  return { handoff: { ...handoff, ...(options.template ? { template: options.template } : {}) }, events };
}

/** `count` handoffs from the template with `questions` questions in all; the team's others: 10 with 4 questions (0.4 each). */
function team(count: number, questions: number): HandoffHistory[] {
  const from = Array.from({ length: count }, (_, i) =>
    history({
      template: RELEASE,
      questions: i < questions % count ? Math.ceil(questions / count) : Math.floor(questions / count),
      accepted: i === 0 ? 'afterChanges' : 'firstPass',
    }),
  );
  const others = Array.from({ length: 10 }, (_, i) => history({ questions: i < 4 ? 1 : 0 }));
  return [...from, ...others];
}

describe("a template's loop", () => {
  it("counts its handoffs of the four weeks against the team's others, and lists the questions newest first", () => {
    const histories = [
      history({ template: RELEASE, questions: 2, daysBefore: 2, accepted: 'firstPass' }),
      history({ template: RELEASE, questions: 1, daysBefore: 5, accepted: 'afterChanges' }),
      // Posted before the four weeks: not counted.
      history({ template: RELEASE, questions: 3, daysBefore: 29 }),
      history({ questions: 1, accepted: 'firstPass' }),
      history({}),
    ];
    const loop = templateLoop(histories, RELEASE.id, window);
    expect({ ...loop, questions: loop.questions.map((q) => [q.text, q.by.name]) }).toEqual({
      posted: 2,
      accepted: 2,
      firstPassRate: 0.5,
      clarifications: 3,
      clarificationsPerHandoff: 1.5,
      others: { posted: 2, accepted: 1, firstPassRate: 1, clarifications: 1, clarificationsPerHandoff: 0.5 },
      questions: [
        [`Question 1 on ${histories[0]!.handoff.id}?`, 'Grace Hopper'],
        [`Question 0 on ${histories[0]!.handoff.id}?`, 'Grace Hopper'],
        [`Question 0 on ${histories[1]!.handoff.id}?`, 'Grace Hopper'],
      ],
    });
  });
});

describe("the summary's template to improve", () => {
  it("is named at twice the team's clarifications over five handoffs", () => {
    // 5 handoffs, 4 questions: 0.8 each; the team's others 0.4.
    const [row] = templateRows(team(5, 4), window);
    expect(row).toMatchObject({
      name: 'Release to QA',
      posted: 5,
      clarificationsPerHandoff: 0.8,
      othersPerHandoff: 0.4,
      firstPassRate: 0.8,
      improve: true,
    });
    expect(improveLine(row!)).toBe(
      'Handoffs from “Release to QA” had 0.8 questions each (team: 0.4): add what they keep asking to its checklist or criteria.',
    );
  });

  it('is not named just below: 1.5 times the team, or four handoffs', () => {
    expect(templateRows(team(5, 3), window)[0]).toMatchObject({ clarificationsPerHandoff: 0.6, improve: false });
    expect(templateRows(team(4, 8), window)[0]).toMatchObject({ posted: 4, clarificationsPerHandoff: 2, improve: false });
  });

  it("is in the Teams card with a button to the template's card, and in the email's HTML, under its team", () => {
    const histories = team(5, 4);
    const followed = histories.filter((h) => h.handoff.template);
    const summary = buildSummary({
      followed,
      teams: new Map([['19:chat', histories]]),
      weeks: [{ start: '2026-05-25T08:00:00.000Z', end: END }],
      now: new Date(END),
      hoursOf: () => DEFAULT_WORKING_HOURS,
    });
    const view = { summary, viewer: ada, timeZone: 'UTC', now: new Date(END), publicBaseUrl: 'https://baton.example', stopped: false };
    const card = JSON.stringify(summaryTeamsCard(view));
    expect(card).toContain('Handoffs from “Release to QA” had 0.8 questions each (team: 0.4)');
    expect(card).toContain("“Release to QA”: 5 handoffs in four weeks, first-pass 80%, 0.8 clarifications each (the team's others: 0.4)");
    expect(card).toContain(JSON.stringify({ templateId: 'tpl-release', conversationId: '19:chat' }));
    expect(summaryHtml(view)).toContain('<b>Handoffs from “Release to QA” had 0.8 questions each (team: 0.4)');
  });
});
