/**
 * Handoff histories for the metrics and summary tests: a handoff and its
 * events from a list of [type, instant] steps.
 */
import { type Handoff, type HandoffEvent, type Person, postHandoff, type WorkState } from '../../src/domain/handoff';
import type { HandoffHistory } from '../../src/domain/metrics';
import { ada, alan, grace } from './builders';

export { alan, grace, person } from './builders';

export type Step = [type: HandoffEvent['type'], at: string, extra?: { version?: number; workState?: WorkState; actor?: Person }];

/** A handoff and its history from a list of [type, instant] steps; the first is its posting. */
export function history(
  id: string,
  steps: Step[],
  options: {
    late?: boolean;
    status?: Handoff['status'];
    receiver?: Person;
    stakeholders?: Person[];
    conversation?: string;
    patch?: Partial<Handoff>;
  } = {},
): HandoffHistory {
  const { handoff } = postHandoff({
    id,
    tenantId: 't',
    fields: {
      summary: id,
      whatIsReady: 'w',
      acceptanceCriteria: ['c'],
      assumptions: '',
      links: [],
      effortMinutes: 60,
      workState: steps[0]![2]?.workState ?? 'ready',
      blocker: '',
      neededBy: undefined,
      priority: 'normal',
    },
    sender: ada,
    receiver: options.receiver ?? grace,
    owner: alan,
    stakeholders: options.stakeholders ?? [],
    conversation: { id: options.conversation ?? '19:team', serviceUrl: 'https://smba.example/' },
    at: steps[0]![1],
    late: options.late ?? false,
  });
  let version = 1;
  let workState: WorkState = steps[0]![2]?.workState ?? 'ready';
  const events = steps.map(([type, at, extra], i): HandoffEvent => {
    if (type === 'resubmitted') version += 1;
    version = extra?.version ?? version;
    workState = extra?.workState ?? workState;
    const actor = extra?.actor ?? (['accepted', 'questionAsked', 'changesRequested'].includes(type) ? grace : ada);
    return { handoffId: id, seq: i + 1, type, actor, at, comment: '', detail: '', version, workState };
  });
  return { handoff: { ...handoff, status: options.status ?? handoff.status, ...options.patch }, events };
}
