/**
 * `npm run build`: bundles what Azure Functions loads into dist/main.js with
 * esbuild, so a cold start reads one file instead of a few thousand modules
 * in node_modules. The type check is `npm run typecheck` (tsc does not emit).
 *
 * `bundle()` is also how `npm run bench` builds the bare echo bot it compares
 * Baton's cold start with: both sides bundled the same way, run by plain node.
 */
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { PROJECT_ROOT } from '../src/project';

/** Provided by the Functions worker at run time, never installed from npm (@azure/functions requires it when present). */
const WORKER_MODULES = ['@azure/functions-core'];

const OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  // Stack traces and class names (errors are told apart by class) stay readable.
  keepNames: true,
  sourcemap: 'linked',
  external: WORKER_MODULES,
  logLevel: 'warning',
  legalComments: 'linked',
  // Some packages' ES builds call createRequire(import.meta.url), which a CommonJS bundle has no value for.
  inject: [join(PROJECT_ROOT, 'scripts', 'import-meta-url.js')],
  define: { 'import.meta.url': 'importMetaUrl' },
};

/** Bundles one entry file into `outfile`, the way dist/main.js is built. */
export async function bundle(entry: string, outfile: string, external: string[] = []): Promise<void> {
  await build({ ...OPTIONS, entryPoints: [entry], outfile, external: [...WORKER_MODULES, ...external] });
}

if (require.main === module) {
  bundle(join(PROJECT_ROOT, 'src', 'main.ts'), join(PROJECT_ROOT, 'dist', 'main.js')).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
