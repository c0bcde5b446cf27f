/**
 * `npm run bench`: Baton's performance on this machine, printed as a table.
 *
 * (a) cold start, process start -> first answered activity, Baton's host next
 *     to a bare botbuilder echo bot started the same way, and their ratio;
 * (b) latency of 500 creates and 500 Accepts through POST /api/messages
 *     against Azurite, one at a time (p50, p99), and Accept throughput with 8 in flight;
 * (c) Table Storage round trips per create and per Accept;
 * (d) messaging-extension search and fetchTask latency;
 * (e) the overdue check with 100 handoffs due among 1,000 and among 100,000
 *     open ones (BENCH_OVERDUE_OPEN changes the larger number);
 * (f) the weekly summary for 1,000 stakeholders in tenants of 3,000 and
 *     10,000 handoffs, Graph answering 429 to one send in ten;
 * and the host's memory after the run.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { azuriteConnectionString } from '../src/config';
import { loadFunctions, startFunctionsHost } from '../src/host/functions-host';
import { freePort, PROJECT_ROOT, startAzurite } from '../src/host/processes';
import { getBaton } from '../src/app/baton';
import { measureOverdueCheck, type OverdueMeasure } from './overdue';
import { measureSummaries, type SummaryMeasure } from './summary';
import { HandoffStore } from '../src/store/handoff-store';
import { handoffIdForForm } from '../src/store/keys';
import { tableRoundTrips } from '../src/store/tables';
import { cardAction, extensionInvoke, message, people, TENANT } from '../test/support/activities';
import { startConnector } from '../test/support/connector';

const COLD_RUNS = 5;
const ACTIONS = 500;
const IN_FLIGHT = 8;
const SEARCHES = 100;

/** Accept's data with both acceptance criteria of the bench's form checked. */
const checkedAll = (handoffId: string) => ({ handoffId, criterion0: 'true', criterion1: 'true' });

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function post(url: string, body: unknown): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  return response.status;
}

/** Spawns a bot and returns the time until its first answered activity. */
async function coldStart(script: string, activity: (serviceUrl: string) => unknown, serviceUrl: string, env: NodeJS.ProcessEnv): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), [join(PROJECT_ROOT, 'bench', script), String(port)], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      const status = await post(`http://127.0.0.1:${port}/api/messages`, activity(serviceUrl)).catch(() => 0);
      if (status === 200) return performance.now() - started;
      if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill();
  }
}

/** `npm run bench -- summary`: only (f), the weekly summary, against its own Azurite. */
async function summaryOnly(): Promise<void> {
  const azurite = await startAzurite({ table: await freePort(), queue: await freePort() });
  try {
    printSummaries(await measureSummaries(azurite.connectionString));
  } finally {
    await azurite.stop();
  }
}

function printSummaries(summaries: SummaryMeasure[]): void {
  for (const m of summaries) {
    if (m.emails !== m.recipients || m.distinct !== m.recipients) throw new Error(`the summary sent ${m.emails} emails to ${m.distinct} of ${m.recipients} recipients`);
    console.log(
      `| weekly summary, ${m.recipients.toLocaleString('en-US')} stakeholders in a tenant of ${m.handoffs.toLocaleString('en-US')} handoffs: Table reads per recipient / enqueue time / build+send p50, p99 | ${m.readsPerRecipient.toFixed(1)} / ${(m.enqueueMs / 1000).toFixed(2)} s / ${ms(m.sendMs.p50)}, ${ms(m.sendMs.p99)} |`,
    );
    console.log(
      `| ... sent in (simulated) / most in any minute / put back to wait for room / Graph 429s retried / emails, distinct recipients | ${m.minutes.toFixed(1)} min / ${m.maxPerMinute} / ${m.deferrals} / ${m.throttled} / ${m.emails}, ${m.distinct} |`,
    );
  }
}

async function main() {
  const azurePort = await freePort();
  const azurite = await startAzurite({ table: azurePort, queue: await freePort() });
  const connector = await startConnector([people.ada, people.grace, people.alan]);
  const prefix = `bench${Date.now()}`;
  // Baton logs a line per activity at info; the bench's own table is easier to find without 4,000 of them.
  // The summary's queue function reads AzureWebJobsStorage, as on Azure.
  const env = {
    TABLES_CONNECTION_STRING: azuriteConnectionString(azurePort),
    AzureWebJobsStorage: azurite.connectionString,
    BATON_SUMMARY_QUEUE: `${prefix}-summaries`,
    BATON_TABLE_PREFIX: prefix,
    BATON_LOG_LEVEL: 'warn',
  };
  Object.assign(process.env, env);
  try {
    // (a) Cold start, alternating so both see the same machine state.
    const baton: number[] = [];
    const echo: number[] = [];
    for (let i = 0; i < COLD_RUNS; i += 1) {
      echo.push(await coldStart('echo-bot.ts', (s) => message(s, people.ada, 'hello'), connector.url, env));
      baton.push(await coldStart('baton-host.ts', (s) => message(s, people.ada, 'help'), connector.url, env));
    }

    // (b), (c) Through the real endpoint in this process, so round trips can be counted.
    const host = await startFunctionsHost({ registrations: await loadFunctions(), port: 0, log: () => undefined });
    const endpoint = `${host.url}/api/messages`;
    const form = (formId: string) => ({
      formId,
      summary: 'Payments retry logic is ready for QA',
      whatIsReady: 'Retry worker merged behind the payments-retry flag.',
      acceptanceCriteria: 'All retry tests pass in CI\nA failed payment is retried 3 times',
      owner: people.alan.aadObjectId,
      links: 'https://github.com/contoso/payments/pull/42',
      effort: '4h',
      workState: 'ready',
      receiver: people.grace.aadObjectId,
    });
    await post(endpoint, message(connector.url, people.ada, 'help')); // warm-up: table creation, JIT
    // Ada and Alan installed Baton, so an Accept tells both (sender and owner) 1:1, as in a real team.
    for (const person of [people.ada, people.alan]) {
      await post(endpoint, { ...message(connector.url, person, ''), type: 'installationUpdate', action: 'add', conversation: { id: `a:${person.id}`, conversationType: 'personal', tenantId: TENANT } });
    }
    const { outbox } = (await getBaton()).app;
    /** Table round trips of a run of actions: on the request's path, and the outbox's deliveries after the answer. */
    const tripsOf = async (run: () => Promise<void>) => {
      const before = { ...tableRoundTrips };
      await run();
      await outbox.idle();
      const deliveries = tableRoundTrips.inDeliveries - before.inDeliveries;
      return { request: (tableRoundTrips.count - before.count - deliveries) / ACTIONS, deliveries: deliveries / ACTIONS };
    };
    const ids: string[] = [];
    const create: number[] = [];
    const tripsPerCreate = await tripsOf(async () => {
      for (let i = 0; i < ACTIONS; i += 1) {
        const formId = crypto.randomUUID();
        const t = performance.now();
        const status = await post(endpoint, cardAction(connector.url, people.ada, 'handoff.create', form(formId), { replyToId: `m${i}` }));
        create.push(performance.now() - t);
        if (status !== 200) throw new Error(`create answered ${status}`);
        ids.push(handoffIdForForm(TENANT, formId));
        // Deliveries run after the answer; let them finish so the next timing is the request alone.
        await outbox.idle();
      }
    });

    const accept: number[] = [];
    const tripsPerAccept = await tripsOf(async () => {
      for (const id of ids) {
        const t = performance.now();
        const status = await post(endpoint, cardAction(connector.url, people.grace, 'handoff.accept', checkedAll(id)));
        accept.push(performance.now() - t);
        if (status !== 200) throw new Error(`accept answered ${status}`);
        await outbox.idle();
      }
    });
    // A refused Accept also answers 200 (with a notice): make sure every one really landed.
    const store = await HandoffStore.open(env.TABLES_CONNECTION_STRING, env.BATON_TABLE_PREFIX);
    for (const id of ids.slice(0, 20)) {
      if ((await store.read(id))?.handoff.status !== 'accepted') throw new Error(`handoff ${id} was not accepted`);
    }

    // Throughput: fresh handoffs accepted with IN_FLIGHT requests at a time.
    const fresh: string[] = [];
    for (let i = 0; i < ACTIONS; i += 1) {
      const formId = crypto.randomUUID();
      await post(endpoint, cardAction(connector.url, people.ada, 'handoff.create', form(formId)));
      fresh.push(handoffIdForForm(TENANT, formId));
    }
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < fresh.length) {
          const id = fresh[next++]!;
          await post(endpoint, cardAction(connector.url, people.grace, 'handoff.accept', checkedAll(id)));
        }
      }),
    );
    const throughput = ACTIONS / ((performance.now() - t0) / 1000);

    // The messaging extension: search reads the newest 200 of Ada's 1000 handoffs per keystroke.
    const search: number[] = [];
    const fetchTask: number[] = [];
    for (let i = 0; i < SEARCHES; i += 1) {
      let t = performance.now();
      const found = await post(endpoint, extensionInvoke(connector.url, people.ada, 'composeExtension/query', {
        commandId: 'findHandoffs',
        parameters: [{ name: 'query', value: i % 2 ? 'payments' : 'open retry' }],
        queryOptions: { skip: 0, count: 25 },
      }));
      search.push(performance.now() - t);
      if (found !== 200) throw new Error(`query answered ${found}`);
      t = performance.now();
      await post(endpoint, extensionInvoke(connector.url, people.ada, 'composeExtension/fetchTask', { commandId: 'createHandoff', commandContext: 'compose' }));
      fetchTask.push(performance.now() - t);
    }
    const memory = process.memoryUsage();
    await host.close();

    // (e) The overdue check: its cost must follow the handoffs due, not the handoffs open.
    const overdue: OverdueMeasure[] = [];
    for (const open of [1000, Number(process.env.BENCH_OVERDUE_OPEN ?? 100_000)]) overdue.push(await measureOverdueCheck(env.TABLES_CONNECTION_STRING, connector.url, open, 100));
    // (f) The weekly summary: reads per recipient must not grow with the tenant.
    const summaries = await measureSummaries(azurite.connectionString);

    const sortedCreate = [...create].sort((a, b) => a - b);
    const sortedAccept = [...accept].sort((a, b) => a - b);
    console.log(`\nBaton benchmark (node ${process.version}, ${new Date().toISOString().slice(0, 10)})\n`);
    console.log('| measure | value |');
    console.log('|---|---|');
    console.log(`| cold start to first answered activity, Baton host (median of ${COLD_RUNS}) | ${ms(median(baton))} |`);
    console.log(`| cold start, bare botbuilder echo bot (median of ${COLD_RUNS}) | ${ms(median(echo))} |`);
    console.log(`| cold start ratio, Baton / echo | ${(median(baton) / median(echo)).toFixed(2)}x |`);
    console.log(`| create handoff via /api/messages, p50 / p99 (${ACTIONS}, one at a time) | ${ms(percentile(sortedCreate, 50))} / ${ms(percentile(sortedCreate, 99))} |`);
    console.log(`| Accept via /api/messages, p50 / p99 (${ACTIONS}, one at a time) | ${ms(percentile(sortedAccept, 50))} / ${ms(percentile(sortedAccept, 99))} |`);
    console.log(`| Accept throughput, ${IN_FLIGHT} in flight | ${throughput.toFixed(0)} per second |`);
    const sortedSearch = [...search].sort((a, b) => a - b);
    const sortedFetch = [...fetchTask].sort((a, b) => a - b);
    console.log(`| messaging-extension search over 1000 handoffs (reads the newest 200), p50 / p99 (${SEARCHES}) | ${ms(percentile(sortedSearch, 50))} / ${ms(percentile(sortedSearch, 99))} |`);
    console.log(`| messaging-extension fetchTask (the create dialog), p50 / p99 (${SEARCHES}) | ${ms(percentile(sortedFetch, 50))} / ${ms(percentile(sortedFetch, 99))} |`);
    console.log(`| Table round trips per create: before the answer / outbox deliveries after it | ${tripsPerCreate.request.toFixed(2)} / ${tripsPerCreate.deliveries.toFixed(2)} |`);
    console.log(`| Table round trips per Accept: before the answer / outbox deliveries after it | ${tripsPerAccept.request.toFixed(2)} / ${tripsPerAccept.deliveries.toFixed(2)} |`);
    console.log(`| host process memory after the run (RSS / heap used) | ${(memory.rss / 2 ** 20).toFixed(0)} MiB / ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB |`);
    for (const m of overdue) {
      if (m.report.overdue !== m.due || m.report.failed > 0) throw new Error(`the overdue check nudged ${m.report.overdue} of ${m.due} (${m.report.failed} failed)`);
      console.log(
        `| overdue check, ${m.due} due among ${m.open.toLocaleString('en-US')} open: time / Table round trips of the check / of its deliveries | ${(m.ms / 1000).toFixed(2)} s / ${m.trips.check} / ${m.trips.deliveries} |`,
      );
    }
    printSummaries(summaries);
  } finally {
    await connector.close();
    await azurite.stop();
  }
}

void (process.argv[2] === 'summary' ? summaryOnly() : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
