/**
 * Finding the outside programs some tests need (Chromium, unzip): from a
 * setting, else on PATH. Under CI (.ci/run installs them) a missing one fails
 * the run; elsewhere the tests that need it say so loudly and are skipped.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

export interface Tool {
  /** The setting that names the executable, e.g. BATON_CHROMIUM. */
  setting: string;
  /** Command names to look for on PATH, in order of preference. */
  names: readonly string[];
  /** How to install it, for the message when it is missing. */
  install: string;
}

/** True when the environment says this is a CI run; `CI=false` or `CI=0` says it is not. */
export function underCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env.CI ?? '').trim().toLowerCase();
  return value !== '' && value !== 'false' && value !== '0';
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable called `name` in PATH's folders (with PATHEXT's endings on Windows). */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const endings = process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';')] : [''];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const ending of endings) {
      const candidate = join(dir, name + ending);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Where the tool is, or why it was not found. */
export type Lookup = { path: string } | { path?: undefined; problem: string };

/**
 * Looks for a tool: the path in its setting when that is set (a bare name is
 * looked up on PATH), otherwise each of its names on PATH.
 */
export function lookUp(tool: Tool, env: NodeJS.ProcessEnv = process.env): Lookup {
  const setting = (env[tool.setting] ?? '').trim();
  if (setting !== '') {
    // A setting that points nowhere is a mistake to report, not a reason to quietly use another copy.
    const path =
      isAbsolute(setting) || /[\\/]/.test(setting)
        ? isExecutableFile(resolve(setting))
          ? resolve(setting)
          : undefined
        : onPath(setting, env);
    return path ? { path } : { problem: `${tool.setting}=${setting} is not an executable file` };
  }
  for (const name of tool.names) {
    const path = onPath(name, env);
    if (path) return { path };
  }
  const names = tool.names.length === 1 ? `${tool.names[0]} is not on PATH` : `none of ${tool.names.join(', ')} is on PATH`;
  return { problem: `${names} and ${tool.setting} is not set` };
}

/**
 * The tool's executable for the tests that need it.
 * @param what the tests that need it, for the message
 * @returns its path, or undefined (after a loud warning) when it is missing outside CI
 * @throws under CI when it is missing, so a CI run never passes by skipping
 */
export function requireTool(tool: Tool, what: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const found = lookUp(tool, env);
  if (found.path !== undefined) return found.path;
  const message = `\n!!! ${found.problem}: ${what} cannot run. Install it (${tool.install}) or set ${tool.setting} to its path.\n`;
  if (underCI(env)) throw new Error(message);
  console.warn(message);
  return undefined;
}
