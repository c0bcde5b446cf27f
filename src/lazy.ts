/**
 * A package Baton needs only in some configurations, loaded on first use:
 * Graph's client and Entra identity (Graph mode, a storage account reached
 * with a managed identity), the Queue SDK (the weekly summary), yaml (the
 * local directory). A cold start that needs none of them does not run their
 * modules (about 30 ms on the bench machine, `npm run bench -- cold`).
 *
 * Pass a function that calls `require` with a package name: esbuild bundles
 * the package behind it, tsx and vitest load it from node_modules. Never a
 * project file: vitest does not see a `require`d .ts file.
 */
export function lazy<T>(load: () => T): () => T {
  let loaded: { value: T } | undefined;
  return () => (loaded ??= { value: load() }).value;
}
