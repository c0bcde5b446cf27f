/**
 * Quality hints (issue 3, "Handoff quality"): warnings on the article's
 * pitfalls that never block posting. The vague-criterion rule (issue 22) is
 * scored on a set of criteria labelled by hand before the rule was written.
 */
import { describe, expect, it } from 'vitest';
import type { HandoffFields } from '../../src/domain/handoff';
import { qualityHints, SUMMARY_PARAGRAPH, vagueCriterion } from '../../src/domain/quality';
import labelled from '../fixtures/acceptance-criteria.json';

/** A form with nothing to warn about. */
const CLEAN: HandoffFields = {
  summary: 'Payments retry logic is ready for QA',
  whatIsReady: 'Retry worker merged behind the payments-retry flag.',
  acceptanceCriteria: ['All retry tests pass in CI', 'p95 latency under 200 ms', 'Returns 404 for a missing id'],
  assumptions: '',
  links: ['https://github.com/contoso/payments/pull/42'],
  effortMinutes: 240,
  workState: 'ready',
  blocker: '',
  neededBy: undefined,
  priority: 'normal',
};

const NO_LINKS = 'No links: add the PR, ticket or document the receiver will need.';
const NO_EFFORT = 'No effort estimate: the receiver cannot plan, and Baton cannot tell whether the handoff is late.';
const vague = (criterion: string, why: string) => `"${criterion}" is not measurable (${why}): say what the receiver will check.`;
const SINGLE_WORD = 'a single word';
const NO_CHECK = 'names no check: no number, named test or observable result';
const judgement = (word: string) => `“${word}” is a judgement: name what to check`;

describe('vagueCriterion', () => {
  it('finds the vague criteria of the labelled set with precision and recall of at least 0.9', () => {
    let truePositives = 0;
    let falsePositives = 0;
    let falseNegatives = 0;
    for (const { text, label } of labelled.criteria) {
      const flagged = vagueCriterion(text) !== undefined;
      if (flagged && label === 'vague') truePositives++;
      else if (flagged) falsePositives++;
      else if (label === 'vague') falseNegatives++;
    }
    expect(labelled.criteria).toHaveLength(263);
    expect(truePositives / (truePositives + falsePositives)).toBeGreaterThanOrEqual(0.9);
    expect(truePositives / (truePositives + falseNegatives)).toBeGreaterThanOrEqual(0.9);
  });

  it('passes a reconciliation with an explicit zero, and flags "The code is nice"', () => {
    expect(vagueCriterion('The script reconciles November with zero unexplained differences')).toBeUndefined();
    // What every item has can be counted; a section of a named document can be opened.
    expect(vagueCriterion('Every string has a translator note')).toBeUndefined();
    expect(vagueCriterion('The runbook has a section on the retry flag')).toBeUndefined();
    expect(vagueCriterion('The code is nice')).toBe('“nice” is a judgement: name what to check');
  });

  it.each<[string, string]>([
    ['Works', SINGLE_WORD],
    ['- Responsive', SINGLE_WORD],
    ['User-friendly.', SINGLE_WORD],
    ['Performance is good', judgement('good')],
    ['API is fast enough', judgement('fast')],
    ['Mobile looks ok', judgement('looks ok')],
    ['Deployed and working as expected', judgement('working')],
    ['Costs are under control', judgement('under control')],
    ['Works in 2 browsers', judgement('works')],
    ['100% better UX', judgement('better')],
    ['Catchy headline', NO_CHECK],
    ['no bugs', NO_CHECK],
    ['No issues with the accounts', NO_CHECK],
    ['Support docs updated', NO_CHECK],
  ])('gives "%s" the reason "%s"', (criterion, why) => {
    expect(vagueCriterion(criterion)).toBe(why);
  });

  it.each([
    ['a threshold', 'Search is fast: p95 under 300 ms'],
    ['an explicit zero', 'No console errors on the checkout page'],
    ['an explicit zero after a verb', 'ESLint reports no errors on the changed files'],
    ['a comparison with a reference', 'Row count of the migrated table equals the source table'],
    ['a sign-off', 'Done when Jane approves it'],
    ['a behaviour to watch', 'Checkout works in Safari: a test card payment shows the confirmation page'],
    ['a number', 'Audit sample of 25 transactions pulled'],
    ['a named report', 'The weekly churn report has a note per variance'],
    ['a proper name', 'Offer letter filed in BambooHR'],
  ])('passes a criterion with %s: "%s"', (_signal, criterion) => {
    expect(vagueCriterion(criterion)).toBeUndefined();
  });
});

describe('qualityHints', () => {
  it('gives nothing for a clean form', () => {
    expect(qualityHints(CLEAN)).toEqual([]);
  });

  it('warns on a 141-character summary, not on one of 140', () => {
    expect(SUMMARY_PARAGRAPH).toBe(140);
    expect(qualityHints({ ...CLEAN, summary: 's'.repeat(141) })).toEqual([
      'The summary is 141 characters: one short sentence reads faster; put details in "What is ready".',
    ]);
    expect(qualityHints({ ...CLEAN, summary: 's'.repeat(140) })).toEqual([]);
  });

  it.each<[string, string]>([
    ['Works', SINGLE_WORD],
    ['done', SINGLE_WORD],
    ['Tests', SINGLE_WORD],
    ['Done.', SINGLE_WORD],
    ['It is done.', judgement('done')],
    ['Everything works', judgement('works')],
    ['All done and tested!', judgement('done')],
    ['Looks good', judgement('looks good')],
    ['Nice and clean code', judgement('nice')],
    ['Make sure nothing breaks', NO_CHECK],
  ])('warns on the vague criterion "%s" (%s)', (criterion, why) => {
    expect(vagueCriterion(criterion)).toBe(why);
    expect(qualityHints({ ...CLEAN, acceptanceCriteria: [criterion] })).toEqual([vague(criterion, why)]);
  });

  it.each([
    'All retry tests pass in CI',
    'p95 latency under 200 ms',
    'Returns 404 for a missing id',
    'Dashboard shows the retry count',
    'Build has no warnings',
  ])('does not warn on the measurable criterion "%s"', (criterion) => {
    expect(vagueCriterion(criterion)).toBeUndefined();
    expect(qualityHints({ ...CLEAN, acceptanceCriteria: [criterion] })).toEqual([]);
  });

  it('warns only on the vague criteria of a mixed list, in order', () => {
    expect(
      qualityHints({ ...CLEAN, acceptanceCriteria: ['All retry tests pass in CI', 'Works', 'p95 latency under 200 ms', 'Looks good'] }),
    ).toEqual([vague('Works', SINGLE_WORD), vague('Looks good', judgement('looks good'))]);
  });

  it('gives at most 3 criterion hints, the first three', () => {
    const criteria = ['Works', 'done', 'Looks good', 'It is done.', 'Tests'];
    expect(qualityHints({ ...CLEAN, acceptanceCriteria: criteria })).toEqual([
      vague('Works', SINGLE_WORD),
      vague('done', SINGLE_WORD),
      vague('Looks good', judgement('looks good')),
    ]);
  });

  it('quotes a long vague criterion up to the last whole word within 60 characters, then "…"', () => {
    // The first 60 characters end in the middle of "newcomer": the quote stops after "every".
    expect(
      qualityHints({ ...CLEAN, acceptanceCriteria: ['The onboarding flow feels smooth and welcoming for every newcomer who signs up'] }),
    ).toEqual([
      '"The onboarding flow feels smooth and welcoming for every…" is not measurable (“feels smooth” is a judgement: name what to check): say what the receiver will check.',
    ]);
  });

  it('quotes all 60 characters when they end a word, with no stray comma before the "…"', () => {
    const sixty = 'Numbers look right in the sheet and the totals seem fine too';
    expect(sixty).toHaveLength(60);
    expect(qualityHints({ ...CLEAN, acceptanceCriteria: [sixty] })).toEqual([vague(sixty, judgement('look right'))]);
    expect(qualityHints({ ...CLEAN, acceptanceCriteria: [`${sixty} today`] })).toEqual([vague(`${sixty}…`, judgement('look right'))]);
    expect(
      qualityHints({ ...CLEAN, acceptanceCriteria: ['Code is well structured, readable, maintainable and tidy, honestly, overall'] }),
    ).toEqual([vague('Code is well structured, readable, maintainable and tidy…', judgement('well'))]);
  });

  it('cuts a first word longer than 60 characters at 60, having no word to cut at', () => {
    const url = 'https://contoso.sharepoint.com/sites/finance/Shared%20Documents/close.xlsx';
    expect(qualityHints({ ...CLEAN, acceptanceCriteria: [url] })).toEqual([vague(`${url.slice(0, 60)}…`, SINGLE_WORD)]);
  });

  it('warns when there are no links', () => {
    expect(qualityHints({ ...CLEAN, links: [] })).toEqual([NO_LINKS]);
  });

  it('warns when there is no effort', () => {
    expect(qualityHints({ ...CLEAN, effortMinutes: undefined })).toEqual([NO_EFFORT]);
  });

  it('lists every hint in order: summary, criteria, links, effort', () => {
    expect(
      qualityHints({ ...CLEAN, summary: 'x'.repeat(150), acceptanceCriteria: ['Works', 'Fine'], links: [], effortMinutes: undefined }),
    ).toEqual([
      'The summary is 150 characters: one short sentence reads faster; put details in "What is ready".',
      vague('Works', SINGLE_WORD),
      vague('Fine', SINGLE_WORD),
      NO_LINKS,
      NO_EFFORT,
    ]);
  });
});
