/**
 * The Agents Toolkit project files (m365agents.yml, m365agents.local.yml)
 * and env templates: valid against the Toolkit's schema, every `${{NAME}}`
 * they read written by an earlier step or an env file, the manifest they
 * validate the one `npm run package` builds (and the zip they upload the one
 * it writes), and a deployment that ships what the Functions host runs.
 *
 * How the Toolkit treats placeholders (fx-core, @microsoft/m365agentstoolkit-cli 1.1.17):
 * in an action's `with` and `env`, an unset or empty variable stops the
 * lifecycle ("Unresolved placeholders"); in a parameters file or a manifest it
 * is left as its literal text. `arm/deploy` writes each template output to the
 * env file under its name in upper case; `writeToEnvironmentFile` names the
 * variables other actions write. https://aka.ms/teamsfx-actions
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import Ajv from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_PACKAGE_DIR, packageApp, placeholdersIn as manifestPlaceholders, REQUIRED_SETTINGS } from '../../scripts/package-app';
import { loadConfig, SETTING_NAMES } from '../../src/config';
import { graphSettingsProblems } from '../../src/graph';
import { PROJECT_ROOT } from '../../src/project';
import { sampleGuid } from './bicep';
import {
  devEnvironment,
  type EnvEntry,
  ignoreRules,
  isIgnored,
  LIFECYCLES,
  LOCAL_INPUTS,
  OPERATOR_INPUTS,
  parseEnvFile,
  placeholdersIn,
  PROJECTS,
  provisionedBy,
  read,
  type Step,
  template,
  TEMPLATE_PATH,
  TOOLKIT_FILLS,
  type ToolkitProject,
} from './files';

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const SCHEMA_FILE = 'infra/schema/m365agents-v1.11.yaml.schema.json';
const MANIFEST_TEMPLATE = read('appPackage/manifest.json');

const envFileOf = (env: string): Map<string, EnvEntry> => parseEnvFile(read(`env/.env.${env}`), `env/.env.${env}`);
const steps = (project: ToolkitProject) =>
  LIFECYCLES.flatMap((lifecycle) => (project[lifecycle] ?? []).map((step, index) => ({ lifecycle, index, step })));
const isPackageStep = (step: Step) => step.uses === 'cli/runNpmCommand' && step.with?.args === 'run package';
const at = (step: Step, key: string): string => {
  const value = step.with?.[key];
  if (typeof value !== 'string') throw new Error(`${step.uses} has no with.${key}`);
  return value;
};

/** What each step writes to the env file: writeToEnvironmentFile, and arm/deploy's template outputs. */
function written(step: Step): string[] {
  const names = Object.values(step.writeToEnvironmentFile ?? {});
  if (step.uses === 'arm/deploy') {
    const templates = (step.with?.templates ?? []) as Array<{ path: string }>;
    for (const t of templates) {
      expect(resolve(PROJECT_ROOT, t.path), 'the template the tests read').toBe(resolve(PROJECT_ROOT, TEMPLATE_PATH));
      names.push(...[...template.outputs.keys()].map((k) => k.toUpperCase()));
    }
  }
  return names;
}

/** Placeholders a step reads that must have a value: its `with` and `env`, and the manifest for the steps that fill it. */
function strictReads(step: Step): string[] {
  const names = [...placeholdersIn(step.with), ...placeholdersIn(step.env)];
  if (step.uses === 'teamsApp/validateManifest' || step.uses === 'teamsApp/zipAppPackage')
    names.push(...manifestPlaceholders(MANIFEST_TEMPLATE));
  return [...new Set(names)];
}

/** Placeholders of the parameters files an arm/deploy step passes on (empty ones stay literal). */
function parameterReads(step: Step): string[] {
  if (step.uses !== 'arm/deploy') return [];
  return ((step.with?.templates ?? []) as Array<{ parameters?: string }>).flatMap((t) =>
    t.parameters ? placeholdersIn(read(t.parameters)) : [],
  );
}

describe('the Toolkit project files', () => {
  const schema = JSON.parse(read(SCHEMA_FILE)) as { properties: { version: { const: string } } };
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

  for (const { file, env, project } of PROJECTS) {
    describe(file, () => {
      it("validates against the Toolkit's schema for its version", () => {
        expect(project.version).toBe(schema.properties.version.const);
        const header = read(file).split('\n')[0];
        expect(header).toBe(`# yaml-language-server: $schema=https://aka.ms/m365-agents-toolkits/${project.version}/yaml.schema.json`);
        const ok = validate(project);
        expect(ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`)).toEqual([]);
      });

      it(`reads its settings from env/.env.${env}`, () => {
        expect(resolve(PROJECT_ROOT, project.environmentFolderPath ?? '')).toBe(resolve(PROJECT_ROOT, 'env'));
        expect(envFileOf(env).get('TEAMSFX_ENV')?.value).toBe(env);
      });

      it('reads every ${{...}} from the env file, the Toolkit, or an earlier step', () => {
        const envFile = envFileOf(env);
        const hasAzure = steps(project).some(({ step }) => step.uses === 'arm/deploy');
        // Filled in the template (TEAMSFX_ENV, APP_VERSION...), or left for the operator in a "Yours" group.
        const fixed = [...envFile].filter(([, e]) => e.value !== '').map(([k]) => k);
        const required = [...envFile].filter(([, e]) => e.value === '' && /^# Yours\b/.test(e.section)).map(([k]) => k);
        const optional = [...envFile]
          .filter(([, e]) => e.value === '' && !/^# Yours\b/.test(e.section) && !/^# (Written by|Built-in)\b/.test(e.section))
          .map(([k]) => k);
        const toolkit = hasAzure ? Object.keys(TOOLKIT_FILLS) : [];
        const available = new Set([...fixed, ...required, ...toolkit]);
        const problems: string[] = [];
        for (const { lifecycle, index, step } of steps(project)) {
          const where = `${lifecycle}[${index}] ${step.uses}`;
          for (const name of strictReads(step)) {
            if (optional.includes(name)) problems.push(`${where} reads ${name}, which may be empty: the Toolkit would stop`);
            else if (!available.has(name)) problems.push(`${where} reads ${name}, which nothing before it writes`);
          }
          for (const name of parameterReads(step)) {
            const fromUserFile = name.startsWith('SECRET_') && read(`env/.env.${env}`).includes(`${name}=`);
            if (!available.has(name) && !optional.includes(name) && !fromUserFile)
              problems.push(`${where} passes ${name} to the template; no env file names it`);
          }
          for (const name of written(step)) available.add(name);
        }
        expect(problems).toEqual([]);
      });

      it(`writes every variable env/.env.${env} says provision or publish writes`, () => {
        const promised = [...envFileOf(env)].filter(([, e]) => /^# Written by\b/.test(e.section)).map(([k]) => k);
        const writes = new Set(steps(project).flatMap(({ step }) => written(step)));
        expect(promised.filter((name) => !writes.has(name))).toEqual([]);
        expect(
          [...writes].filter((name) => !envFileOf(env).has(name) && !name.startsWith('SECRET_')),
          'written, but not listed in the env template',
        ).toEqual([]);
      });
    });
  }
});

describe('the env templates', () => {
  for (const env of ['dev', 'local']) {
    it(`env/.env.${env} holds no value of any deployment, and no secret`, () => {
      const values = Object.fromEntries([...envFileOf(env)].filter(([, e]) => e.value !== '').map(([k, e]) => [k, e.value]));
      // Only the Toolkit's own names and the app version are filled in.
      expect(values).toEqual({ TEAMSFX_ENV: env, APP_NAME_SUFFIX: env, APP_VERSION: '1.0.0' });
      expect([...envFileOf(env).keys()].filter((k) => k.startsWith('SECRET_'))).toEqual([]);
    });
  }
});

/** Everything a project's steps can read once it is provisioned, with made-up values for what Azure and the Toolkit write. */
function provisionedEnvironment(env: string): Record<string, string> {
  const values: Record<string, string> = { ...Object.fromEntries([...envFileOf(env)].map(([k, e]) => [k, e.value])), ...OPERATOR_INPUTS };
  if (env === 'local') Object.assign(values, LOCAL_INPUTS);
  const project = PROJECTS.find((p) => p.env === env)!.project;
  for (const { step } of steps(project)) {
    for (const name of Object.values(step.writeToEnvironmentFile ?? {}))
      values[name] = name.startsWith('SECRET_') ? 'sample-secret' : sampleGuid(name);
    if (step.uses === 'arm/deploy') {
      const deployment = provisionedBy(devEnvironment());
      Object.assign(values, TOOLKIT_FILLS);
      for (const [name, output] of template.outputs) values[name.toUpperCase()] = String(deployment.evaluate(output.value));
    }
  }
  return values;
}

/** A step's `env`, its placeholders filled from `values`. */
function filledEnv(step: Step, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(step.env ?? {}).map(([k, v]) => [
      k,
      v.replace(/\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => values[name] ?? ''),
    ]),
  );
}

describe('the app package the Toolkit files validate and upload', () => {
  for (const { file, env, project } of PROJECTS) {
    describe(file, () => {
      const values = provisionedEnvironment(env);

      it('validates the manifest template npm run package fills (appPackage/manifest.json)', () => {
        const validations = steps(project).filter(({ step }) => step.uses === 'teamsApp/validateManifest');
        expect(validations.length).toBeGreaterThan(0);
        for (const { step } of validations)
          expect(resolve(PROJECT_ROOT, at(step, 'manifestPath'))).toBe(join(APP_PACKAGE_DIR, 'manifest.json'));
        expect(
          steps(project).filter(({ step }) => step.uses === 'teamsApp/zipAppPackage'),
          'the Toolkit zips no second package',
        ).toEqual([]);
      });

      it('passes npm run package exactly the settings scripts/package-app.ts reads', () => {
        const packaging = steps(project).filter(({ step }) => isPackageStep(step));
        expect(packaging.length).toBeGreaterThan(0);
        for (const { step } of packaging) {
          const names = Object.keys(step.env ?? {});
          expect(
            REQUIRED_SETTINGS.filter((s) => !names.includes(s)),
            'missing',
          ).toEqual([]);
          expect(
            names.filter(
              (s) => !(REQUIRED_SETTINGS as readonly string[]).includes(s) && s !== 'APP_VERSION' && s !== 'TEAMS_MANIFEST_SCHEMA',
            ),
            'not read by the packager',
          ).toEqual([]);
        }
      });

      it("fills the manifest for the Toolkit's check from the same variables as npm run package", () => {
        for (const lifecycle of LIFECYCLES) {
          const list = project[lifecycle] ?? [];
          for (const [i, step] of list.entries()) {
            if (step.uses !== 'teamsApp/validateManifest') continue;
            const packaging = list.slice(i).find(isPackageStep);
            expect(packaging, `${lifecycle}: npm run package after the manifest check`).toBeDefined();
            for (const name of manifestPlaceholders(MANIFEST_TEMPLATE)) {
              // The Toolkit fills ${{NAME}} from the variable NAME (or this step's env); the packager gets NAME from its step's env.
              const checked = step.env?.[name] ?? `\${{${name}}}`;
              expect(packaging!.env?.[name] ?? `\${{${name}}}`, `${lifecycle}: ${name}`).toBe(checked);
            }
          }
        }
      });

      it('uploads the zip npm run package writes, once it has written it', () => {
        const outDir = mkdtempSync(join(tmpdir(), 'baton-infra-'));
        made.push(outDir);
        for (const lifecycle of LIFECYCLES) {
          const list = project[lifecycle] ?? [];
          let expected: string | undefined;
          for (const step of list) {
            if (isPackageStep(step)) {
              // The real packager, with the step's settings: it must build, and its file name is what the next steps upload.
              const result = packageApp(filledEnv(step, values), { outDir });
              expected = join(APP_PACKAGE_DIR, 'build', basename(result.zipPath));
            }
            if (['teamsApp/validateAppPackage', 'teamsApp/update', 'teamsApp/publishAppPackage'].includes(step.uses)) {
              expect(expected, `${lifecycle}: ${step.uses} after npm run package`).toBeDefined();
              const path = at(step, 'appPackagePath').replace(
                /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g,
                (_, name: string) => values[name] ?? '',
              );
              expect(resolve(PROJECT_ROOT, path), `${lifecycle}: ${step.uses}`).toBe(expected);
            }
          }
        }
      });
    });
  }
});

describe('m365agents.yml deploy', () => {
  const deploy = PROJECTS[0].project.deploy ?? [];
  const indexOf = (predicate: (s: Step) => boolean, what: string) => {
    const i = deploy.findIndex(predicate);
    if (i < 0) throw new Error(`deploy has no step that ${what}`);
    return i;
  };
  const npm = (args: RegExp) => (s: Step) => s.uses === 'cli/runNpmCommand' && args.test(String(s.with?.args));

  it('installs, builds, keeps the production dependencies, zips with .funcignore, deploys, then restores the dev dependencies', () => {
    const order = [
      indexOf(npm(/^ci\b/), 'runs npm ci'),
      indexOf(npm(/^run build$/), 'builds'),
      indexOf(npm(/^prune --omit=dev\b/), 'prunes the dev dependencies'),
      indexOf((s) => s.uses === 'azureFunctions/zipDeploy', 'zips'),
      indexOf((s) => s.uses === 'script', 'deploys'),
      deploy.length - 1 - [...deploy].reverse().findIndex(npm(/^ci\b/)),
    ];
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(new Set(order).size).toBe(order.length);
  });

  it('zips the project root with .funcignore, and deploys that very zip to the provisioned Function App by One deploy', () => {
    const zip = deploy.find((s) => s.uses === 'azureFunctions/zipDeploy')!;
    expect(zip.with).toMatchObject({
      artifactFolder: '.',
      ignoreFile: '.funcignore',
      dryRun: true,
      resourceId: '${{BATON_FUNCTION_APP_RESOURCE_ID}}',
    });
    const script = at(deploy.find((s) => s.uses === 'script')!, 'run');
    expect(script).toMatch(/^az functionapp deployment source config-zip /);
    expect(script).toContain(`--src ${at(zip, 'outputZipFile')}`);
    expect(script).toContain('--name ${{BATON_FUNCTION_APP_NAME}}');
    expect(script).toContain('--resource-group ${{AZURE_RESOURCE_GROUP_NAME}}');
    expect(script).toContain('--subscription ${{AZURE_SUBSCRIPTION_ID}}');
  });

  describe('what .funcignore lets into the package', () => {
    const rules = ignoreRules(read('.funcignore'));
    // The Toolkit's zip step always leaves out .deployment (where it writes the zip).
    const ships = (path: string) => !path.startsWith('.deployment/') && !isIgnored(rules, path);

    it('ships what the Functions host runs: host.json, package.json (main), the build, the production dependencies', () => {
      const main = (JSON.parse(read('package.json')) as { main: string }).main;
      expect(main).toBe('dist/main.js');
      for (const path of [
        'host.json',
        'package.json',
        'dist/main.js',
        'node_modules/zod/package.json',
        'node_modules/@azure/functions/package.json',
      ]) {
        expect(ships(path), path).toBe(true);
      }
    });

    it('leaves out sources, tests, local settings, the app package and the zip itself', () => {
      for (const path of [
        'src/config.ts',
        'functions/messages.ts',
        'test/infra/bicep.ts',
        'scripts/package-app.ts',
        'local.settings.json',
        'appPackage/manifest.json',
        '.ci/run',
        'bench/run.ts',
        '.data/mailbox/x.eml',
        '.deployment/baton.zip',
        'node_modules/zod/index.d.ts',
      ]) {
        expect(ships(path), path).toBe(false);
      }
    });

    it('leaves out the repository, the env files (the .user ones hold secrets), the infrastructure and the docs', () => {
      for (const path of [
        '.git/HEAD',
        'env/.env.dev',
        'env/.env.dev.user',
        'infra/azure.bicep',
        'docs/deploy.md',
        'test-results/e2e/shot.png',
        'm365agents.yml',
        'm365agents.local.yml',
        '.localConfigs',
      ]) {
        expect(ships(path), path).toBe(false);
      }
    });
  });
});

describe('m365agents.local.yml deploy: .localConfigs', () => {
  const write = (PROJECTS[1].project.deploy ?? []).find((s) => s.uses === 'file/createOrUpdateEnvironmentFile')!;

  it("writes Baton's settings to .localConfigs, under the names src/config.ts reads", () => {
    expect(write.with?.target).toBe('./.localConfigs');
    const names = Object.keys(write.with?.envs as Record<string, unknown>);
    expect(names.filter((n) => !SETTING_NAMES.includes(n))).toEqual([]);
  });

  it('gives src/config.ts a bot and Graph it accepts', () => {
    const values = provisionedEnvironment('local');
    const envs = Object.fromEntries(
      Object.entries(write.with?.envs as Record<string, string>).map(([k, v]) => [
        k,
        String(v).replace(/\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, n: string) => values[n] ?? ''),
      ]),
    );
    const config = loadConfig(envs);
    expect(config.localMode).toBe(false);
    expect(graphSettingsProblems(config)).toEqual([]);
    expect(config.publicBaseUrl).toBe(`https://${LOCAL_INPUTS.BATON_PUBLIC_HOSTNAME!}`);
  });
});
