/**
 * The deployment's files as the infra tests read them: the Bicep template
 * (through ./bicep), its parameters file, the Agents Toolkit project files
 * (with the `yaml` package) and the env templates (by hand, as the Toolkit's
 * dotenv reader does), plus the Toolkit's rules for `${{NAME}}` placeholders.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PROJECT_ROOT } from '../../src/project';
import { type BicepFile, Evaluator, parseBicep, property } from './bicep';

export const read = (relativePath: string): string => readFileSync(join(PROJECT_ROOT, relativePath), 'utf8');

export const TEMPLATE_PATH = 'infra/azure.bicep';
export const PARAMETERS_PATH = 'infra/azure.parameters.json';

export const template: BicepFile = parseBicep(read(TEMPLATE_PATH));

export interface ParametersFile {
  $schema: string;
  contentVersion: string;
  parameters: Record<string, { value?: unknown; reference?: unknown }>;
}

export const parametersFile = JSON.parse(read(PARAMETERS_PATH)) as ParametersFile;

// ---------------------------------------------------------------- placeholders

const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The `${{NAME}}` names in a value (strings inside objects and arrays too), each once. */
export function placeholdersIn(value: unknown): string[] {
  const found = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') for (const m of v.matchAll(PLACEHOLDER)) found.add(m[1]!);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return [...found];
}

/**
 * Fills placeholders the way the Toolkit fills a parameters file or a
 * manifest (fx-core's expandEnvironmentVariable): a variable that is unset
 * or empty stays as its literal `${{NAME}}` text (APP_NAME_SUFFIX may be empty).
 */
export function expandLikeTheToolkit(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = env[name];
    if (name === 'APP_NAME_SUFFIX') return value ?? whole;
    return value ? value : whole;
  });
}

// ---------------------------------------------------------------- env files

export interface EnvEntry {
  value: string;
  /** The last comment line above the entry's group, e.g. "# Written by provision ..." */
  section: string;
}

/**
 * Reads a .env file: `NAME=value` lines, `#` comments, blank lines. Quotes
 * around a value are removed. Anything else is an error, so a typo cannot
 * hide a setting.
 */
export function parseEnvFile(text: string, what: string): Map<string, EnvEntry> {
  const entries = new Map<string, EnvEntry>();
  let section = '';
  let lastComment = '';
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') {
      lastComment = '';
      return;
    }
    if (line.startsWith('#')) {
      // The first comment line of a block names the group below it.
      if (lastComment === '') section = line;
      lastComment = line;
      return;
    }
    const match = line.match(/^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/);
    if (!match) throw new Error(`${what}:${index + 1} is not NAME=value: ${raw}`);
    const name = match[1]!;
    if (entries.has(name)) throw new Error(`${what}:${index + 1} sets ${name} a second time`);
    let value = match[2]!.trim();
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    entries.set(name, { value, section });
  });
  return entries;
}

// ---------------------------------------------------------------- Toolkit project files

export interface Step {
  uses: string;
  name?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  writeToEnvironmentFile?: Record<string, string>;
}

export interface ToolkitProject {
  version: string;
  environmentFolderPath?: string;
  provision?: Step[];
  deploy?: Step[];
  publish?: Step[];
}

export const LIFECYCLES = ['provision', 'deploy', 'publish'] as const;

/** A project file as the Toolkit reads it (YAML; comments are not content). */
export function readProject(relativePath: string): ToolkitProject {
  return parseYaml(read(relativePath)) as ToolkitProject;
}

/** The project files and the environment each one runs with. */
export const PROJECTS = [
  { file: 'm365agents.yml', env: 'dev', project: readProject('m365agents.yml') },
  { file: 'm365agents.local.yml', env: 'local', project: readProject('m365agents.local.yml') },
] as const;

// ---------------------------------------------------------------- the deployment, pictured

/** Made-up values for what an operator puts in env/.env.dev, so a deployment can be pictured. */
export const OPERATOR_INPUTS: Readonly<Record<string, string>> = {
  MAIL_SENDER: 'baton@contoso.example',
  DEVELOPER_NAME: 'Contoso Ltd',
  DEVELOPER_WEBSITE: 'https://contoso.example/baton',
  PRIVACY_URL: 'https://contoso.example/privacy',
  TERMS_URL: 'https://contoso.example/terms',
};

/** ...and what a developer adds in env/.env.local: the tunnel. */
export const LOCAL_INPUTS: Readonly<Record<string, string>> = {
  BOT_ENDPOINT: 'https://baton-7071.euw.devtunnels.example',
  BATON_PUBLIC_HOSTNAME: 'baton-7071.euw.devtunnels.example',
};

/** What the Toolkit makes up or asks for on the first provision of a project with Azure actions. */
export const TOOLKIT_FILLS: Readonly<Record<string, string>> = {
  RESOURCE_SUFFIX: '1a2b3c',
  AZURE_SUBSCRIPTION_ID: '00000000-0000-4000-8000-0000000000aa',
  AZURE_RESOURCE_GROUP_NAME: 'rg-baton-dev',
};

/**
 * The template's parameters as `arm/deploy` passes them: the parameters
 * file with its placeholders filled from `env` the Toolkit's way.
 */
export function parametersFrom(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const expanded = JSON.parse(expandLikeTheToolkit(read(PARAMETERS_PATH), env)) as ParametersFile;
  return Object.fromEntries(Object.entries(expanded.parameters).map(([name, p]) => [name, p.value]));
}

/** The values of env/.env.dev, with the operator's inputs and what the Toolkit fills. */
export function devEnvironment(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const file = parseEnvFile(read('env/.env.dev'), 'env/.env.dev');
  return { ...Object.fromEntries([...file].map(([k, e]) => [k, e.value])), ...TOOLKIT_FILLS, ...OPERATOR_INPUTS, ...extra };
}

/** The deployment of the template that `atk provision --env dev` makes with this environment. */
export function provisionedBy(env: Readonly<Record<string, string>>): Evaluator {
  return new Evaluator(template, {
    params: parametersFrom(env),
    subscriptionId: env.AZURE_SUBSCRIPTION_ID,
    resourceGroup: env.AZURE_RESOURCE_GROUP_NAME,
  });
}

/** The Function App's app settings in a deployment. */
export function appSettingsOf(deployment: Evaluator): Record<string, unknown> {
  const config = [...template.resources.values()].filter(
    (r) => r.type === 'Microsoft.Web/sites/config' && deployment.evaluate(property(r.body, 'name')) === 'appsettings',
  );
  if (config.length !== 1) throw new Error(`expected one Microsoft.Web/sites/config 'appsettings' resource, found ${config.length}`);
  const settings = deployment.evaluate(property(config[0]!.body, 'properties'));
  if (!settings || typeof settings !== 'object') throw new Error('the appsettings resource has no properties');
  return settings as Record<string, unknown>;
}

/** The symbols of the template's resources of a type. */
export function resourcesOfType(type: string): string[] {
  return [...template.resources.values()].filter((r) => r.type === type).map((r) => r.symbol);
}

// ---------------------------------------------------------------- ignore files

interface IgnoreRule {
  pattern: string;
  negate: boolean;
  directoryOnly: boolean;
  regex: RegExp;
}

/**
 * An ignore file (.funcignore) as the Toolkit's zip step reads it: the `ignore`
 * package's gitignore rules (https://git-scm.com/docs/gitignore): `#` comments,
 * `!` to re-include, a trailing `/` for directories, a `/` elsewhere anchors to
 * the root, `*` and `?` within a name, `**` across folders.
 */
export function ignoreRules(text: string): IgnoreRule[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      let pattern = negate ? line.slice(1) : line;
      const directoryOnly = pattern.endsWith('/');
      if (directoryOnly) pattern = pattern.slice(0, -1);
      const anchored = pattern.includes('/');
      if (pattern.startsWith('/')) pattern = pattern.slice(1);
      const glob = pattern
        .split(/(\*\*\/|\/\*\*|\*\*|\*|\?)/)
        .map((part) => {
          if (part === '**/') return '(?:.*/)?';
          if (part === '/**') return '/.*';
          if (part === '**') return '.*';
          if (part === '*') return '[^/]*';
          if (part === '?') return '[^/]';
          return part.replace(/[.+^${}()|[\]\\]/g, '\\$&');
        })
        .join('');
      return { pattern: line, negate, directoryOnly, regex: new RegExp(anchored ? `^${glob}$` : `^(?:.*/)?${glob}$`) };
    });
}

/** Whether a file (a path relative to the root, with /) is left out: it, or a folder above it, matches last a rule that is not `!`. */
export function isIgnored(rules: readonly IgnoreRule[], path: string): boolean {
  const matches = (candidate: string, directory: boolean) => {
    let ignored = false;
    for (const rule of rules) if ((!rule.directoryOnly || directory) && rule.regex.test(candidate)) ignored = !rule.negate;
    return ignored;
  };
  const parts = path.split('/');
  // A file under an ignored folder cannot be re-included (gitignore, and the `ignore` package).
  for (let i = 1; i < parts.length; i += 1) if (matches(parts.slice(0, i).join('/'), true)) return true;
  return matches(path, false);
}
