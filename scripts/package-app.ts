/**
 * `npm run package`: builds the Teams app package a tenant admin uploads.
 *
 * 1. Reads the settings below from the environment and validates them (zod);
 *    anything missing or malformed stops it with one message naming all of them.
 * 2. Fills every `${{NAME}}` placeholder in appPackage/manifest.json (the
 *    Teams Toolkit syntax) and fails if one is left.
 * 3. Validates the result against the Teams manifest schema v1.30.
 * 4. Writes appPackage/build/baton-<version>.zip with exactly manifest.json,
 *    color.png and outline.png at its root.
 *
 * Settings:
 *   BOT_ID                 the bot's Microsoft App ID (Entra app registration), a GUID
 *   TEAMS_APP_ID           the Teams app's own id, a GUID; keep it for every update of the app
 *   BATON_PUBLIC_HOSTNAME  host name of the Baton deployment, e.g. baton.contoso.com (no https://, path or port)
 *   DEVELOPER_NAME         the publisher's name shown in Teams, at most 32 characters
 *   DEVELOPER_WEBSITE      https:// URL of the publisher's website
 *   PRIVACY_URL            https:// URL of the privacy statement
 *   TERMS_URL              https:// URL of the terms of use
 *   APP_VERSION            optional; MAJOR.MINOR.PATCH, defaults to package.json's version
 *   TEAMS_MANIFEST_SCHEMA  optional; path of another copy of the v1.30 schema, defaults to the
 *                          repository's appPackage/schema/teams-manifest-v1.30.schema.json
 *
 * Options: `--out <dir>` writes the zip somewhere else than appPackage/build/.
 *
 * Example: BOT_ID=... TEAMS_APP_ID=... npm run package
 *          npx tsx --env-file=.env.production scripts/package-app.ts
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import type { ValidateFunction } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import { z } from 'zod';
import { ASSETS, PROJECT_ROOT } from '../src/project';

export { PROJECT_ROOT };
export const APP_PACKAGE_DIR = join(PROJECT_ROOT, 'appPackage');
/** The repository's copy of the schema; appPackage/schema/ stays out of the zip, which takes only {@link PACKAGE_FILES}. */
export const DEFAULT_SCHEMA_PATH = ASSETS.manifestSchema;
/** The files of the package, in the order they go into the zip. */
export const PACKAGE_FILES = ['manifest.json', 'color.png', 'outline.png'] as const;

const blankIsUnset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const required = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' ? blankIsUnset(v.trim()) : v), schema);
const httpsUrl = z.url({ protocol: /^https$/, message: 'must be an https:// URL' }).max(2048);

/** The manifest schema's GUID pattern (definitions.guid); zod's uuid() would also demand an RFC version nibble. */
const guid = z.string().regex(/^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/, 'must be a GUID (8-4-4-4-12 hex digits)');
/** Teams wants MAJOR.MINOR.PATCH with no pre-release or build part (the schema's definitions.semver). */
const semver = z
  .string()
  .regex(/^([0-9]|[1-9]+[0-9]*)\.([0-9]|[1-9]+[0-9]*)\.([0-9]|[1-9]+[0-9]*)$/, 'must be MAJOR.MINOR.PATCH, e.g. 1.0.0');
/**
 * Link unfurling and validDomains take a bare domain: no scheme, path or port
 * (msteams-docs messaging-extensions/how-to/link-unfurling.md).
 */
const hostname = z
  .string()
  .max(253)
  .regex(
    /^(?=[^.]{1,63}(\.|$))([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i,
    'must be a bare host name such as baton.contoso.com (no https://, path or port)',
  );

const settingsSchema = z.object({
  BOT_ID: required(guid),
  TEAMS_APP_ID: required(guid),
  BATON_PUBLIC_HOSTNAME: required(hostname),
  DEVELOPER_NAME: required(z.string().max(32, 'must be at most 32 characters')),
  DEVELOPER_WEBSITE: required(httpsUrl),
  PRIVACY_URL: required(httpsUrl),
  TERMS_URL: required(httpsUrl),
  APP_VERSION: required(semver.optional()),
  TEAMS_MANIFEST_SCHEMA: required(z.string().optional()),
});

export type PackageSettings = z.infer<typeof settingsSchema>;

/** The settings the package cannot be built without (APP_VERSION and TEAMS_MANIFEST_SCHEMA have defaults). */
export const REQUIRED_SETTINGS = [
  'BOT_ID',
  'TEAMS_APP_ID',
  'BATON_PUBLIC_HOSTNAME',
  'DEVELOPER_NAME',
  'DEVELOPER_WEBSITE',
  'PRIVACY_URL',
  'TERMS_URL',
] as const;

export class PackageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageError';
  }
}

/**
 * Validates the settings. Every missing and every malformed setting is
 * reported in one {@link PackageError}, so one run tells the whole story.
 */
export function readSettings(env: Record<string, string | undefined>): PackageSettings {
  const missing = REQUIRED_SETTINGS.filter((name) => (env[name] ?? '').trim() === '');
  const parsed = settingsSchema.safeParse(env);
  const malformed = parsed.success
    ? []
    : parsed.error.issues
        .filter((issue) => !missing.includes(String(issue.path[0]) as (typeof REQUIRED_SETTINGS)[number]))
        .map((issue) => `  - ${issue.path.join('.')} ${issue.message}`);
  if (missing.length === 0 && malformed.length === 0 && parsed.success) return parsed.data;
  const lines = ['Cannot build the Teams app package.'];
  if (missing.length > 0) lines.push(`Missing settings: ${missing.join(', ')}.`);
  if (malformed.length > 0) lines.push('Invalid settings:', ...malformed);
  lines.push('Set them in the environment (see the top of scripts/package-app.ts for what each one is).');
  throw new PackageError(lines.join('\n'));
}

/** The version in package.json, the default for APP_VERSION. */
export function packageJsonVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new PackageError('package.json has no version');
  return pkg.version;
}

/** Placeholder values for the manifest, by placeholder name. */
export function placeholderValues(settings: PackageSettings, defaultVersion = packageJsonVersion()): Record<string, string> {
  return {
    BOT_ID: settings.BOT_ID,
    TEAMS_APP_ID: settings.TEAMS_APP_ID,
    BATON_PUBLIC_HOSTNAME: settings.BATON_PUBLIC_HOSTNAME.toLowerCase(),
    APP_VERSION: settings.APP_VERSION ?? defaultVersion,
    DEVELOPER_NAME: settings.DEVELOPER_NAME,
    DEVELOPER_WEBSITE: settings.DEVELOPER_WEBSITE,
    PRIVACY_URL: settings.PRIVACY_URL,
    TERMS_URL: settings.TERMS_URL,
  };
}

const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The names of the `${{NAME}}` placeholders in a template, each once, in order of appearance. */
export function placeholdersIn(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

/**
 * Fills the `${{NAME}}` placeholders of a manifest template and parses it.
 * Values are JSON-escaped, so a quote in a name cannot break the JSON.
 * Throws {@link PackageError} when a placeholder has no value or anything
 * that looks like a placeholder survives.
 */
export function fillManifest(template: string, values: Readonly<Record<string, string>>): Record<string, unknown> {
  const unknown = placeholdersIn(template).filter((name) => !Object.hasOwn(values, name));
  if (unknown.length > 0) throw new PackageError(`The manifest uses placeholders with no value: ${unknown.join(', ')}`);
  const filled = template.replace(PLACEHOLDER, (_, name: string) => JSON.stringify(values[name]).slice(1, -1));
  const leftover = filled.match(/\$\{\{[^}]*\}\}?/g);
  if (leftover) throw new PackageError(`Placeholders left in the manifest: ${[...new Set(leftover)].join(', ')}`);
  const manifest: unknown = JSON.parse(filled);
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) throw new PackageError('The manifest is not a JSON object');
  return manifest as Record<string, unknown>;
}

const validators = new Map<string, ValidateFunction>();

/** Compiles the draft-04 manifest schema once per path. */
function manifestValidator(schemaPath: string): ValidateFunction {
  const cached = validators.get(schemaPath);
  if (cached) return cached;
  if (!existsSync(schemaPath))
    throw new PackageError(`The Teams manifest schema is not at ${schemaPath} (set TEAMS_MANIFEST_SCHEMA to its path)`);
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as object;
  // strict: false because the schema also uses keywords newer than draft-04 (if/then) in parts Baton does not use.
  const ajv = new AjvDraft04({ strict: false, allErrors: true });
  // The one format the schema uses, checked rather than ignored.
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:[^\s]*$/i);
  const validate = ajv.compile(schema);
  validators.set(schemaPath, validate);
  return validate;
}

/**
 * Validates a manifest against the Teams manifest schema v1.30.
 * @returns one line per problem (JSON pointer and message); empty when valid
 */
export function validateManifest(manifest: unknown, schemaPath = DEFAULT_SCHEMA_PATH): string[] {
  const validate = manifestValidator(schemaPath);
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map((e) => {
    const extra =
      e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: unknown }).additionalProperty)})` : '';
    return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`;
  });
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE), as zip and PNG use it. Node's zlib.crc32 only exists from 20.15. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface ZipEntry {
  name: string;
  data: Buffer;
}

/** MS-DOS date 1980-01-01 00:00: a fixed timestamp makes the same inputs give the same zip bytes. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/**
 * A zip archive (PKWARE APPNOTE 6.3: local headers, central directory, end
 * record; no zip64, no data descriptors). Each entry is deflated, or stored
 * when deflate does not make it smaller (PNGs are already compressed).
 */
export function buildZip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    if (!/^[\x20-\x7e]+$/.test(entry.name) || entry.name.includes('\\'))
      throw new PackageError(`Zip entry names must be plain ASCII with forward slashes: ${entry.name}`);
    const name = Buffer.from(entry.name, 'ascii');
    const deflated = deflateRawSync(entry.data, { level: 9 });
    const method = deflated.length < entry.data.length ? 8 : 0;
    const body = method === 8 ? deflated : entry.data;
    const crc = crc32(entry.data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0, 6); // flags
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // extra field length
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0, so the mode below is read
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    // extra, comment, disk number start, internal attributes: all 0
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

export interface PackageResult {
  zipPath: string;
  manifest: Record<string, unknown>;
  zip: Buffer;
}

/** Builds the package from an environment: settings, filled and validated manifest, zip on disk. */
export function packageApp(env: Record<string, string | undefined>, options: { outDir?: string } = {}): PackageResult {
  const settings = readSettings(env);
  const template = readFileSync(join(APP_PACKAGE_DIR, 'manifest.json'), 'utf8');
  const manifest = fillManifest(template, placeholderValues(settings));
  const problems = validateManifest(
    manifest,
    settings.TEAMS_MANIFEST_SCHEMA ? resolve(settings.TEAMS_MANIFEST_SCHEMA) : DEFAULT_SCHEMA_PATH,
  );
  if (problems.length > 0)
    throw new PackageError(
      `The filled manifest does not match the Teams manifest schema v1.30:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );

  const entries: ZipEntry[] = PACKAGE_FILES.map((name) => ({
    name,
    data:
      name === 'manifest.json' ? Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') : readFileSync(join(APP_PACKAGE_DIR, name)),
  }));
  const zip = buildZip(entries);
  const outDir = options.outDir ? (isAbsolute(options.outDir) ? options.outDir : resolve(options.outDir)) : join(APP_PACKAGE_DIR, 'build');
  mkdirSync(outDir, { recursive: true });
  const zipPath = join(outDir, `baton-${String(manifest.version)}.zip`);
  writeFileSync(zipPath, zip);
  return { zipPath, manifest, zip };
}

function main(argv: readonly string[]): void {
  const outAt = argv.indexOf('--out');
  const outDir = outAt >= 0 ? argv[outAt + 1] : undefined;
  if (outAt >= 0 && !outDir) throw new PackageError('--out needs a directory');
  const result = packageApp(process.env, { outDir });
  console.log(
    `Wrote ${result.zipPath} (${result.zip.length} bytes): upload it in Teams (Apps > Manage your apps > Upload an app) or the Teams admin center.`,
  );
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof PackageError ? error.message : error);
    process.exitCode = 1;
  }
}
