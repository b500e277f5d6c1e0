// One esbuild set-up for every TypeScript entry point that Node 20 runs (it cannot strip types):
// the CLI bundle, `npm run data` through run-ts.mjs, and the benchmarks. npm packages stay external.
import { build } from 'esbuild';

/**
 * Bundles TypeScript for Node 20 as ES modules. `options` are esbuild's: give `entryPoints` and
 * either `outfile` or `outdir` (plus anything else, e.g. `sourcemap` or `banner`).
 */
export function bundleForNode(options) {
  return build({
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    ...options,
  });
}
