/**
 * infra/azure.bicep through the real Bicep compiler, where it is installed:
 * it must build, and declare the parameters, outputs and resources the
 * tests' own reader (test/infra/bicep.ts) finds, so the two cannot disagree.
 *
 * The compiler is looked for as BATON_BICEP, else `bicep` on PATH, else the
 * copy `az bicep install` keeps in ~/.azure/bin (`az bicep build` itself is
 * not used: it downloads the compiler when it is missing). Without one the
 * test says so and is skipped, in CI too: CI decides, by setting
 * BATON_REQUIRE_BICEP=1, that a missing compiler fails the run instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/project';
import { lookUp, underCI } from '../support/executables';
import { template, TEMPLATE_PATH } from './files';

const INSTALL = 'https://learn.microsoft.com/azure/azure-resource-manager/bicep/install';

function findCompiler(): { path: string; problem?: undefined } | { path?: undefined; problem: string } {
  const found = lookUp({ setting: 'BATON_BICEP', names: ['bicep'], install: INSTALL });
  if (found.path !== undefined) return { path: found.path };
  if ((process.env.BATON_BICEP ?? '').trim() !== '') return { problem: found.problem };
  const fromAz = join(homedir(), '.azure', 'bin', process.platform === 'win32' ? 'bicep.exe' : 'bicep');
  if (existsSync(fromAz)) return { path: fromAz };
  return { problem: `${found.problem}, and ${fromAz} (az bicep install) does not exist` };
}

const compiler = findCompiler();
const required = (process.env.BATON_REQUIRE_BICEP ?? '').trim() === '1';

if (compiler.problem !== undefined && !required) {
  console.warn(
    `\n!!! ${compiler.problem}: the Bicep build of ${TEMPLATE_PATH} is skipped (the other infra tests still read it). ` +
      `Install the compiler (${INSTALL}) or set BATON_BICEP to it${underCI() ? '; set BATON_REQUIRE_BICEP=1 to make CI fail without it' : ''}.\n`,
  );
}

interface ArmTemplate {
  parameters?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  resources: Array<{ type: string; existing?: boolean }> | Record<string, { type: string; existing?: boolean }>;
}

describe.skipIf(compiler.problem !== undefined && !required)('the Bicep compiler', () => {
  it(`builds ${TEMPLATE_PATH} into the template the tests read`, () => {
    if (compiler.path === undefined) throw new Error(`BATON_REQUIRE_BICEP=1, but ${compiler.problem}`);
    const result = spawnSync(compiler.path, ['build', TEMPLATE_PATH, '--stdout'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(result.error).toBeUndefined();
    expect(result.status, result.stderr).toBe(0);
    const arm = JSON.parse(result.stdout) as ArmTemplate;
    expect(Object.keys(arm.parameters ?? {}).sort()).toEqual([...template.params.keys()].sort());
    expect(Object.keys(arm.outputs ?? {}).sort()).toEqual([...template.outputs.keys()].sort());
    const resources = Array.isArray(arm.resources) ? arm.resources : Object.values(arm.resources);
    const types = (list: Array<{ type: string }>) => list.map((r) => r.type).sort();
    expect(types(resources.filter((r) => !r.existing))).toEqual(types([...template.resources.values()].filter((r) => !r.existing)));
  }, 150_000);
});
