/**
 * The manifest template, filled from settings, against the Teams manifest
 * schema v1.30 and the rules the Teams docs add on top of it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { describe, expect, it, vi } from 'vitest';
import {
  fillManifest,
  PackageError,
  packageJsonVersion,
  placeholdersIn,
  placeholderValues,
  readSettings,
  REQUIRED_SETTINGS,
  validateManifest,
} from '../../scripts/package-app';
import { ENV, type Manifest, SCHEMA_PATH, TEMPLATE, TEMPLATE_JSON } from './support';

const filled = () => fillManifest(TEMPLATE, placeholderValues(readSettings(ENV))) as Manifest;
const clone = <T>(value: T): T => structuredClone(value);

describe('the filled manifest', () => {
  it('validates against the Teams manifest schema v1.30', () => {
    expect(validateManifest(filled(), SCHEMA_PATH)).toEqual([]);
  });

  it('keeps no placeholder and puts each setting where it belongs', () => {
    const manifest = filled();
    expect(JSON.stringify(manifest)).not.toMatch(/\$\{\{/);
    expect(manifest.id).toBe(ENV.TEAMS_APP_ID);
    expect(manifest.version).toBe(packageJsonVersion());
    expect(manifest.developer).toEqual({
      name: ENV.DEVELOPER_NAME,
      websiteUrl: ENV.DEVELOPER_WEBSITE,
      privacyUrl: ENV.PRIVACY_URL,
      termsOfUseUrl: ENV.TERMS_URL,
    });
    expect(manifest.bots[0]!.botId).toBe(ENV.BOT_ID);
    expect(manifest.composeExtensions[0]!.botId).toBe(ENV.BOT_ID);
    expect(manifest.composeExtensions[0]!.messageHandlers).toEqual([{ type: 'link', value: { domains: [ENV.BATON_PUBLIC_HOSTNAME] } }]);
    expect(manifest.validDomains).toEqual([ENV.BATON_PUBLIC_HOSTNAME]);
  });

  it('takes APP_VERSION when it is set, and lower-cases the host name', () => {
    const manifest = fillManifest(
      TEMPLATE,
      placeholderValues(readSettings({ ...ENV, APP_VERSION: '2.10.3', BATON_PUBLIC_HOSTNAME: 'Baton.Contoso.Example' })),
    ) as Manifest;
    expect(manifest.version).toBe('2.10.3');
    expect(manifest.validDomains).toEqual(['baton.contoso.example']);
  });

  it('escapes values, so a quote or backslash in a setting cannot break the JSON', () => {
    const manifest = fillManifest(TEMPLATE, placeholderValues(readSettings({ ...ENV, DEVELOPER_NAME: 'Contoso "R\\D"' }))) as Manifest;
    expect(manifest.developer.name).toBe('Contoso "R\\D"');
    expect(validateManifest(manifest, SCHEMA_PATH)).toEqual([]);
  });
});

describe('the schema check rejects what Teams would reject', () => {
  const cases: Array<[string, (m: Manifest) => void, RegExp]> = [
    [
      'the bot without its botId',
      (m) => delete (m.bots[0] as Partial<Manifest['bots'][number]>).botId,
      /^\/bots\/0 must have required property 'botId'/,
    ],
    [
      'a short description over 80 characters',
      (m) => (m.description.short = 'x'.repeat(81)),
      /^\/description\/short must NOT have more than 80 characters/,
    ],
    [
      'a full description over 4000 characters',
      (m) => (m.description.full = 'x'.repeat(4001)),
      /^\/description\/full must NOT have more than 4000 characters/,
    ],
    ['another manifest version', (m) => (m.manifestVersion = '1.29'), /^\/manifestVersion must be equal to constant/],
    ['an app id that is not a GUID', (m) => (m.id = 'baton'), /^\/id must match pattern/],
    ['an accent colour that is not #rrggbb', (m) => (m.accentColor = 'teal'), /^\/accentColor must match pattern/],
    [
      'a bot scope Teams does not know',
      (m) => m.bots[0]!.scopes.push('meetings'),
      /^\/bots\/0\/scopes\/3 must be equal to one of the allowed values/,
    ],
    [
      'a message handler that is not a link handler',
      (m) => (m.composeExtensions[0]!.messageHandlers[0]!.type = 'file'),
      /^\/composeExtensions\/0\/messageHandlers\/0\/type must be equal to one of the allowed values/,
    ],
    ['a property the schema does not have', (m) => (m.tabs = []), /^\/ must NOT have additional properties \(tabs\)/],
  ];

  it.each(cases)('%s', (_, breakIt, expected) => {
    const manifest = clone(filled());
    breakIt(manifest);
    const errors = validateManifest(manifest, SCHEMA_PATH);
    expect(
      errors.some((e) => expected.test(e)),
      errors.join('\n'),
    ).toBe(true);
  });

  it('rejects a placeholder left unfilled where a GUID belongs', () => {
    expect(validateManifest(TEMPLATE_JSON, SCHEMA_PATH)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/id must match pattern/),
        expect.stringMatching(/^\/bots\/0\/botId must match pattern/),
      ]),
    );
  });
});

describe('placeholders', () => {
  it('are exactly the settings package-app fills, so every per-environment value is one', () => {
    expect(placeholdersIn(TEMPLATE).sort()).toEqual(Object.keys(placeholderValues(readSettings(ENV))).sort());
  });

  it('with no value stop the fill and are named', () => {
    expect(() => fillManifest('{"id": "${{TEAMS_APP_ID}}", "x": "${{NOT_A_SETTING}}"}', { TEAMS_APP_ID: ENV.TEAMS_APP_ID })).toThrow(
      new PackageError('The manifest uses placeholders with no value: NOT_A_SETTING'),
    );
  });

  it('that are malformed or arrive inside a value are caught as left over', () => {
    expect(() => fillManifest('{"id": "${{ bad-name }}"}', {})).toThrow(/Placeholders left in the manifest: \$\{\{ bad-name \}\}/);
    expect(() => fillManifest('{"name": "${{DEVELOPER_NAME}}"}', { DEVELOPER_NAME: '${{BOT_ID}}' })).toThrow(
      /Placeholders left in the manifest: \$\{\{BOT_ID\}\}/,
    );
  });
});

describe('settings', () => {
  it('all missing: one error that names every required setting', () => {
    let error: unknown;
    try {
      readSettings({});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PackageError);
    const message = (error as Error).message;
    expect(message).toContain(`Missing settings: ${REQUIRED_SETTINGS.join(', ')}.`);
    expect(REQUIRED_SETTINGS).toEqual([
      'BOT_ID',
      'TEAMS_APP_ID',
      'BATON_PUBLIC_HOSTNAME',
      'DEVELOPER_NAME',
      'DEVELOPER_WEBSITE',
      'PRIVACY_URL',
      'TERMS_URL',
    ]);
    // Optional settings have defaults and are not reported.
    expect(message).not.toMatch(/APP_VERSION|TEAMS_MANIFEST_SCHEMA/);
  });

  it('some missing, some blank, some malformed: all reported together, the good ones not', () => {
    const env = {
      ...ENV,
      TEAMS_APP_ID: undefined,
      TERMS_URL: '  ',
      BOT_ID: 'not-a-guid',
      PRIVACY_URL: 'http://contoso.example/privacy',
      BATON_PUBLIC_HOSTNAME: 'https://baton.contoso.example/',
      APP_VERSION: '1.0',
    };
    expect(() => readSettings(env)).toThrow(PackageError);
    const message = (() => {
      try {
        readSettings(env);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toContain('Missing settings: TEAMS_APP_ID, TERMS_URL.');
    expect(message).toContain('BOT_ID must be a GUID');
    expect(message).toContain('PRIVACY_URL must be an https:// URL');
    expect(message).toContain('BATON_PUBLIC_HOSTNAME must be a bare host name');
    expect(message).toContain('APP_VERSION must be MAJOR.MINOR.PATCH');
    expect(message).not.toMatch(/DEVELOPER_NAME|DEVELOPER_WEBSITE/);
  });

  it('a developer name longer than Teams shows (32) is refused', () => {
    expect(() => readSettings({ ...ENV, DEVELOPER_NAME: 'x'.repeat(33) })).toThrow(/DEVELOPER_NAME must be at most 32 characters/);
  });
});

describe('rules from the Teams docs that the schema does not check', () => {
  const m = TEMPLATE_JSON;

  it('short and full names differ, and the full description does not repeat the short one', () => {
    // msteams-docs resources/schema/manifest-schema.md, "name" and "description".
    expect(m.name.full).not.toBe(m.name.short);
    expect(m.description.full).not.toContain(m.description.short);
  });

  it('the bot works in personal chat, group chat and channels, with no file support', () => {
    expect([...m.bots[0]!.scopes].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(m.bots[0]!.supportsFiles).toBe(false);
    expect(m.bots[0]!.commandLists.flatMap((list) => list.scopes).sort()).toEqual(['groupChat', 'personal', 'team']);
  });

  it("the action command opens a dialog from the compose box and from a message; its parameters are Copilot's to prefill it", () => {
    // define-action-command.md: commandBox cannot post a bot message. bot-based-action-plugin.md ("Actions in Copilot"):
    // the action command's parameters are what Copilot extracts from a prompt, sent to a fetchTask dialog as taskParameters.
    const action = m.composeExtensions[0]!.commands.find((c) => c.id === 'createHandoff');
    expect(action).toMatchObject({ type: 'action', title: 'Create handoff', fetchTask: true });
    expect([...(action?.context ?? [])].sort()).toEqual(['compose', 'message']);
    expect(action?.parameters?.map((p) => p.name)).toEqual(['summary', 'receiver', 'whatIsReady', 'neededBy']);
  });

  it('the search command runs at once and takes a query parameter', () => {
    const search = m.composeExtensions[0]!.commands.find((c) => c.id === 'findHandoffs');
    expect(search).toMatchObject({ type: 'query', initialRun: true });
    expect(search?.parameters?.map((p) => p.name)).toEqual(['query']);
  });

  it('every command and parameter describes itself for Microsoft 365 Copilot, as the guidelines for agents ask', () => {
    // dev-guidelines-copilot-agents.md: semanticDescription on commands (up to 5,000 characters) and parameters (2,000);
    // samplePrompts is mandatory for app validation (1 to 5, each up to 128); no URLs, emojis, hidden characters or
    // instructional phrases ("if the user says", "ignore", "delete", "reset", "new instructions") [Must fix].
    const commands = m.composeExtensions[0]!.commands;
    expect(commands[0]!.type).toBe('query');
    const forbidden =
      /https?:|www\.|if the user says|ignore|delete|reset|new instructions|answer in bold|don't print|[\u{1F300}-\u{1FAFF}\u200b-\u200f\u2060]/iu;
    for (const command of commands) {
      expect(command.description?.length, command.id).toBeGreaterThan(0);
      expect(command.semanticDescription?.length, command.id).toBeGreaterThan(command.description!.length);
      expect(command.semanticDescription!.length).toBeLessThanOrEqual(5000);
      expect(command.semanticDescription).not.toMatch(forbidden);
      expect(command.samplePrompts?.length, command.id).toBeGreaterThanOrEqual(1);
      expect(command.samplePrompts!.length).toBeLessThanOrEqual(5);
      for (const prompt of command.samplePrompts!) expect(prompt.text.length).toBeLessThanOrEqual(128);
      for (const parameter of command.parameters ?? []) {
        expect(parameter.description?.length, parameter.name).toBeGreaterThan(0);
        expect(parameter.semanticDescription?.length, parameter.name).toBeGreaterThan(0);
        expect(parameter.semanticDescription!.length).toBeLessThanOrEqual(2000);
        expect(parameter.semanticDescription).not.toMatch(forbidden);
      }
    }
  });

  it("passes Microsoft's own validator, @microsoft/app-manifest, offline", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-manifest-'));
    try {
      const file = join(dir, 'manifest.json');
      writeFileSync(file, JSON.stringify(filled()));
      // The package maps the manifest's $schema to the copy of the v1.30 schema it carries: nothing is fetched
      // (it fetches with globalThis.fetch, which fails the test here).
      const fetched = vi.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('no network in this test'));
      const [read, errors] = await AppManifestUtils.readAndValidateTeamsManifest(file);
      expect(errors).toEqual([]);
      expect(read.manifestVersion).toBe('1.30');
      const broken = clone(filled()) as Manifest & { composeExtensions: { commands: { samplePrompts?: { text: string }[] }[] }[] };
      broken.composeExtensions[0]!.commands[0]!.samplePrompts = [{ text: 'x'.repeat(129) }];
      writeFileSync(file, JSON.stringify(broken));
      expect((await AppManifestUtils.readAndValidateTeamsManifest(file))[1]).toEqual([
        expect.stringMatching(/^\/composeExtensions\/0\/commands\/0\/samplePrompts\/0\/text must NOT have more than 128 characters/),
      ]);
      expect(fetched).not.toHaveBeenCalled();
    } finally {
      vi.restoreAllMocks();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the icons are the two files of the package', () => {
    expect(m.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
  });
});
