/**
 * The people and handoffs most tests start from: one way to make a person,
 * the cast the tests share, and a posted handoff with every field set (each
 * test overrides what it is about).
 */
import { type Handoff, type HandoffEvent, type HandoffFields, type Person, postHandoff } from '../../src/domain/handoff';

/** A person as the platform names them: `aad-<id>`, Teams id `29:<id>`. */
export const person = (id: string, name: string): Person => ({ aadObjectId: `aad-${id}`, userId: `29:${id}`, name });

/** The cast: who sends, receives, owns and follows in most tests. */
export const ada = person('ada', 'Ada Lovelace');
export const grace = person('grace', 'Grace Hopper');
export const alan = person('alan', 'Alan Turing');
export const barbara = person('barbara', 'Barbara Liskov');
export const hedy = person('hedy', 'Hedy Lamarr');
export const eve = person('eve', 'Eve Stranger');

/** A handoff's fields with every one set. */
export const FIELDS: HandoffFields = {
  summary: 'Payments retry logic is ready for QA',
  whatIsReady: 'Retry worker merged behind the payments-retry flag.',
  acceptanceCriteria: ['All retry tests pass in CI', 'A failed payment is retried 3 times', 'Dashboard shows the retry count'],
  assumptions: 'Staging uses the sandbox gateway.',
  links: ['https://github.com/contoso/payments/pull/42'],
  effortMinutes: 240,
  workState: 'ready',
  blocker: '',
  neededBy: '2026-06-01',
  priority: 'normal',
};

export interface PostedOptions {
  id?: string;
  tenantId?: string;
  fields?: Partial<HandoffFields>;
  sender?: Person;
  receiver?: Person;
  owner?: Person;
  stakeholders?: Person[];
  conversation?: Handoff['conversation'];
  at?: string;
  late?: boolean;
}

/** A handoff just posted, Ada to Grace, owned by Alan, Barbara following; and its first event. */
export function posted(options: PostedOptions = {}): { handoff: Handoff; event: HandoffEvent } {
  return postHandoff({
    id: options.id ?? 'h1',
    tenantId: options.tenantId ?? 't1',
    fields: { ...FIELDS, ...options.fields },
    sender: options.sender ?? ada,
    receiver: options.receiver ?? grace,
    owner: options.owner ?? alan,
    stakeholders: options.stakeholders ?? [barbara],
    conversation: options.conversation ?? { id: '19:chat', serviceUrl: 'https://smba.example/' },
    at: options.at ?? '2026-05-04T09:00:00.000Z',
    late: options.late ?? false,
  });
}
