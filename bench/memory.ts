/**
 * The host's memory against the number of actions it served: heap after
 * 1,000 mixed actions and after 10,000, each taken after a full garbage
 * collection, so what is left is what the process keeps (caches, maps,
 * listeners), not garbage not yet collected.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { handoffIdForForm } from '../src/app/handoffs';
import { cardAction, extensionInvoke, message, people, TENANT } from '../test/support/activities';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export interface MemoryMeasure {
  /** MiB of heap used after a collection, at each checkpoint. */
  heap: { actions: number; heapMiB: number; rssMiB: number }[];
}

/**
 * Runs a mix of what people do all day, `inFlight` at a time: post a handoff,
 * accept one, search, open the create dialog, ask for `mine`.
 */
export async function measureMemory(
  endpoint: string,
  serviceUrl: string,
  form: (formId: string) => Record<string, unknown>,
  checkpoints: number[],
  inFlight: number,
  idle: () => Promise<void>,
  /** Drops what the bench's own Connector stand-in recorded, which lives in this process too: it is not the host's. */
  forget: () => void,
): Promise<MemoryMeasure> {
  const post = async (body: unknown) => {
    const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`an action answered ${response.status}`);
  };
  const open: string[] = [];
  const actions = [
    async () => {
      const formId = crypto.randomUUID();
      await post(cardAction(serviceUrl, people.ada, 'handoff.create', form(formId)));
      open.push(handoffIdForForm(TENANT, formId));
    },
    async () => {
      const id = open.shift();
      if (id) await post(cardAction(serviceUrl, people.grace, 'handoff.accept', { handoffId: id, criterion0: 'true', criterion1: 'true' }));
    },
    () =>
      post(
        extensionInvoke(serviceUrl, people.ada, 'composeExtension/query', {
          commandId: 'findHandoffs',
          parameters: [{ name: 'query', value: 'payments' }],
          queryOptions: { skip: 0, count: 25 },
        }),
      ),
    () =>
      post(
        extensionInvoke(serviceUrl, people.ada, 'composeExtension/fetchTask', { commandId: 'createHandoff', commandContext: 'compose' }),
      ),
    () =>
      post(
        message(serviceUrl, people.grace, 'mine', {
          conversation: { id: `a:${people.grace.id}`, conversationType: 'personal', tenantId: TENANT },
        }),
      ),
  ];
  const heap: MemoryMeasure['heap'] = [];
  let done = 0;
  for (const target of checkpoints) {
    let next = done;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        for (let i = next++; i < target; i = next++) {
          await actions[i % actions.length]!();
          if (i % 100 === 0) forget();
        }
      }),
    );
    done = target;
    await idle();
    forget();
    gc();
    gc();
    const usage = process.memoryUsage();
    heap.push({ actions: target, heapMiB: usage.heapUsed / 2 ** 20, rssMiB: usage.rss / 2 ** 20 });
  }
  return { heap };
}
