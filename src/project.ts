/**
 * Where the project is on disk, and the third-party files it keeps in the
 * repository (schemas, host configs), so nothing reads a path outside it.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The nearest folder with a package.json at or above `from`.
 *
 * Searching rather than counting `..` keeps one answer for this file run by
 * tsx from src/ and compiled to dist/src/.
 * @throws when no folder above `from` has a package.json
 */
export function projectRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/** The project's folder: the one with package.json. */
export const PROJECT_ROOT = projectRoot();

/** The copies of upstream files the project uses; the README beside each names its source and licence. */
export const ASSETS = {
  /** Microsoft Teams app manifest schema v1.30 (microsoft/json-schemas). */
  manifestSchema: join(PROJECT_ROOT, 'appPackage', 'schema', 'teams-manifest-v1.30.schema.json'),
  /** Adaptive Cards schema 1.5 (microsoft/AdaptiveCards). */
  cardSchema: join(PROJECT_ROOT, 'cards', 'schema', 'adaptive-card-1.5.schema.json'),
  /** Host configs of the clients that show Baton's cards (microsoft/AdaptiveCards samples). */
  hostConfigs: {
    teamsLight: join(PROJECT_ROOT, 'cards', 'hostconfig', 'microsoft-teams-light.json'),
    teamsDark: join(PROJECT_ROOT, 'cards', 'hostconfig', 'microsoft-teams-dark.json'),
    outlookDesktop: join(PROJECT_ROOT, 'cards', 'hostconfig', 'outlook-desktop.json'),
  },
} as const;
