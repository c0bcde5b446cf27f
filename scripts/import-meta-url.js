// esbuild `inject` for dist/main.js (scripts/build.ts): some packages' ES builds call
// createRequire(import.meta.url), which a CommonJS bundle has no value for; this gives them the bundle's own URL.
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;
