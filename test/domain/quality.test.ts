/**
 * Quality hints (issue 3, "Handoff quality"): warnings on the article's
 * pitfalls that never block posting.
 */
import { describe, expect, it } from 'vitest';
import type { HandoffFields } from '../../src/domain/handoff';
import { qualityHints, SUMMARY_PARAGRAPH, vagueCriterion } from '../../src/domain/quality';

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
    ['Works', 'a single word'],
    ['done', 'a single word'],
    ['Tests', 'a single word'],
    ['Done.', 'a single word'],
    ['It is done.', 'says only that it works or is done'],
    ['Everything works', 'says only that it works or is done'],
    ['All done and tested!', 'says only that it works or is done'],
    ['Looks good', 'names no action or number to check'],
    ['Nice and clean code', 'names no action or number to check'],
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
    ).toEqual([vague('Works', 'a single word'), vague('Looks good', 'names no action or number to check')]);
  });

  it('gives at most 3 criterion hints, the first three', () => {
    const criteria = ['Works', 'done', 'Looks good', 'It is done.', 'Tests'];
    expect(qualityHints({ ...CLEAN, acceptanceCriteria: criteria })).toEqual([
      vague('Works', 'a single word'),
      vague('done', 'a single word'),
      vague('Looks good', 'names no action or number to check'),
    ]);
  });

  it('quotes at most 60 characters of a long vague criterion', () => {
    const criterion = `Looks ${'very '.repeat(20)}nice`;
    expect(qualityHints({ ...CLEAN, acceptanceCriteria: [criterion] })).toEqual([
      vague(criterion.slice(0, 60), 'names no action or number to check'),
    ]);
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
      vague('Works', 'a single word'),
      vague('Fine', 'a single word'),
      NO_LINKS,
      NO_EFFORT,
    ]);
  });
});
