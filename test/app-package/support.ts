/** Settings and files shared by the app package tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_PACKAGE_DIR } from '../../scripts/package-app';
import { ASSETS } from '../../src/project';

/** The repository's copy of the Teams manifest schema v1.30 (appPackage/schema/README.md names its source). */
export const SCHEMA_PATH = ASSETS.manifestSchema;

/** A complete, valid set of settings for one deployment; TEAMS_MANIFEST_SCHEMA is left out so the script's default is what is tested. */
export const ENV = {
  BOT_ID: '6b1f3c2e-8d4a-4f6b-9c1d-2e3f4a5b6c7d',
  TEAMS_APP_ID: 'f0e1d2c3-b4a5-4968-8776-655443322110',
  BATON_PUBLIC_HOSTNAME: 'baton.contoso.example',
  DEVELOPER_NAME: 'Contoso Ltd',
  DEVELOPER_WEBSITE: 'https://contoso.example/baton',
  PRIVACY_URL: 'https://contoso.example/privacy',
  TERMS_URL: 'https://contoso.example/terms',
} as const;

export const TEMPLATE = readFileSync(join(APP_PACKAGE_DIR, 'manifest.json'), 'utf8');

/** The manifest template as JSON, placeholders and all. */
export const TEMPLATE_JSON = JSON.parse(TEMPLATE) as Manifest;

/** The parts of a manifest the tests read. */
export interface Manifest {
  [key: string]: unknown;
  version: string;
  id: string;
  accentColor: string;
  name: { short: string; full: string };
  description: { short: string; full: string };
  developer: { name: string; websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
  icons: { color: string; outline: string };
  bots: Array<{
    botId: string;
    scopes: string[];
    supportsFiles?: boolean;
    commandLists: Array<{ scopes: string[]; commands: Array<{ title: string; description: string }> }>;
  }>;
  composeExtensions: Array<{
    botId: string;
    commands: Array<{
      id: string;
      type: string;
      title: string;
      context?: string[];
      description?: string;
      semanticDescription?: string;
      samplePrompts?: Array<{ text: string }>;
      fetchTask?: boolean;
      initialRun?: boolean;
      parameters?: Array<{ name: string; description?: string; semanticDescription?: string }>;
    }>;
    messageHandlers: Array<{ type: string; value: { domains: string[] } }>;
  }>;
  validDomains: string[];
  webApplicationInfo?: unknown;
}
