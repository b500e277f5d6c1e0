#!/usr/bin/env node
// `npm run bench`: makes sure the table exists, bundles bench/main.ts and bench/child.ts ONCE into
// .cache/bench/ (so no measured process pays for bundling), then runs the benchmark in a fresh node.
// After it, the end-to-end bench (scripts/bench-e2e.mjs: Chromium + the built extension + unbound)
// runs unless `--skip-e2e` is given; it skips itself, with a message, when something is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundleForNode } from './bundle-node.mjs';

const root = resolve(import.meta.dirname, '..');
process.chdir(root);
const table = resolve('public/prefix-table.bin');
if (!existsSync(table)) {
  console.log('public/prefix-table.bin is missing: running `npm run data` first');
  const data = spawnSync('npm', ['run', 'data'], { stdio: 'inherit' });
  if (data.status !== 0 || !existsSync(table)) {
    console.error('npm run data failed; cannot benchmark without the table');
    process.exit(1);
  }
}

const outdir = resolve('.cache/bench');
mkdirSync(outdir, { recursive: true });
await bundleForNode({
  entryPoints: { main: 'bench/main.ts', child: 'bench/child.ts' },
  outdir,
  outExtension: { '.js': '.mjs' },
});

const args = process.argv.slice(2);
const skipE2e = args.includes('--skip-e2e');
const run = spawnSync(
  process.execPath,
  [resolve(outdir, 'main.mjs'), ...args.filter((a) => a !== '--skip-e2e')],
  { stdio: 'inherit' },
);
if (skipE2e) {
  console.log('\n== E2E bench skipped (--skip-e2e)');
  process.exit(run.status ?? 1);
}
// Runs even when the engine bench failed: the two measure different things.
const e2e = spawnSync(process.execPath, [resolve('scripts/bench-e2e.mjs')], { stdio: 'inherit' });
process.exit((run.status ?? 1) || (e2e.status ?? 1));
