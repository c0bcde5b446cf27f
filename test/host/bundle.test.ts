/**
 * The deployable build: `npm run build` bundles every function into one file
 * (dist/main.js), the optional packages beside it (dist/optional/), and that
 * file, run by plain node behind the local host, answers a Teams activity
 * through the real Azurite.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { bundle } from '../../scripts/build';
import { mapLimit } from '../../src/app/pool';
import { OPTIONAL_SETTING_NAMES } from '../../src/config';
import { freePort } from '../../src/host/processes';
import { PROJECT_ROOT } from '../../src/project';
import { cardAction, FIXTURE_DAY, message, people } from '../support/activities';
import { startConnector } from '../support/connector';
import { uniquePrefix } from '../support/stack';

// Inside the project, as dist/ is on Azure: the bundle finds the project's files (package.json, the Playground's people) from where it is.
mkdirSync(join(PROJECT_ROOT, '.data'), { recursive: true });
const out = mkdtempSync(join(PROJECT_ROOT, '.data', 'bundle-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the deployable bundle', () => {
  it('carries every function file: src/main.ts imports each one', () => {
    const imported = [
      ...readFileSync(join(PROJECT_ROOT, 'src', 'main.ts'), 'utf8').matchAll(/^import '\.\.\/functions\/([\w-]+)';$/gm),
    ].map((m) => m[1]);
    const files = readdirSync(join(PROJECT_ROOT, 'functions')).map((f) => f.replace(/\.ts$/, ''));
    expect(new Set(imported)).toEqual(new Set(files));
  });

  it('is one file that plain node loads, and it answers an activity', async () => {
    await bundle(join(PROJECT_ROOT, 'src', 'main.ts'), join(out, 'dist', 'main.js'));
    await bundle(join(PROJECT_ROOT, 'bench', 'baton-host.ts'), join(out, 'host.js'));
    expect(readdirSync(join(out, 'dist')).filter((f) => f.endsWith('.js'))).toEqual(['main.js']);
    // The packages only some settings need are files of their own, loaded on first use (src/lazy.ts), each by plain node.
    expect(
      readdirSync(join(out, 'dist', 'optional'))
        .filter((f) => f.endsWith('.js'))
        .sort(),
    ).toEqual(['azure-identity.js', 'azure-storage-queue.js', 'microsoft-microsoft-graph-client.js', 'yaml.js']);
    const exported = (file: string, name: string) =>
      execFileSync(
        process.execPath,
        [
          '-e',
          `process.stdout.write(String(typeof require(${JSON.stringify(join(out, 'dist', 'optional', file))})[${JSON.stringify(name)}]))`,
        ],
        { encoding: 'utf8' },
      );
    expect(exported('azure-identity.js', 'ManagedIdentityCredential')).toBe('function');
    expect(exported('azure-storage-queue.js', 'QueueClient')).toBe('function');
    expect(exported('microsoft-microsoft-graph-client.js', 'GraphClientError')).toBe('function');
    expect(exported('yaml.js', 'parse')).toBe('function');

    const connector = await startConnector([people.ada, people.grace]);
    const port = await freePort();
    const child = spawn(process.execPath, [join(out, 'host.js'), String(port), join(out, 'dist')], {
      env: {
        ...process.env,
        TABLES_CONNECTION_STRING: inject('tablesConnectionString'),
        BATON_TABLE_PREFIX: uniquePrefix(),
        BATON_LOG_LEVEL: 'warn',
        BATON_CLOCK_START: FIXTURE_DAY,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      let status = 0;
      // Ready when it answers; no fixed wait.
      while (status === 0) {
        if (child.exitCode !== null) throw new Error(`the bundle's host exited with ${child.exitCode}: ${stderr.slice(-600)}`);
        status = await fetch(`http://127.0.0.1:${port}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(message(connector.url, people.ada, 'help')),
        })
          .then((r) => r.status)
          .catch(async () => {
            await new Promise((r) => setTimeout(r, 20));
            return 0;
          });
      }
      expect(status).toBe(200);
      expect(connector.sent.length).toBeGreaterThan(0);
      expect(JSON.stringify(connector.sent.at(-1))).toContain('Baton');
      // A form names people: the local directory reads the Playground's YAML through dist/optional/yaml.js.
      const form = {
        formId: crypto.randomUUID(),
        summary: 'Bundle check',
        whatIsReady: 'The bundle',
        acceptanceCriteria: 'It answers',
        owner: people.ada.aadObjectId,
        links: '',
        effort: '1h',
        workState: 'ready',
        receiver: people.grace.aadObjectId,
      };
      const created = await fetch(`http://127.0.0.1:${port}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(cardAction(connector.url, people.ada, 'handoff.create', form, { replyToId: 'm1' })),
      });
      expect(created.status).toBe(200);
      expect(JSON.stringify(await created.json())).toContain('Bundle check');
    } finally {
      child.kill();
      await connector.close();
    }
  }, 60_000);

  it('registers every function and answers help with any one optional setting wrong, saying once which it set aside', async () => {
    await bundle(join(PROJECT_ROOT, 'src', 'main.ts'), join(out, 'settings', 'dist', 'main.js'));
    await bundle(join(PROJECT_ROOT, 'bench', 'baton-host.ts'), join(out, 'settings', 'host.js'));
    // One wrong value per optional setting: typos, a value in braces, a scheme where a host name goes.
    const wrong: Record<string, string> = {
      BATON_HOST_PORT: 'abc',
      AZURITE_TABLE_PORT: '-1',
      AZURITE_QUEUE_PORT: '10001.5',
      PLAYGROUND_PORT: '70000',
      BATON_LOG_LEVEL: 'loud',
      BATON_CLOCK_OFFSET_MINUTES: '-5',
      BATON_CLOCK_START: 'next tuesday',
      BATON_REVIEW_GOALS: 'urgent=soon',
      BATON_RESPONSE_GOALS: 'fast',
      BATON_UNBLOCK_GOALS: 'someday=1h',
      BATON_CLOSE_GOAL: 'a day',
      BATON_AUTO_CLOSE_AFTER: 'never',
      BATON_SUMMARY_DAY: 'Mon',
      BATON_SUMMARY_HOUR: '24',
      BATON_SUMMARY_QUEUE: 'Baton_Summaries',
      BATON_MAILBOX_PER_MINUTE: '0',
      OUTLOOK_ORIGINATOR: '{6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6c}',
      BATON_PUBLIC_HOSTNAME: 'https://baton.contoso.com/',
      GRAPH_BASE_URL: 'graph.microsoft.com',
    };
    expect(Object.keys(wrong).sort()).toEqual([...OPTIONAL_SETTING_NAMES].sort());
    const functions = [
      'awayCheck',
      'dailyDigest',
      'handoffLink',
      'messages',
      'outboxSweep',
      'overdueCheck',
      'purgeDrafts',
      'weeklySummary',
      'sendSummary',
    ];
    const connector = await startConnector([people.ada, people.grace]);
    const prefix = uniquePrefix();
    try {
      const runs = await mapLimit([...Object.entries(wrong), ['BOT_ID', 'not-a-guid'] as const], 3, async ([name, value]) => {
        const port = await freePort();
        const child = spawn(process.execPath, [join(out, 'settings', 'host.js'), String(port), join(out, 'settings', 'dist')], {
          env: {
            ...process.env,
            TABLES_CONNECTION_STRING: inject('tablesConnectionString'),
            BATON_TABLE_PREFIX: prefix,
            BATON_LOG_LEVEL: 'info',
            [name]: value,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        try {
          let status = 0;
          // Its own conversation: three hosts answer at once through one connector, and only this one's help counts.
          const conversation = { ...message(connector.url, people.ada, 'help').conversation, id: `19:settings-${name}@thread.v2` };
          while (status === 0) {
            if (child.exitCode !== null)
              throw new Error(`the host exited with ${child.exitCode} with ${name}=${value}: ${output.slice(-600)}`);
            status = await fetch(`http://127.0.0.1:${port}/api/messages`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(message(connector.url, people.ada, 'help', { conversation })),
            })
              .then((r) => r.status)
              .catch(async () => {
                await new Promise((r) => setTimeout(r, 20));
                return 0;
              });
          }
          const answered = connector.sent.some(
            (s) => s.conversationId === conversation.id && s.activity.text?.startsWith('**Baton** hands work'),
          );
          return { name, status, answered, output };
        } finally {
          child.kill();
        }
      });
      for (const { name, status, answered, output } of runs) {
        // Nothing reads a setting while the bundle loads: every function registers, whatever is wrong.
        expect(output, name).toContain(`Registered: ${functions.join(', ')}`);
        if (name === 'BOT_ID') {
          // A setting Baton cannot run without: it says so, and answers 500; the functions are still there.
          expect(status).toBe(500);
          expect(output).toContain("BOT_ID must be the bot's Microsoft App ID (a GUID)");
          continue;
        }
        expect([name, status, answered]).toEqual([name, 200, true]);
        const lines = output.split('\n').filter((l) => l.includes(`setting=${name})`));
        expect(lines, output).toEqual([
          expect.stringMatching(new RegExp(`^\\[warn\\] Setting set aside: ${name} .*, so .+ \\(setting=${name}\\)$`)),
        ]);
      }
    } finally {
      await connector.close();
    }
  }, 120_000);

  it('carries one copy of each package version, however often npm nested it', async () => {
    await bundle(join(PROJECT_ROOT, 'src', 'main.ts'), join(out, 'once', 'main.js'));
    const { sources } = JSON.parse(readFileSync(join(out, 'once', 'main.js.map'), 'utf8')) as { sources: string[] };
    // A package's own source map may name files that were never installed (msal's ../src): only installed packages count.
    const roots = new Set(
      sources
        .map((s) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(s)?.[1])
        .filter((r): r is string => r !== undefined && existsSync(join(out, 'once', r, 'package.json'))),
    );
    const copies = new Map<string, string[]>();
    for (const root of roots) {
      const { name, version } = JSON.parse(readFileSync(join(out, 'once', root, 'package.json'), 'utf8')) as {
        name: string;
        version: string;
      };
      copies.set(`${name}@${version}`, [...(copies.get(`${name}@${version}`) ?? []), root]);
    }
    expect([...copies].filter(([, r]) => r.length > 1)).toEqual([]);
    // botbuilder's packages each nest zod 3.25 beside Baton's zod 4: both versions are in, once each.
    expect([...copies.keys()].filter((k) => k.startsWith('zod@')).length).toBe(2);
    // Baton imports zod as a namespace (`import * as z`), so the bundle leaves out the locales it never uses; `import { z }` carries all of them (365 KB).
    expect(sources.filter((s) => s.includes('node_modules/zod/v4/locales/')).map((s) => s.split('/').pop())).toEqual(['en.js']);
  }, 60_000);
});
