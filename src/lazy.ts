/**
 * A value made once, on first use. Mostly a package Baton needs only in some
 * configurations: Graph's client and Entra identity (Graph mode, a storage
 * account reached with a managed identity), the Queue SDK (the weekly
 * summary), yaml (the local directory). A cold start that needs none of them
 * does not load them (`npm run bench -- cold`).
 *
 * For a package, pass a function that calls `require` with its name: the
 * build puts the package in a file of its own beside dist/main.js
 * (scripts/build.ts), and tsx and vitest load it from node_modules. Never
 * `require` a project file: vitest does not see a `require`d .ts file.
 */
export function lazy<T>(load: () => T): () => T {
  let loaded: { value: T } | undefined;
  return () => (loaded ??= { value: load() }).value;
}
