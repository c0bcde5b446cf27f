/**
 * `npm run package` end to end: the zip it writes, read back through its
 * central directory, and the command's exit code and message when settings
 * are missing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  APP_PACKAGE_DIR,
  buildZip,
  DEFAULT_SCHEMA_PATH,
  fillManifest,
  PackageError,
  packageApp,
  packageJsonVersion,
  placeholderValues,
  PROJECT_ROOT,
  readSettings,
  REQUIRED_SETTINGS,
} from '../../scripts/package-app';
import { requireTool } from '../support/executables';
import { ENV, TEMPLATE } from './support';
import { readZip } from './zip';

const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
const SCRIPT = join(PROJECT_ROOT, 'scripts', 'package-app.ts');
const made: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-package-'));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Runs the script as `npm run package` does, with only the given settings in its environment. */
function runScript(settings: Record<string, string>, args: string[] = []) {
  return spawnSync(TSX, [SCRIPT, ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...settings },
  });
}

describe('the package', () => {
  const outDir = tempDir();
  const result = packageApp(ENV, { outDir });
  const entries = readZip(readFileSync(result.zipPath));

  it('is written as baton-<version>.zip', () => {
    expect(result.zipPath).toBe(join(outDir, `baton-${packageJsonVersion()}.zip`));
    expect(readdirSync(outDir)).toEqual([`baton-${packageJsonVersion()}.zip`]);
  });

  it('holds exactly manifest.json, color.png and outline.png, at its root', () => {
    expect(entries.map((e) => e.name)).toEqual(['manifest.json', 'color.png', 'outline.png']);
  });

  it('holds the filled manifest', () => {
    const inZip: unknown = JSON.parse(entries[0]!.data.toString('utf8'));
    expect(inZip).toEqual(fillManifest(TEMPLATE, placeholderValues(readSettings(ENV))));
    expect(inZip).toEqual(result.manifest);
  });

  it('holds the icons byte for byte', () => {
    expect(entries[1]!.data.equals(readFileSync(join(APP_PACKAGE_DIR, 'color.png')))).toBe(true);
    expect(entries[2]!.data.equals(readFileSync(join(APP_PACKAGE_DIR, 'outline.png')))).toBe(true);
  });

  it('deflates the manifest and stores what deflate cannot shrink', () => {
    expect(entries[0]!.method).toBe(8);
    expect(result.zip.length).toBeLessThan(entries.reduce((sum, e) => sum + e.data.length, 0));
  });

  it('comes out byte for byte the same from the same inputs', () => {
    expect(packageApp(ENV, { outDir: tempDir() }).zip.equals(result.zip)).toBe(true);
  });

  // CI installs unzip (.ci/run), so there its absence fails instead of hiding this check.
  const unzip = requireTool(
    { setting: 'BATON_UNZIP', names: ['unzip'], install: 'apt-get install unzip' },
    'the Info-ZIP check of the package',
  );
  it.skipIf(!unzip)('passes Info-ZIP unzip -t, an independent reader', () => {
    const run = spawnSync(unzip!, ['-t', result.zipPath], { encoding: 'utf8' });
    expect(run.stdout).toContain('No errors detected');
    expect(run.status).toBe(0);
  });
});

describe('buildZip', () => {
  it('round-trips entries, empty ones and ones deflate cannot shrink included', () => {
    const random = Buffer.from(Array.from({ length: 500 }, (_, i) => (i * 7919 + 13) % 251));
    const files = [
      { name: 'a.txt', data: Buffer.from('hello '.repeat(100)) },
      { name: 'empty', data: Buffer.alloc(0) },
      { name: 'dir/noise.bin', data: random },
    ];
    expect(readZip(buildZip(files)).map(({ name, data }) => ({ name, data }))).toEqual(files);
  });

  it('refuses names a zip reader might take for a path outside the archive', () => {
    expect(() => buildZip([{ name: 'dir\\manifest.json', data: Buffer.alloc(1) }])).toThrow(PackageError);
  });
});

describe('npm run package (the script itself)', () => {
  it('with no settings: exit code 1 and one message naming every missing setting, no zip', () => {
    const outDir = tempDir();
    const run = runScript({}, ['--out', outDir]);
    expect(run.status).toBe(1);
    const missingLines = run.stderr.split('\n').filter((line) => line.startsWith('Missing settings:'));
    expect(missingLines).toEqual([`Missing settings: ${REQUIRED_SETTINGS.join(', ')}.`]);
    expect(readdirSync(outDir)).toEqual([]);
  });

  it('with every setting: exit code 0 and the zip where --out says', () => {
    const outDir = tempDir();
    const run = runScript({ ...ENV, APP_VERSION: '1.2.3' }, ['--out', outDir]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readdirSync(outDir)).toEqual(['baton-1.2.3.zip']);
    expect(run.stdout).toContain(join(outDir, 'baton-1.2.3.zip'));
  });

  it("validates against the repository's copy of the schema when TEAMS_MANIFEST_SCHEMA is not set", () => {
    expect(relative(PROJECT_ROOT, DEFAULT_SCHEMA_PATH).split(/[\\/]/)).toEqual([
      'appPackage',
      'schema',
      'teams-manifest-v1.30.schema.json',
    ]);
    expect(JSON.parse(readFileSync(DEFAULT_SCHEMA_PATH, 'utf8'))).toHaveProperty('$schema', 'http://json-schema.org/draft-04/schema#');
  });

  it('stops when the schema to validate against is not there, naming the setting', () => {
    expect(() => packageApp({ ...ENV, TEAMS_MANIFEST_SCHEMA: '/nowhere/schema.json' }, { outDir: tempDir() })).toThrow(
      /not at \/nowhere\/schema\.json \(set TEAMS_MANIFEST_SCHEMA/,
    );
  });
});
