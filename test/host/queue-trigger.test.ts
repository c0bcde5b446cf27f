/**
 * Storage queue functions on the local host, against the test run's Azurite:
 * the message as the handler gets it, the trigger metadata, retries after the
 * visibility timeout, the poison queue, batch concurrency, the admin API,
 * close(), and host.json's `extensions.queues`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { InvocationContext } from '@azure/functions';
import type { Registration } from '../../src/functions';
import {
  type FunctionsHost,
  pollingBackoff,
  type QueueSettings,
  readQueueSettings,
  startFunctionsHost,
} from '../../src/host/functions-host';
import { freePort, isPortInUse, PROJECT_ROOT } from '../../src/host/processes';
import { encodeMessageText, enqueue, openQueue, type QueueClient } from '../../src/store/queues';

const connectionString = inject('storageConnectionString');
const SETTING = 'BATON_TEST_QUEUES';
/** Fast polling, so each test waits milliseconds for the host to see a message. */
const FAST: Partial<QueueSettings> = { pollingIntervalMs: 10, maxPollingIntervalMs: 50 };

interface Run {
  entry: unknown;
  metadata: Record<string, unknown>;
  functionName: string;
  at: number;
}

let counter = 0;
/** A queue name no other test (or earlier run against the same Azurite) uses. */
function queueName(what: string): string {
  counter += 1;
  return `${what}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Polls `condition` until it holds; fails with `what` at the deadline. */
async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Messages in the queue, visible or not. */
async function messageCount(queue: QueueClient): Promise<number> {
  return (await queue.getProperties()).approximateMessagesCount ?? 0;
}

function queueFunction(
  name: string,
  queue: string,
  handler: (entry: unknown, context: InvocationContext) => unknown,
  connection = SETTING,
): Registration {
  return {
    kind: 'queue',
    name,
    options: {
      queueName: queue,
      connection,
      handler: async (entry, context) => {
        await handler(entry, context);
      },
    },
  };
}

/** A handler that records each run, then does what `then` says with its number (1, 2, ...). */
function recording(runs: Run[], then: (run: number) => unknown = () => undefined) {
  return async (entry: unknown, context: InvocationContext) => {
    runs.push({ entry, metadata: { ...context.triggerMetadata }, functionName: context.functionName, at: Date.now() });
    await then(runs.length);
  };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const hosts: FunctionsHost[] = [];
const logs: string[] = [];

async function startHost(
  registrations: Registration[],
  queues: Partial<QueueSettings> = {},
  env: Record<string, string> = { [SETTING]: connectionString },
) {
  const host = await startFunctionsHost({ registrations, port: 0, log: (m) => logs.push(m), env, queues: { ...FAST, ...queues } });
  hosts.push(host);
  return host;
}

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
  logs.length = 0;
});

describe('a queue function on the local host', () => {
  it('gets a JSON message parsed, with the trigger metadata the runtime gives, and the message is deleted', async () => {
    const name = queueName('json');
    const queue = await openQueue(connectionString, name);
    const runs: Run[] = [];
    await startHost([queueFunction('summary', name, recording(runs))]);
    const before = Date.now();
    await enqueue(queue, { recipient: 'ada', week: '2025-W23', items: [1, 2] });

    await waitFor('the handler', () => runs.length === 1);
    const [run] = runs;
    expect(run!.functionName).toBe('summary');
    expect(run!.entry).toEqual({ recipient: 'ada', week: '2025-W23', items: [1, 2] });
    const { metadata } = run!;
    expect(metadata.dequeueCount).toBe(1);
    expect(metadata.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof metadata.popReceipt).toBe('string');
    expect(metadata.queueTrigger).toEqual({ recipient: 'ada', week: '2025-W23', items: [1, 2] });
    const inserted = Date.parse(String(metadata.insertionTime));
    // Azurite keeps whole seconds.
    expect(inserted).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    // Seven days to live by default; received invisible for the runtime's 10-minute lease.
    expect(Date.parse(String(metadata.expirationTime)) - inserted).toBe(7 * 24 * 3600 * 1000);
    expect(Date.parse(String(metadata.nextVisibleTime)) - run!.at).toBeGreaterThan(9 * 60 * 1000);
    expect(metadata.sys).toMatchObject({ methodName: 'summary' });

    await waitFor('the message to be deleted', async () => (await messageCount(queue)) === 0);
    expect(logs).toEqual([]);
  });

  it('gets text that is not JSON as a string, and a JSON string as that string', async () => {
    const name = queueName('text');
    const queue = await openQueue(connectionString, name);
    const runs: Run[] = [];
    await startHost([queueFunction('text', name, recording(runs))]);
    await queue.sendMessage(encodeMessageText('plain words, not JSON'));
    await enqueue(queue, 'a JSON string');

    await waitFor('both messages', () => runs.length === 2);
    expect(runs.map((r) => r.entry).sort()).toEqual(['a JSON string', 'plain words, not JSON']);
    for (const run of runs) expect(typeof run.entry).toBe('string');
  });

  it('retries a message whose function threw once, after the visibility timeout, with dequeue count 2', async () => {
    const name = queueName('retry');
    const queue = await openQueue(connectionString, name);
    const runs: Run[] = [];
    await startHost(
      [
        queueFunction(
          'flaky',
          name,
          recording(runs, (run) => {
            if (run === 1) throw new Error('Graph said 503');
          }),
        ),
      ],
      { visibilityTimeoutSeconds: 1 },
    );
    await enqueue(queue, { recipient: 'grace' });

    await waitFor('the second try', () => runs.length === 2);
    expect(runs.map((r) => r.metadata.dequeueCount)).toEqual([1, 2]);
    expect(runs[1]!.entry).toEqual({ recipient: 'grace' });
    expect(runs[1]!.metadata.id).toBe(runs[0]!.metadata.id);
    // Invisible for the visibility timeout (Azurite counts whole seconds, hence the slack).
    expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(900);
    expect(logs.find((m) => m.startsWith('[flaky] failed (message '))).toContain('try 1 of 5): Error: Graph said 503');
    await waitFor('the message to be deleted', async () => (await messageCount(queue)) === 0);
  });

  it('moves a message that always fails to <queue>-poison after maxDequeueCount tries, with its original text', async () => {
    const name = queueName('poison');
    const queue = await openQueue(connectionString, name);
    const poison = await openQueue(connectionString, `${name}-poison`);
    const runs: Run[] = [];
    // maxDequeueCount comes from the repository's host.json.
    await startHost(
      [
        queueFunction(
          'doomed',
          name,
          recording(runs, () => {
            throw new Error('always fails');
          }),
        ),
      ],
      { visibilityTimeoutSeconds: 0 },
    );
    await enqueue(queue, { recipient: 'alan' });
    const original = encodeMessageText(JSON.stringify({ recipient: 'alan' }));

    await waitFor('the poison message', async () => (await poison.peekMessages()).peekedMessageItems.length === 1);
    expect(runs.map((r) => r.metadata.dequeueCount)).toEqual([1, 2, 3, 4, 5]);
    const [moved] = (await poison.peekMessages()).peekedMessageItems;
    expect(moved!.messageText).toBe(original);
    expect(await messageCount(queue)).toBe(0);
    expect(logs.filter((m) => m.startsWith('[doomed] failed'))).toHaveLength(5);
    expect(logs.at(-1)).toBe(
      `[doomed] message ${String(runs[0]!.metadata.id)} failed 5 times (maxDequeueCount 5): moved to queue "${name}-poison".`,
    );
  });

  it('moves a message that is not base64 to the poison queue without running the function', async () => {
    const name = queueName('garbled');
    const queue = await openQueue(connectionString, name);
    const poison = await openQueue(connectionString, `${name}-poison`);
    const runs: Run[] = [];
    await startHost([queueFunction('garbled', name, recording(runs))]);
    await queue.sendMessage('{"sent":"without base64"}');

    await waitFor('the poison message', async () => (await poison.peekMessages()).peekedMessageItems.length === 1);
    expect((await poison.peekMessages()).peekedMessageItems[0]!.messageText).toBe('{"sent":"without base64"}');
    expect(runs).toEqual([]);
    expect(await messageCount(queue)).toBe(0);
  });

  it.each([
    [2, 0, 2],
    [2, 1, 3],
  ])(
    'runs at most batchSize + newBatchThreshold at once (batchSize %i, newBatchThreshold %i: %i)',
    async (batchSize, newBatchThreshold, most) => {
      const name = queueName('batch');
      const queue = await openQueue(connectionString, name);
      for (let i = 0; i < 8; i += 1) await enqueue(queue, { i });
      let running = 0;
      let highest = 0;
      const done: unknown[] = [];
      await startHost(
        [
          queueFunction('batched', name, async (entry) => {
            running += 1;
            highest = Math.max(highest, running);
            // Long enough for the host to poll many times over, were it not holding back.
            await new Promise((resolve) => setTimeout(resolve, 60));
            running -= 1;
            done.push(entry);
          }),
        ],
        { batchSize, newBatchThreshold },
      );

      await waitFor('all eight messages', () => done.length === 8);
      expect(highest).toBeLessThanOrEqual(most);
      expect(highest).toBeGreaterThanOrEqual(batchSize);
      expect(done.map((e) => (e as { i: number }).i).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    },
  );

  it("runs a queue function once with the admin API's input, answering 202, and lists it", async () => {
    const name = queueName('admin');
    const runs: Run[] = [];
    const host = await startHost([queueFunction('sendSummary', name, recording(runs))]);
    const post = (body: string) =>
      fetch(`${host.url}/admin/functions/sendSummary`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    expect((await post(JSON.stringify({ input: JSON.stringify({ recipient: 'ada' }) }))).status).toBe(202);
    await waitFor('the first run', () => runs.length === 1);
    expect((await post('{"input":"just text"}')).status).toBe(202);
    await waitFor('the second run', () => runs.length === 2);
    expect((await post('{"input":42}')).status).toBe(202);
    await waitFor('the third run', () => runs.length === 3);
    expect(runs.map((r) => r.entry)).toEqual([{ recipient: 'ada' }, 'just text', 42]);
    expect(runs[0]!.metadata).toMatchObject({ dequeueCount: 0, expirationTime: '9999-12-31T23:59:59.999Z' });

    const bad = await post('{}');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'A queue function takes a body {"input": "<message>"}, a string, number or boolean.' });
    expect(await (await fetch(`${host.url}/admin/functions`)).json()).toEqual([{ name: 'sendSummary', kind: 'queue' }]);
    expect(runs).toHaveLength(3);
  });

  it('close() stops polling and waits for the function in flight, whose message is then deleted', async () => {
    const name = queueName('close');
    const queue = await openQueue(connectionString, name);
    const started = deferred();
    const release = deferred();
    let finished = false;
    const host = await startFunctionsHost({
      port: 0,
      log: (m) => logs.push(m),
      env: { [SETTING]: connectionString },
      queues: FAST,
      registrations: [
        queueFunction('slow', name, async () => {
          started.resolve();
          await release.promise;
          finished = true;
        }),
      ],
    });
    await enqueue(queue, { recipient: 'ada' });
    await started.promise;

    let closed = false;
    const closing = host.close().then(() => {
      closed = true;
    });
    await waitFor('the server to stop answering', () =>
      fetch(`${host.url}/admin/functions`).then(
        () => false,
        () => true,
      ),
    );
    expect(closed).toBe(false);
    release.resolve();
    await closing;
    expect(finished).toBe(true);
    // Deleted before close() returned.
    expect(await messageCount(queue)).toBe(0);
  });
});

describe('queue functions at start-up', () => {
  it('refuses to start without the connection setting, naming it, before the port is taken', async () => {
    const port = await freePort();
    await expect(
      startFunctionsHost({
        port,
        log: () => undefined,
        env: {},
        registrations: [queueFunction('summary', 'weekly-summary', () => undefined, 'SUMMARY_STORAGE')],
      }),
    ).rejects.toThrow(
      'The queue function "summary" reads its storage connection string from the app setting SUMMARY_STORAGE, which is not set.',
    );
    await expect(
      startFunctionsHost({
        port,
        log: () => undefined,
        env: {},
        registrations: [queueFunction('summary', 'weekly-summary', () => undefined, '')],
      }),
    ).rejects.toThrow('the app setting AzureWebJobsStorage, which is not set.');
    expect(await isPortInUse(port)).toBe(false);
  });

  it('reads AzureWebJobsStorage for an empty connection and AzureWebJobs<X> for X, resolves %setting% queue names, and creates the queues', async () => {
    const name = queueName('named');
    const runs: Run[] = [];
    await startHost(
      [
        queueFunction('byDefault', '%SUMMARY_QUEUE%', recording(runs), ''),
        queueFunction('byShortName', `${name}-b`, recording(runs), 'Storage'),
      ],
      {},
      { AzureWebJobsStorage: connectionString, SUMMARY_QUEUE: `${name}-A` },
    );
    const a = await openQueue(connectionString, `${name}-a`);
    expect((await a.exists()) && (await openQueue(connectionString, `${name}-a-poison`).then((q) => q.exists()))).toBe(true);
    await enqueue(a, 'to a');
    await enqueue(await openQueue(connectionString, `${name}-b`), 'to b');
    await waitFor('both functions', () => runs.length === 2);
    expect(runs.map((r) => `${r.functionName}: ${String(r.entry)}`).sort()).toEqual(['byDefault: to a', 'byShortName: to b']);
  });

  it('refuses an invalid queue name, naming the function', async () => {
    await expect(
      startFunctionsHost({
        port: 0,
        log: () => undefined,
        env: { [SETTING]: connectionString },
        registrations: [queueFunction('bad', 'Weekly_Summary', () => undefined)],
      }),
    ).rejects.toThrow('The queue function "bad" has queue name "weekly_summary": a queue name is 3-63 lowercase letters');
  });
});

describe('host.json extensions.queues', () => {
  it("reads the repository's host.json as Baton runs it", () => {
    const hostJson: unknown = JSON.parse(readFileSync(join(PROJECT_ROOT, 'host.json'), 'utf8'));
    expect(readQueueSettings(hostJson)).toEqual({
      pollingIntervalMs: 100,
      // 00:01:00 is the runtime's default maximum, which it lowers to 2 s in development.
      maxPollingIntervalMs: 2_000,
      visibilityTimeoutSeconds: 30,
      batchSize: 16,
      newBatchThreshold: 8,
      maxDequeueCount: 5,
      messageEncoding: 'base64',
    });
  });

  it("has the runtime's defaults, takes time spans and overrides, and refuses what the runtime would", () => {
    expect(readQueueSettings({ version: '2.0' })).toEqual({
      pollingIntervalMs: 100,
      maxPollingIntervalMs: 2_000,
      visibilityTimeoutSeconds: 0,
      batchSize: 16,
      newBatchThreshold: 8,
      maxDequeueCount: 5,
      messageEncoding: 'base64',
    });
    const queues = (q: Record<string, unknown>) => ({ extensions: { queues: q } });
    expect(readQueueSettings(queues({ maxPollingInterval: '00:00:05.500', visibilityTimeout: '1.00:00:00', batchSize: 5 }))).toMatchObject({
      maxPollingIntervalMs: 5_500,
      visibilityTimeoutSeconds: 86_400,
      newBatchThreshold: 2,
    });
    expect(readQueueSettings(queues({ newBatchThreshold: 0 }), { batchSize: 4, maxDequeueCount: 2 })).toMatchObject({
      batchSize: 4,
      newBatchThreshold: 0,
      maxDequeueCount: 2,
    });
    expect(readQueueSettings({}, { batchSize: 4 }).newBatchThreshold).toBe(2);
    expect(() => readQueueSettings(queues({ maxPollingInterval: 2000 }))).toThrow(
      'host.json extensions.queues.maxPollingInterval is 2000; it takes a time span such as "00:00:30" (hh:mm:ss).',
    );
    expect(() => readQueueSettings(queues({ maxPollingInterval: '00:00:00.050' }))).toThrow('must not be less than 00:00:00.100 (100 ms)');
    expect(() => readQueueSettings(queues({ batchSize: 33 }))).toThrow(
      'host.json extensions.queues.batchSize is 33; it takes a whole number from 1 to 32.',
    );
    expect(() => readQueueSettings(queues({ maxDequeueCount: 0 }))).toThrow('extensions.queues.maxDequeueCount is 0');
    expect(() => readQueueSettings(queues({ messageEncoding: 'utf8' }))).toThrow('it takes "base64" or "none"');
  });

  it('backs off between empty polls as the runtime does: from the minimum, roughly doubling, up to the maximum, and back', () => {
    const next = pollingBackoff(100, 2_000);
    const waits = Array.from({ length: 8 }, () => next(false));
    expect(waits[0]).toBe(100);
    // min + (0.8..1.2) x 2^(n-1) x min
    for (const [n, wait] of waits.slice(1, 5).entries()) {
      expect(wait).toBeGreaterThanOrEqual(100 + 0.8 * 2 ** n * 100);
      expect(wait).toBeLessThanOrEqual(100 + 1.2 * 2 ** n * 100);
    }
    expect(waits.slice(-2)).toEqual([2_000, 2_000]);
    expect(next(true)).toBe(100);
    expect(next(false)).toBeGreaterThanOrEqual(180);
  });
});
