/**
 * The Chromium the browser tests drive: BATON_CHROMIUM when set, else the
 * first of chromium, chromium-browser, google-chrome on PATH. In CI its
 * absence is a failure (.ci/run installs Debian's chromium); elsewhere the
 * tests say so loudly and are skipped.
 */
import { lookUp, requireTool, type Tool } from './executables';

export const CHROMIUM_TOOL: Tool = {
  setting: 'BATON_CHROMIUM',
  names: ['chromium', 'chromium-browser', 'google-chrome'],
  install: 'apt-get install chromium fonts-liberation',
};

/** Chromium's path, or undefined when none is found. */

/** True when Chromium is here; throws under CI when it is not. */
export function chromiumAvailable(what = 'the browser tests'): boolean {
  return requireTool(CHROMIUM_TOOL, what) !== undefined;
}

/**
 * Chromium's path, for `executablePath`: without one Playwright would look
 * for a browser of its own, which the project does not download.
 * @throws naming the setting when there is no Chromium
 */
export function chromiumExecutable(): string {
  const found = lookUp(CHROMIUM_TOOL);
  if (found.path === undefined)
    throw new Error(`No Chromium: ${found.problem}. Install it (${CHROMIUM_TOOL.install}) or set ${CHROMIUM_TOOL.setting} to its path.`);
  return found.path;
}
