/**
 * `npm run bench`: Baton's performance on this machine, printed as a table.
 *
 * (a) cold start, process start -> first answered activity, of the deployable
 *     bundle (dist/main.js) next to a bare botbuilder echo bot bundled and
 *     started the same way (plain node), and their ratio; and the first
 *     Accept, in local mode and in the production configuration (Graph
 *     mode with the managed identity, bench/production.ts);
 * (b) latency of 500 creates and 500 Accepts through POST /api/messages
 *     against Azurite, one at a time (p50, p99), and Accept throughput with 8 in flight;
 * (c) Table Storage round trips per create and per Accept;
 *     next to the storage floor of a change (one point read + one transaction);
 * (d) the create dialog (fetchTask), and search for one person with 5,000
 *     handoffs in a tenant of 100,000 next to its floor, one index query;
 *     then the heap after 1,000 and after 10,000 mixed actions;
 * (e) the overdue check with 100 handoffs due among 1,000 and among 100,000
 *     open ones (BENCH_OVERDUE_OPEN changes the larger number);
 * (f) the weekly summary for 1,000 stakeholders in tenants of 3,000 and
 *     10,000 handoffs, Graph answering 429 to one send in ten.
 * `npm run bench -- cold`, `-- actions` ((b) to (d)), `-- accept` ((b) and (c)
 * alone, a few minutes) and `-- summary` run one part.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { azuriteConnectionString } from '../src/config';
import { loadFunctions, startFunctionsHost } from '../src/host/functions-host';
import { freePort, PROJECT_ROOT, startAzurite } from '../src/host/processes';
import { getBaton } from '../src/baton';
import { bundle } from '../scripts/build';
import { measureStorageFloor } from './floor';
import { handoffsToAccept, startProduction } from './production';
import { measureMemory } from './memory';
import { measureOverdueCheck, type OverdueMeasure } from './overdue';
import { measureSearch } from './search';
import { percentiles, processCpuMs } from './stats';
import { measureSummaries, type SummaryMeasure } from './summary';
import { BACKGROUND } from '../src/app/ports';
import { TableHandoffStore, TableOutboxStore } from '../src/store/handoff-store';
import { outboxRowKey } from '../src/store/keys';
import { handoffIdForForm } from '../src/app/handoffs';
import { tableRoundTrips, tripsSince } from '../src/store/table';
import { cardAction, extensionInvoke, message, people, TENANT } from '../test/support/activities';
import { startConnector } from '../test/support/connector';
import { effectiveStatus } from '../src/bot/endpoint';

const COLD_RUNS = 11;
const ACTIONS = 500;
const IN_FLIGHT = 8;
const SEARCHES = 100;
/** Who searches in (d): someone with no handoffs of the bench's own, so the seeded 5,000 are all there are. */
const SEARCHER = { id: '29:1katherine-johnson', name: 'Katherine Johnson', aadObjectId: '00000000-0000-0000-0000-0000000000d4' };

/** Accept's data with both acceptance criteria of the bench's form checked. */
const checkedAll = (handoffId: string) => ({ handoffId, criterion0: 'true', criterion1: 'true' });

const median = (values: number[]) => percentiles(values).p50;
const ms = (n: number) => `${n.toFixed(1)} ms`;

/** The status an answer means: a card action's own status is inside its HTTP 200 (effectiveStatus). */
async function post(url: string, body: unknown): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  return effectiveStatus({ status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined });
}

/** Where the bench puts the bundles it starts (the echo bot and Baton's host; dist/main.js is `npm run build`'s). */
const BUNDLES = join(PROJECT_ROOT, '.data', 'bench');

/** Bundles dist/main.js and both cold-start scripts the same way, so both sides are started by plain node from one file each. */
async function bundleColdStarts(): Promise<void> {
  await bundle(join(PROJECT_ROOT, 'src', 'main.ts'), join(PROJECT_ROOT, 'dist', 'main.js'));
  // Baton's host loads dist/main.js at run time, as Azure does, rather than carrying a second copy of it.
  // Serving HTTP only, the host never opens a queue: the Queue SDK stays in its optional file, never loaded (scripts/build.ts).
  await bundle(join(PROJECT_ROOT, 'bench', 'baton-host.ts'), join(BUNDLES, 'baton-host.js'));
  await bundle(join(PROJECT_ROOT, 'bench', 'echo-bot.ts'), join(BUNDLES, 'echo-bot.js'));
  await bundle(join(PROJECT_ROOT, 'bench', 'libraries-bot.ts'), join(BUNDLES, 'libraries-bot.js'));
}

/** Spawns a bundled bot with plain node and returns the time until its first answered activity. */
async function coldStart(
  script: string,
  activity: (serviceUrl: string) => unknown,
  serviceUrl: string,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [join(BUNDLES, script), String(port)], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      const answer = await fetch(`http://127.0.0.1:${port}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity(serviceUrl)),
      })
        .then(async (r) => ({ status: r.status, body: await r.text() }))
        .catch(() => ({ status: 0, body: '' }));
      if (answer.status === 200) {
        const elapsed = performance.now() - started;
        const status = effectiveStatus({ status: answer.status, body: answer.body ? (JSON.parse(answer.body) as unknown) : undefined });
        if (status !== 200) throw new Error(`${script} answered ${status}: ${answer.body.slice(0, 300)}`);
        return elapsed;
      }
      if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill();
  }
}

/** (a) Cold start, alternating so all see the same machine state. */
interface ColdStarts {
  baton: number[];
  echo: number[];
  libraries: number[];
  /** The first activity an Accept, in local mode (the local directory) and in the production configuration (Graph mode). */
  acceptLocal: number[];
  acceptProduction: number[];
}

async function measureColdStarts(serviceUrl: string, env: Record<string, string>): Promise<ColdStarts> {
  const cold: ColdStarts = { baton: [], echo: [], libraries: [], acceptLocal: [], acceptProduction: [] };
  await bundleColdStarts();
  const production = await startProduction();
  try {
    const [local, graph] = [await handoffsToAccept(env, serviceUrl, COLD_RUNS), await handoffsToAccept(env, serviceUrl, COLD_RUNS)];
    const accept = (id: string) => (s: string) => cardAction(s, people.grace, 'handoff.accept', checkedAll(id));
    for (let i = 0; i < COLD_RUNS; i += 1) {
      cold.echo.push(await coldStart('echo-bot.js', (s) => message(s, people.ada, 'hello'), serviceUrl, env));
      cold.libraries.push(await coldStart('libraries-bot.js', (s) => message(s, people.ada, 'hello'), serviceUrl, env));
      cold.baton.push(await coldStart('baton-host.js', (s) => message(s, people.ada, 'help'), serviceUrl, env));
      cold.acceptLocal.push(await coldStart('baton-host.js', accept(local[i]!), serviceUrl, env));
      cold.acceptProduction.push(await coldStart('baton-host.js', accept(graph[i]!), serviceUrl, { ...env, ...production.env }));
    }
    // The production figure went through the managed identity and Graph, not around them.
    if (production.tokens() < COLD_RUNS || production.graphRequests() < COLD_RUNS)
      throw new Error(`the production cold starts asked ${production.tokens()} tokens and ${production.graphRequests()} Graph requests`);
  } finally {
    await production.close();
  }
  return cold;
}

function printColdStarts({ baton, echo, libraries, acceptLocal, acceptProduction }: ColdStarts): void {
  console.log(`| cold start to first answered activity, Baton's dist/main.js (median of ${COLD_RUNS}) | ${ms(median(baton))} |`);
  console.log(
    `| ... the first activity an Accept (a handoff made before), local mode (median of ${COLD_RUNS}) | ${ms(median(acceptLocal))} |`,
  );
  console.log(
    `| ... the first activity an Accept, the production configuration: Graph mode, managed identity (median of ${COLD_RUNS}) | ${ms(median(acceptProduction))} |`,
  );
  console.log(`| cold start, bare botbuilder echo bot bundled the same way (median of ${COLD_RUNS}) | ${ms(median(echo))} |`);
  console.log(
    `| cold start, the echo bot with Baton's libraries (zod, data-tables, functions) (median of ${COLD_RUNS}) | ${ms(median(libraries))} |`,
  );
  console.log(
    `| cold start ratio, Baton / echo (libraries / echo) | ${(median(baton) / median(echo)).toFixed(2)}x (${(median(libraries) / median(echo)).toFixed(2)}x) |`,
  );
}

/** `npm run bench -- cold`: only (a), the cold starts, against their own Azurite. */
async function coldOnly(): Promise<void> {
  const table = await freePort();
  const azurite = await startAzurite({ table, queue: await freePort() });
  const connector = await startConnector([people.ada, people.grace, people.alan]);
  try {
    const env = {
      TABLES_CONNECTION_STRING: azuriteConnectionString(table),
      AzureWebJobsStorage: azurite.connectionString,
      BATON_TABLE_PREFIX: `cold${Date.now()}`,
      BATON_LOG_LEVEL: 'warn',
    };
    const cold = await measureColdStarts(connector.url, env);
    console.log(
      `baton ${cold.baton.map((n) => n.toFixed(0)).join(' ')} / echo ${cold.echo.map((n) => n.toFixed(0)).join(' ')} / libraries ${cold.libraries.map((n) => n.toFixed(0)).join(' ')} / accept ${cold.acceptLocal.map((n) => n.toFixed(0)).join(' ')} / production accept ${cold.acceptProduction.map((n) => n.toFixed(0)).join(' ')}`,
    );
    printColdStarts(cold);
  } finally {
    await connector.close();
    await azurite.stop();
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
    if (m.emails !== m.recipients || m.distinct !== m.recipients)
      throw new Error(`the summary sent ${m.emails} emails to ${m.distinct} of ${m.recipients} recipients`);
    console.log(
      `| weekly summary, ${m.recipients.toLocaleString('en-US')} stakeholders in a tenant of ${m.handoffs.toLocaleString('en-US')} handoffs: Table reads per recipient / enqueue time / build+send p50, p99 | ${m.readsPerRecipient.toFixed(1)} / ${(m.enqueueMs / 1000).toFixed(2)} s / ${ms(m.sendMs.p50)}, ${ms(m.sendMs.p99)} |`,
    );
    console.log(
      `| ... sent in (simulated) / most in any minute / put back to wait for room / Graph 429s retried / emails, distinct recipients | ${m.minutes.toFixed(1)} min / ${m.maxPerMinute} / ${m.deferrals} / ${m.throttled} / ${m.emails}, ${m.distinct} |`,
    );
  }
}

/** Everything, or with `actions` only (b) to (d): no cold starts, no timers; or with `accept` only (b) and (c). */
async function main(all = true, acceptOnly = false) {
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
    const cold = all ? await measureColdStarts(connector.url, env) : undefined;

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
      await post(endpoint, {
        ...message(connector.url, person, ''),
        type: 'installationUpdate',
        action: 'add',
        conversation: { id: `a:${person.id}`, conversationType: 'personal', tenantId: TENANT },
      });
    }
    const { deliveries: outbox } = getBaton().app;
    /** Table round trips of a run of actions: on the request's path, and the outbox's deliveries after the answer. */
    const tripsOf = async (run: () => Promise<void>) => {
      const before = { ...tableRoundTrips };
      await run();
      await outbox.idle();
      const { own, ownReads, deliveries } = tripsSince(before);
      return { request: own / ACTIONS, reads: ownReads / ACTIONS, deliveries: deliveries / ACTIONS };
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
    // The CPU both processes spend on an Accept, deliveries included: with 2 cores, what bounds the throughput.
    const cpuBefore = { azurite: processCpuMs(azurite.child.pid), own: process.cpuUsage() };
    const tripsPerAccept = await tripsOf(async () => {
      for (const id of ids) {
        const t = performance.now();
        const status = await post(endpoint, cardAction(connector.url, people.grace, 'handoff.accept', checkedAll(id)));
        accept.push(performance.now() - t);
        if (status !== 200) throw new Error(`accept answered ${status}`);
        await outbox.idle();
      }
    });
    const azuriteCpu = processCpuMs(azurite.child.pid);
    const ownCpu = process.cpuUsage(cpuBefore.own);
    const cpuPerAccept = {
      azurite: azuriteCpu === undefined || cpuBefore.azurite === undefined ? undefined : (azuriteCpu - cpuBefore.azurite) / ACTIONS,
      own: (ownCpu.user + ownCpu.system) / 1000 / ACTIONS,
    };
    // A refused Accept also answers 200 (with a notice): make sure every one really landed.
    const store = TableHandoffStore.open(env.TABLES_CONNECTION_STRING, env.BATON_TABLE_PREFIX);
    for (const id of ids.slice(0, 20)) {
      if ((await store.read(id, BACKGROUND))?.handoff.status !== 'accepted') throw new Error(`handoff ${id} was not accepted`);
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

    // The storage floor of a change, against the same Azurite: one point read and one transaction.
    const floor = await measureStorageFloor(env.TABLES_CONNECTION_STRING, prefix, ACTIONS);
    // ... and in the shape of Baton's own writes, with as many outbox rows as an Accept adds (its event is the second).
    const outboxRows = (
      await TableOutboxStore.open(env.TABLES_CONNECTION_STRING, env.BATON_TABLE_PREFIX).rows(ids[0]!, BACKGROUND, { all: true })
    ).filter((row) => row.key.startsWith(outboxRowKey(2, 0).replace(/_0+$/, '_'))).length;
    const batonFloor = await measureStorageFloor(env.TABLES_CONNECTION_STRING, prefix, ACTIONS, { outboxRows });
    // The mark beside the read instead (before Baton checked first), right after, on the same Azurite: the check's cost.
    const besideFloor = await measureStorageFloor(env.TABLES_CONNECTION_STRING, prefix, ACTIONS, { outboxRows, markBesideRead: true });
    if (acceptOnly) {
      const [createMs, acceptMs, floorMs, batonFloorMs] = [
        percentiles(create),
        percentiles(accept),
        percentiles(floor),
        percentiles(batonFloor),
      ];
      console.log(`\nBaton benchmark, create and Accept (node ${process.version}, ${new Date().toISOString().slice(0, 10)})\n`);
      console.log('| measure | value |');
      console.log('|---|---|');
      console.log(`| create via /api/messages, p50 / p99 (${ACTIONS}, one at a time) | ${ms(createMs.p50)} / ${ms(createMs.p99)} |`);
      console.log(`| Accept via /api/messages, p50 / p99 (${ACTIONS}, one at a time) | ${ms(acceptMs.p50)} / ${ms(acceptMs.p99)} |`);
      console.log(`| Accept throughput, ${IN_FLIGHT} in flight | ${throughput.toFixed(0)} per second |`);
      console.log(`| storage floor: one point read + one transaction, p50 / p99 | ${ms(floorMs.p50)} / ${ms(floorMs.p99)} |`);
      console.log(
        `| ... in the shape of Baton's writes (read, mark, transaction), p50 / p99 | ${ms(batonFloorMs.p50)} / ${ms(batonFloorMs.p99)} |`,
      );
      const beside = percentiles(besideFloor);
      console.log(`| ... with the mark beside the read instead, p50 / p99 | ${ms(beside.p50)} / ${ms(beside.p99)} |`);
      console.log(
        `| Table round trips per create / per Accept: before the answer (of them reads) / deliveries after it | ${tripsPerCreate.request.toFixed(2)} (${tripsPerCreate.reads.toFixed(2)}) / ${tripsPerCreate.deliveries.toFixed(2)}; ${tripsPerAccept.request.toFixed(2)} (${tripsPerAccept.reads.toFixed(2)}) / ${tripsPerAccept.deliveries.toFixed(2)} |`,
      );
      await host.close();
      return;
    }

    // The messaging extension's create dialog.
    const fetchTask: number[] = [];
    for (let i = 0; i < SEARCHES; i += 1) {
      const t = performance.now();
      await post(
        endpoint,
        extensionInvoke(connector.url, people.ada, 'composeExtension/fetchTask', { commandId: 'createHandoff', commandContext: 'compose' }),
      );
      fetchTask.push(performance.now() - t);
    }
    // Search: one person with 5,000 handoffs in a tenant of 100,000 (BENCH_SEARCH_TENANT changes the larger number).
    // Memory: after 1,000 and after 10,000 mixed actions. Before search loads its 100,000 handoffs: Azurite scans a
    // whole table for every query, so the mix's searches would time out behind it, which Azure's partition reads do not.
    const memory = await measureMemory(
      endpoint,
      connector.url,
      form,
      [1000, 10_000],
      IN_FLIGHT,
      () => outbox.idle(),
      () => connector.sent.splice(0),
    );
    const tenant = Number(process.env.BENCH_SEARCH_TENANT ?? 100_000);
    const searched = await measureSearch(
      endpoint,
      connector.url,
      env.TABLES_CONNECTION_STRING,
      prefix,
      SEARCHER,
      [people.ada, people.grace, people.alan],
      { personal: Math.min(5000, tenant), tenant },
    );
    await host.close();

    // (e) The overdue check: its cost must follow the handoffs due, not the handoffs open.
    const overdue: OverdueMeasure[] = [];
    for (const open of all ? [1000, Number(process.env.BENCH_OVERDUE_OPEN ?? 100_000)] : [])
      overdue.push(await measureOverdueCheck(env.TABLES_CONNECTION_STRING, connector.url, open, 100));
    // (f) The weekly summary: reads per recipient must not grow with the tenant.
    const summaries = all ? await measureSummaries(azurite.connectionString) : [];

    const [createMs, acceptMs, floorMs, batonFloorMs, fetchMs] = [
      percentiles(create),
      percentiles(accept),
      percentiles(floor),
      percentiles(batonFloor),
      percentiles(fetchTask),
    ];
    console.log(`\nBaton benchmark (node ${process.version}, ${new Date().toISOString().slice(0, 10)})\n`);
    console.log('| measure | value |');
    console.log('|---|---|');
    if (cold) printColdStarts(cold);
    console.log(`| create handoff via /api/messages, p50 / p99 (${ACTIONS}, one at a time) | ${ms(createMs.p50)} / ${ms(createMs.p99)} |`);
    console.log(`| Accept via /api/messages, p50 / p99 (${ACTIONS}, one at a time) | ${ms(acceptMs.p50)} / ${ms(acceptMs.p99)} |`);
    console.log(`| Accept throughput, ${IN_FLIGHT} in flight | ${throughput.toFixed(0)} per second |`);
    if (cpuPerAccept.azurite !== undefined) {
      const trips = tripsPerAccept.request + tripsPerAccept.deliveries;
      console.log(
        `| CPU per Accept, deliveries included: Azurite (per Table round trip) / the bench process (Baton, the bench's connector and its client) | ${ms(cpuPerAccept.azurite)} (${ms(cpuPerAccept.azurite / trips)}) / ${ms(cpuPerAccept.own)} |`,
      );
      console.log(
        `| ... the most Accepts per second that CPU allows on this machine's ${availableParallelism()} cores | ${((availableParallelism() * 1000) / (cpuPerAccept.azurite + cpuPerAccept.own)).toFixed(0)} per second |`,
      );
    }
    console.log(
      `| storage floor of a change: one point read + one entity-group transaction, p50 / p99 (${ACTIONS}) | ${ms(floorMs.p50)} / ${ms(floorMs.p99)} |`,
    );
    console.log(`| Accept p50 / floor p50 | ${(acceptMs.p50 / floorMs.p50).toFixed(2)}x |`);
    console.log(
      `| ... the floor in the shape of Baton's writes: the point read, then the outbox's mark, then one transaction of the change, its event, the activity marker and its ${outboxRows} outbox rows, p50 / p99 | ${ms(batonFloorMs.p50)} / ${ms(batonFloorMs.p99)} |`,
    );
    console.log(`| ... Accept p50 / that floor p50 | ${(acceptMs.p50 / batonFloorMs.p50).toFixed(2)}x |`);
    const besideMs = percentiles(besideFloor);
    console.log(
      `| ... the same with the mark beside the read (before the check came first), p50 / p99 | ${ms(besideMs.p50)} / ${ms(besideMs.p99)} |`,
    );
    console.log(`| messaging-extension fetchTask (the create dialog), p50 / p99 (${SEARCHES}) | ${ms(fetchMs.p50)} / ${ms(fetchMs.p99)} |`);
    console.log(
      `| search, one person with ${searched.personal.toLocaleString('en-US')} handoffs in a tenant of ${searched.tenant.toLocaleString('en-US')}, p50 / p99 (200) | ${ms(searched.searchMs.p50)} / ${ms(searched.searchMs.p99)} |`,
    );
    console.log(
      `| ... its floor, the same query of the person's index partition (a page of their newest 200), p50 / p99 | ${ms(searched.floorMs.p50)} / ${ms(searched.floorMs.p99)} |`,
    );
    console.log(`| ... search p50 / floor p50 | ${(searched.searchMs.p50 / searched.floorMs.p50).toFixed(2)}x |`);
    console.log(`| ... Table round trips per search | ${searched.tripsPerSearch.toFixed(2)} |`);
    console.log(
      `| Table round trips per create: before the answer (of them reads) / outbox deliveries after it | ${tripsPerCreate.request.toFixed(2)} (${tripsPerCreate.reads.toFixed(2)}) / ${tripsPerCreate.deliveries.toFixed(2)} |`,
    );
    console.log(
      `| Table round trips per Accept: before the answer (of them reads) / outbox deliveries after it | ${tripsPerAccept.request.toFixed(2)} (${tripsPerAccept.reads.toFixed(2)}) / ${tripsPerAccept.deliveries.toFixed(2)} |`,
    );
    const [early, late] = memory.heap;
    console.log(
      `| bench process heap after a full GC, after ${early!.actions.toLocaleString('en-US')} / ${late!.actions.toLocaleString('en-US')} mixed actions (RSS) | ${early!.heapMiB.toFixed(1)} / ${late!.heapMiB.toFixed(1)} MiB (${early!.rssMiB.toFixed(0)} / ${late!.rssMiB.toFixed(0)} MiB) |`,
    );
    console.log(
      `| ... growth from ${early!.actions.toLocaleString('en-US')} to ${late!.actions.toLocaleString('en-US')} actions | ${(((late!.heapMiB - early!.heapMiB) / early!.heapMiB) * 100).toFixed(1)}% |`,
    );
    for (const m of overdue) {
      if (m.report.overdue !== m.due || m.report.failed > 0)
        throw new Error(`the overdue check nudged ${m.report.overdue} of ${m.due} (${m.report.failed} failed)`);
      console.log(
        `| overdue check, ${m.due} due among ${m.open.toLocaleString('en-US')} open: time / Table round trips of the check (of them reads) / of its deliveries | ${(m.ms / 1000).toFixed(2)} s / ${m.trips.check} (${m.trips.checkReads}) / ${m.trips.deliveries} |`,
      );
    }
    printSummaries(summaries);
  } finally {
    await connector.close();
    await azurite.stop();
  }
}

const SECTIONS: Record<string, () => Promise<void>> = {
  summary: summaryOnly,
  cold: coldOnly,
  actions: () => main(false),
  accept: () => main(false, true),
};

void (SECTIONS[process.argv[2] ?? '']?.() ?? main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
