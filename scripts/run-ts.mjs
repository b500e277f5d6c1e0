#!/usr/bin/env node
// Runs a TypeScript entry point on Node 20, which cannot strip types itself: esbuild bundles the
// entry (and the lib/ code it imports) into one ES module in .cache/, then we import it.
import { bundleForNode } from './bundle-node.mjs';
import { mkdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs ENTRY.ts [args...]');
  process.exit(2);
}
const outDir = resolve('.cache/run-ts');
mkdirSync(outDir, { recursive: true });
const outfile = resolve(outDir, `${basename(entry, '.ts')}.mjs`);
await bundleForNode({
  entryPoints: [entry],
  outfile,
  sourcemap: 'inline',
});
process.argv = [process.argv[0], resolve(entry), ...rest];
await import(pathToFileURL(outfile).href);
