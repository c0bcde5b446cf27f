/**
 * The card's size budget: the largest handoff the form accepts, with the
 * longest remarks the process accepts, rendered in every view, stays under
 * 40 KB counted as Teams counts a message (UTF-16 code units, two bytes
 * each). Teams refuses a message over about 100 KB (413 MessageSizeTooBig)
 * and recommends 80 KB; older documentation and connectors state 40 KB and
 * 28 KB, so Baton budgets 40 KB.
 */
import { CardFactory, MessageFactory } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { handoffCard, handoffFormCard } from '../../src/cards/handoff-cards';
import type { Person } from '../../src/domain/handoff';
import {
  ASSUMPTIONS_MAX,
  BLOCKER_MAX,
  CRITERIA_MAX,
  CRITERION_MAX,
  LINK_MAX,
  LINKS_MAX,
  READY_MAX,
  SUMMARY_MAX,
} from '../../src/domain/handoff-form';
import { comment, members, owner, receiver, sender, stakeholders, states, text } from '../support/card-fixtures';

const BUDGET_BYTES = 40 * 1024;

/** A message's size as Teams counts it: the activity's JSON in UTF-16. */
const utf16Bytes = (card: object) => JSON.stringify(MessageFactory.attachment(CardFactory.adaptiveCard(card))).length * 2;

describe('the card budget', () => {
  const views: [string, Person | undefined][] = [
    ['everyone', undefined],
    ['sender', sender],
    ['receiver', receiver],
    ['owner', owner],
    ['stakeholder', stakeholders[0]!],
    ['someone else', members[0]!],
  ];
  const cases = states().flatMap((state) =>
    views.flatMap(([viewer, who]) => [false, true].map((withHistory) => ({ state, viewer, who, withHistory }))),
  );

  it.each(cases.map((c) => [`${c.state.name}, ${c.viewer}${c.withHistory ? ', with its history' : ''}`, c] as const))(
    'keeps %s under 40 KB in UTF-16',
    (_name, c) => {
      const card = handoffCard(c.state.handoff, c.who, {
        members,
        history: c.withHistory ? c.state.history : undefined,
        notice: 'Others changed this handoff at the same moment; this is its current state.',
        timeZone: 'Asia/Kolkata',
        holderTime: `${receiver.name}'s local time: Tue 1 Dec, 14:05 Buenos Aires time`,
        draft: { checked: Array(CRITERIA_MAX).fill(true), comment: comment('Draft') },
        now: new Date('2026-12-02T10:00:00Z'),
      });
      expect(utf16Bytes(card)).toBeLessThan(BUDGET_BYTES);
    },
  );

  it('measures the largest view, so the margin is known', () => {
    const sizes = cases.map((c) =>
      utf16Bytes(
        handoffCard(c.state.handoff, c.who, {
          members,
          history: c.withHistory ? c.state.history : undefined,
          now: new Date('2026-12-02T10:00:00Z'),
        }),
      ),
    );
    const largest = Math.max(...sizes);
    console.log(
      `Largest handoff card: ${largest} bytes in UTF-16 (${(largest / 1024).toFixed(1)} KB) of a ${BUDGET_BYTES / 1024} KB budget`,
    );
    expect(largest).toBeLessThan(BUDGET_BYTES);
  });

  it('keeps the form at its caps under the budget, with every error and hint shown', () => {
    const values = {
      summary: text(SUMMARY_MAX, 'Summary'),
      whatIsReady: text(READY_MAX, 'Ready'),
      acceptanceCriteria: text(CRITERIA_MAX * CRITERION_MAX, 'C'),
      assumptions: text(ASSUMPTIONS_MAX, 'A'),
      links: text(LINKS_MAX * LINK_MAX, 'L'),
      blocker: text(BLOCKER_MAX, 'B'),
    };
    const errors = Object.fromEntries(
      ['summary', 'whatIsReady', 'acceptanceCriteria', 'assumptions', 'links', 'blocker', 'receiver', 'owner', 'stakeholders'].map((f) => [
        f,
        text(160, 'Error'),
      ]),
    );
    const card = handoffFormCard({
      formId: 'f',
      members,
      values,
      errors,
      message: 'Nothing was posted: 9 fields need a change.',
      hints: Array.from({ length: 6 }, (_, i) => text(240, `Hint${i}`)),
    });
    expect(utf16Bytes(card)).toBeLessThan(BUDGET_BYTES);
  });

  it('echoes a pasted novel back cut, so even a far-too-long form stays under the 80 KB Teams recommends', () => {
    const values = {
      summary: text(20_000, 'S'),
      whatIsReady: text(20_000, 'R'),
      acceptanceCriteria: text(20_000, 'C'),
      assumptions: text(20_000, 'A'),
      links: text(20_000, 'L'),
      blocker: text(20_000, 'B'),
    };
    const errors = Object.fromEntries(
      ['summary', 'whatIsReady', 'acceptanceCriteria', 'assumptions', 'links', 'blocker'].map((f) => [f, text(160, 'Error')]),
    );
    const card = handoffFormCard({ formId: 'f', members, values, errors, message: 'Nothing was posted: 6 fields need a change.' });
    expect(utf16Bytes(card)).toBeLessThan(80 * 1024);
  });
});
