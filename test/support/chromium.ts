/**
 * Debian's Chromium for the browser tests. In CI its absence is a failure
 * (.ci/run installs it); elsewhere the tests say so loudly and are skipped.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

/** True when Chromium is here; throws under CI when it is not. */
export function chromiumAvailable(what = 'the browser tests'): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `\n!!! ${CHROMIUM} is missing: ${what} cannot run. Install it with: apt-get install chromium\n`;
  if (process.env.CI) throw new Error(message);
  console.warn(message);
  return false;
}
