/**
 * The boundaries of the code (.dependency-cruiser.cjs), checked by
 * dependency-cruiser on the real imports: none broken in src/ and
 * functions/, and each rule reporting a file that breaks it
 * (test/fixtures/architecture, laid out like the project).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/project';

const run = promisify(execFile);

interface Violation {
  rule: string;
  from: string;
  to: string;
}

/** dependency-cruiser's verdict on `src` and `functions` under `cwd`, with the project's rules. */
async function cruise(cwd: string): Promise<{ violations: Violation[]; modules: number }> {
  const bin = join(PROJECT_ROOT, 'node_modules', '.bin', 'depcruise');
  const { stdout } = await run(
    bin,
    ['src', 'functions', '--config', join(PROJECT_ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'],
    { cwd, maxBuffer: 64 * 1024 * 1024 },
  ).catch((error: { stdout?: string }) => {
    // It exits with the number of errors; the report is on stdout either way.
    if (error.stdout) return { stdout: error.stdout };
    throw error;
  });
  const report = JSON.parse(stdout) as {
    summary: { totalCruised: number; violations: { rule: { name: string }; from: string; to: string }[] };
  };
  return {
    modules: report.summary.totalCruised,
    // A package is named from its node_modules folder on, wherever that is (a worktree's may be a link elsewhere).
    violations: report.summary.violations.map((v) => ({
      rule: v.rule.name,
      from: v.from,
      to: v.to.replace(/^(\.\.\/)+/, '').replace(/^.*?\/?(node_modules\/)/, '$1'),
    })),
  };
}

describe('the boundaries of the code', () => {
  it('hold in src/ and functions/', async () => {
    const { violations, modules } = await cruise(PROJECT_ROOT);
    expect(modules).toBeGreaterThan(80);
    expect(violations).toEqual([]);
  }, 60_000);

  it('are each reported when a file breaks them', async () => {
    const { violations } = await cruise(join(PROJECT_ROOT, 'test', 'fixtures', 'architecture'));
    const found = violations.map((v) => [v.rule, v.from, v.to.replace(/\/(lib|dist)\/.*$/, '')]).sort();
    expect(found).toEqual(
      [
        ['app-sees-ports-only', 'src/app/uses-a-table.ts', 'src/store/table.ts'],
        ['bot-framework-at-the-edge', 'src/app/talks-to-teams.ts', 'node_modules/botbuilder'],
        ['connector-only-sends', 'src/connector/routes-a-turn.ts', 'src/bot/fine.ts'],
        ['cards-draw-only', 'src/cards/calls-the-app.ts', 'src/app/uses-a-table.ts'],
        ['domain-has-no-node-io', 'src/domain/reads-disk.ts', 'fs'],
        ['domain-is-pure', 'src/domain/knows-the-store.ts', 'src/store/table.ts'],
        ['domain-is-pure', 'src/domain/reads-disk.ts', 'fs'],
        ['functions-are-thin', 'functions/decides.ts', 'src/domain/reads-disk.ts'],
        ['no-circular', 'src/app/ping.ts', 'src/app/pong.ts'],
        ['store-implements-ports', 'src/store/uses-a-use-case.ts', 'src/app/uses-a-table.ts'],
        ['tables-in-store-only', 'src/app/writes-tables.ts', 'node_modules/@azure/data-tables'],
      ].sort(),
    );
  }, 60_000);
});
