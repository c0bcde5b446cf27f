/**
 * `npm run build`: bundles what Azure Functions loads into dist/main.js with
 * esbuild, so a cold start reads one file instead of a few thousand modules
 * in node_modules. The type check is `npm run typecheck` (tsc does not emit).
 *
 * `bundle()` is also how `npm run bench` builds the bare echo bot it compares
 * Baton's cold start with: both sides bundled the same way, run by plain node.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { PROJECT_ROOT } from '../src/project';

/** Provided by the Functions worker at run time, never installed from npm (@azure/functions requires it when present). */
const WORKER_MODULES = ['@azure/functions-core'];

/**
 * npm nests a second copy of a package wherever the top level holds another
 * version: botbuilder's four packages each carry their own zod 3.25.76 beside
 * Baton's zod 4. Identical copies are one module; this plugin bundles the
 * first one found (by name and version) for all of them.
 */
const dedupeCopies: Plugin = {
  name: 'dedupe-package-copies',
  setup(build) {
    const versionOf = new Map<string, string>(); // package root -> name@version
    const rootOf = new Map<string, string>(); // name@version -> the root bundled
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === dedupeCopies) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: dedupeCopies,
      });
      // Unresolvable: esbuild's own resolver says so, with its message.
      if (resolved.errors.length > 0) return undefined;
      const root = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(resolved.path)?.[1];
      if (resolved.external || root === undefined) return resolved;
      let key = versionOf.get(root);
      if (key === undefined) {
        const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
        key = `${name}@${version}`;
        versionOf.set(root, key);
      }
      const first = rootOf.get(key) ?? root;
      rootOf.set(key, first);
      return { ...resolved, path: first + resolved.path.slice(root.length) };
    });
  },
};

/**
 * Packages Baton needs only in some configurations and loads on first use
 * (src/lazy.ts): Entra identity, the Queue SDK, Graph's client, yaml. Where
 * the project's own code `require`s one, the bundle does not carry it: each
 * is bundled into its own file beside the bundle, `optional/<name>.js`, which
 * the bundle requires when it first needs it. A cold start then neither
 * compiles nor runs them unless its settings need them (dist/main.js is 0.6 MB
 * smaller). The same package imported by a library (botframework-connector
 * imports identity) stays in the bundle.
 */
const OPTIONAL_PACKAGES = ['@azure/identity', '@azure/storage-queue', '@microsoft/microsoft-graph-client', 'yaml'];
const optionalFile = (name: string) => `optional/${name.replace(/^@/, '').replace('/', '-')}.js`;

const optionalApart: Plugin = {
  name: 'optional-packages-apart',
  setup(build) {
    build.onResolve({ filter: /^[@\w]/ }, (args) =>
      OPTIONAL_PACKAGES.includes(args.path) && args.kind === 'require-call' && !args.importer.includes('/node_modules/')
        ? { path: `./${optionalFile(args.path)}`, external: true }
        : undefined,
    );
  },
};

const OPTIONS: BuildOptions = {
  plugins: [optionalApart, dedupeCopies],
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

/** Bundles one entry file into `outfile`, the way dist/main.js is built, and beside it the optional packages it requires. */
export async function bundle(entry: string, outfile: string): Promise<void> {
  const { metafile } = await build({ ...OPTIONS, entryPoints: [entry], outfile, metafile: true });
  const required = new Set(
    Object.values(metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path)),
  );
  await Promise.all(
    OPTIONAL_PACKAGES.filter((name) => required.has(`./${optionalFile(name)}`)).map((name) =>
      build({
        ...OPTIONS,
        plugins: [dedupeCopies],
        stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: PROJECT_ROOT, sourcefile: `${name}.js` },
        outfile: join(dirname(outfile), optionalFile(name)),
      }),
    ),
  );
}

if (require.main === module) {
  const dist = join(PROJECT_ROOT, 'dist');
  bundle(join(PROJECT_ROOT, 'src', 'main.ts'), join(dist, 'main.js')).then(
    () => {
      const mb = (file: string) => `${(statSync(join(dist, file)).size / 1e6).toFixed(1)} MB`;
      const optional = readdirSync(join(dist, 'optional')).filter((f) => f.endsWith('.js'));
      console.log(
        `Built dist/main.js (${mb('main.js')}) and, loaded on first use, dist/optional/: ${optional.map((f) => `${f} (${mb(join('optional', f))})`).join(', ')}`,
      );
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
