/**
 * Architecture boundaries, checked on the source text:
 * - src/domain is pure: no bot framework, no Azure, no Graph, no card
 *   templating, no Node built-ins (so it runs and tests anywhere);
 * - each platform SDK is imported by one folder only.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { PROJECT_ROOT } from '../src/project';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = PROJECT_ROOT;

/** Every .ts file under a folder of the project, as a path relative to the root with forward slashes. */
function tsFilesUnder(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts')) out.push(relative(ROOT, full).split(sep).join('/'));
    }
  };
  walk(join(ROOT, folder));
  return out.sort();
}

/**
 * The module specifiers a source file asks for: static `import ... from '...'`,
 * `export ... from '...'`, side-effect `import '...'`, `import('...')` and
 * `require('...')`. A non-literal `import(x)` / `require(x)` is reported as `<dynamic>:import(`
 * (its target cannot be checked, so the domain may not have one).
 */
function importSpecifiers(source: string): string[] {
  // Drop comments so that prose mentioning a module does not count. Block comments
  // first; line comments only when `//` starts the line or follows whitespace
  // (so `'https://...'` inside a string survives).
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[ \t])\/\/.*$/gm, '$1');
  const found: string[] = [];
  const patterns = [
    /^[ \t]*(?:import|export)\b[^;'"`]*?\bfrom\s*(['"])([^'"\n]+)\1/gm,
    /^[ \t]*import\s*(['"])([^'"\n]+)\1/gm,
    /\bimport\s*\(\s*(['"`])([^'"`\n]+)\1\s*\)/g,
    /\brequire\s*\(\s*(['"`])([^'"`\n]+)\1\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) found.push(match[2] ?? '');
  }
  for (const match of code.matchAll(/\b(?:import|require)\s*\(\s*(?!['"`][^'"`\n]+['"`]\s*\))/g)) {
    found.push(`<dynamic>:${match[0].trim()}`);
  }
  return found;
}

type Rule = (specifier: string) => boolean;

const NODE_BUILTIN: Rule = (s) => s.startsWith('node:') || isBuiltin(s) || isBuiltin(s.split('/')[0] ?? s);
const BOT_FRAMEWORK: Rule = (s) => /^botbuilder(?:-|\/|$)/.test(s) || s.startsWith('botframework-');
const AZURE: Rule = (s) => s.startsWith('@azure/');
const TABLES: Rule = (s) => s === '@azure/data-tables' || s.startsWith('@azure/data-tables/');
const GRAPH: Rule = (s) => s === '@microsoft/microsoft-graph-client' || s.startsWith('@microsoft/microsoft-graph-client/');
const CARDS: Rule = (s) => s.startsWith('adaptivecards');
const QUEUES: Rule = (s) => s === '@azure/storage-queue' || s.startsWith('@azure/storage-queue/');
const FUNCTIONS_SDK: Rule = (s) => s === '@azure/functions' || s.startsWith('@azure/functions/');

/** A relative specifier as a project path without extension ('src/app/baton'); other specifiers as they are. */
function target(file: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  return relative(ROOT, resolve(ROOT, dirname(file), specifier)).split(sep).join('/').replace(/\.(ts|js|json)$/, '');
}

/** `file: specifier` for every import of `files` whose project target fails `allowed`. */
function importsOutside(files: readonly string[], allowed: (target: string, file: string) => boolean): string[] {
  return files.flatMap((file) =>
    importSpecifiers(readFileSync(join(ROOT, file), 'utf8'))
      .filter((specifier) => !allowed(target(file, specifier), file))
      .map((specifier) => `${file}: '${specifier}'`),
  );
}

const FORBIDDEN_IN_DOMAIN: Record<string, Rule> = {
  'bot framework': BOT_FRAMEWORK,
  'Azure SDK': AZURE,
  'Microsoft Graph client': GRAPH,
  'Adaptive Cards': CARDS,
  'Node built-in': NODE_BUILTIN,
  'non-literal dynamic import': (s) => s.startsWith('<dynamic>'),
};

/** `file: specifier (reason)` for every import in `files` that breaks one of `rules`. */
function offences(files: readonly string[], rules: Record<string, Rule>): string[] {
  const out: string[] = [];
  for (const file of files) {
    for (const specifier of importSpecifiers(readFileSync(join(ROOT, file), 'utf8'))) {
      for (const [reason, rule] of Object.entries(rules)) {
        if (rule(specifier)) out.push(`${file}: '${specifier}' (${reason})`);
      }
    }
  }
  return out;
}

describe('importSpecifiers', () => {
  it('finds static, multi-line, type-only, re-export, side-effect, dynamic and require imports', () => {
    const source = [
      "import { z } from 'zod';",
      'import {',
      '  type A,',
      '  B,',
      "} from \"botbuilder\";",
      "import type { C } from './c';",
      "import * as fs from 'node:fs';",
      "import def, { e } from '@azure/data-tables';",
      "export { f } from './f';",
      "export * from '../g';",
      "import 'side-effect';",
      "const h = await import('https');",
      "const i = require(\"child_process\");",
      'const j = require(`os`);',
      "const k = await import(name);",
      "const url = 'https://example.com/from/here'; // not from 'commented-line'",
      "/* import x from 'commented-block'; */",
      '/**',
      " * Uses require('commented-jsdoc') and import('commented-too').",
      " * import y from 'commented-import';",
      ' */',
      "// import z from 'commented-line-start';",
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(
      [
        'zod', 'botbuilder', './c', 'node:fs', '@azure/data-tables', './f', '../g', 'side-effect',
        'https', 'child_process', 'os', '<dynamic>:import(',
      ].sort(),
    );
  });

  it('finds nothing in a file without imports', () => {
    expect(importSpecifiers("export const x = 'from \\'y\\'';\nconst important = 1;\nfunction requires() {}\n")).toEqual([]);
  });

  it('classifies Node built-ins, with and without the node: prefix', () => {
    expect(['node:fs', 'fs', 'fs/promises', 'http', 'https', 'net', 'child_process', 'path', 'os', 'crypto', 'process', 'url', 'worker_threads'].filter((s) => !NODE_BUILTIN(s))).toEqual([]);
    expect(['zod', './effort', '../domain/handoff', 'fast-check', 'pathological'].filter(NODE_BUILTIN)).toEqual([]);
  });

  it('resolves relative imports to project paths', () => {
    expect(target('src/app/outbox.ts', '../bot/connector')).toBe('src/bot/connector');
    expect(target('functions/messages.ts', '../src/app/baton')).toBe('src/app/baton');
    expect(target('src/app/outbox.ts', 'zod')).toBe('zod');
  });

  it('classifies platform SDKs', () => {
    expect(['botbuilder', 'botbuilder-core', 'botbuilder/lib/x', 'botframework-connector', 'botframework-schema'].every(BOT_FRAMEWORK)).toBe(true);
    expect(['botbuilders', 'my-botbuilder'].some(BOT_FRAMEWORK)).toBe(false);
    expect(['adaptivecards', 'adaptivecards-templating'].every(CARDS)).toBe(true);
    expect(['@azure/functions', '@azure/data-tables'].every(AZURE)).toBe(true);
    expect(GRAPH('@microsoft/microsoft-graph-client')).toBe(true);
    expect(GRAPH('@microsoft/m365agentsplayground')).toBe(false);
  });
});

describe('architecture boundaries', () => {
  const domain = tsFilesUnder('src/domain');
  const everything = [...tsFilesUnder('src'), ...tsFilesUnder('functions')];

  it('finds the domain and the rest of the code', () => {
    expect(domain).toEqual(expect.arrayContaining(['src/domain/effort.ts', 'src/domain/handoff.ts', 'src/domain/handoff-form.ts', 'src/domain/process.ts']));
    expect(everything).toEqual(expect.arrayContaining(['src/bot/adapter.ts', 'src/store/tables.ts', 'functions/messages.ts']));
  });

  it('keeps src/domain free of platform SDKs and Node built-ins', () => {
    const bad = offences(domain, FORBIDDEN_IN_DOMAIN);
    expect(bad, `src/domain must stay pure, but:\n${bad.join('\n')}`).toEqual([]);
  });

  it('imports the bot framework only from src/bot', () => {
    const bad = offences(everything.filter((f) => !f.startsWith('src/bot/')), { 'bot framework outside src/bot': BOT_FRAMEWORK });
    expect(bad, `only src/bot may import botbuilder/botframework-*, but:\n${bad.join('\n')}`).toEqual([]);
  });

  it('imports @azure/data-tables only from src/store', () => {
    const bad = offences(everything.filter((f) => !f.startsWith('src/store/')), { 'Table Storage outside src/store': TABLES });
    expect(bad, `only src/store may import @azure/data-tables, but:\n${bad.join('\n')}`).toEqual([]);
  });

  it('keeps src/app free of the bot framework: only the composition root knows src/bot', () => {
    const app = tsFilesUnder('src/app');
    const bad = [
      ...offences(app, { 'bot framework in src/app': BOT_FRAMEWORK }),
      ...importsOutside(app, (t, file) => !t.startsWith('src/bot/') || file === 'src/app/baton.ts'),
    ];
    expect(bad, `src/app must never see botbuilder or a TurnContext, but:\n${bad.join('\n')}`).toEqual([]);
  });

  it('lets functions/ reach the product through src/app only', () => {
    const bad = importsOutside(tsFilesUnder('functions'), (t) => t.startsWith('src/app/') || t === 'src/functions' || FUNCTIONS_SDK(t));
    expect(bad, `functions/ may import @azure/functions, src/functions.ts and src/app only, but:\n${bad.join('\n')}`).toEqual([]);
  });

  it('imports the Functions SDK only from functions/, the registrations and the local host', () => {
    const bad = offences(everything.filter((f) => !f.startsWith('functions/') && f !== 'src/functions.ts' && !f.startsWith('src/host/')), { '@azure/functions elsewhere': FUNCTIONS_SDK });
    expect(bad, `only functions/, src/functions.ts and src/host may import @azure/functions, but:\n${bad.join('\n')}`).toEqual([]);
  });

  it('imports @azure/storage-queue only from src/store', () => {
    const bad = offences(everything.filter((f) => !f.startsWith('src/store/')), { 'queues outside src/store': QUEUES });
    expect(bad, `only src/store may import @azure/storage-queue, but:\n${bad.join('\n')}`).toEqual([]);
  });

  it('imports the Microsoft Graph client only from src/graph', () => {
    const bad = offences(everything.filter((f) => !f.startsWith('src/graph/')), { 'Graph client outside src/graph': GRAPH });
    expect(bad, `only src/graph may import @microsoft/microsoft-graph-client, but:\n${bad.join('\n')}`).toEqual([]);
  });
});
