#!/usr/bin/env node
// `npm run bench`: makes sure the table exists, bundles bench/main.ts and bench/child.ts ONCE into
// .cache/bench/ (so no measured process pays for bundling), then runs the benchmark in a fresh node.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'esbuild';

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
await build({
  entryPoints: { main: 'bench/main.ts', child: 'bench/child.ts' },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});

const run = spawnSync(process.execPath, [resolve(outdir, 'main.mjs'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
