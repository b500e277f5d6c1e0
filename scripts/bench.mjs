#!/usr/bin/env node
// `npm run bench`: makes sure the table exists, bundles bench/main.ts, bench/child.ts and the
// Chromium decode bench ONCE into .cache/bench/ (so no measured process pays for bundling), then
// runs the engine bench in a fresh node, then the decode bench in Chromium (bench/chromium-decode.ts;
// skips itself when /usr/bin/chromium is missing; `--skip-chromium-decode` skips it). After them the end-to-end bench
// (scripts/bench-e2e.mjs: Chromium + the built extension + unbound) runs unless `--skip-e2e` is
// given. Each part writes its figures to .cache/bench/results-<part>.json; this script merges the
// parts of this run into .cache/bench.json, one array of { name, unit, ours, peer, ratio, target, pass }.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
// Figures of an earlier run must not be merged into this one's.
const partFiles = () => readdirSync(outdir).filter((f) => /^results-.+\.json$/.test(f));
for (const f of partFiles()) rmSync(resolve(outdir, f));
await bundleForNode({
  entryPoints: {
    main: 'bench/main.ts',
    child: 'bench/child.ts',
    'chromium-decode': 'bench/chromium-decode.ts',
  },
  outdir,
  outExtension: { '.js': '.mjs' },
});

const args = process.argv.slice(2);
const skipE2e = args.includes('--skip-e2e');
const skipChromiumDecode = args.includes('--skip-chromium-decode');
const ownFlags = new Set(['--skip-e2e', '--skip-chromium-decode']);
// Natives syntax lets the engine bench check that its sample strings are flat (%HaveSameMap).
const run = spawnSync(
  process.execPath,
  ['--allow-natives-syntax', resolve(outdir, 'main.mjs'), ...args.filter((a) => !ownFlags.has(a))],
  { stdio: 'inherit' },
);
// Runs even when the engine bench failed: the parts measure different things.
const decode = skipChromiumDecode
  ? (console.log('\n== Chromium decode bench skipped (--skip-chromium-decode)'), { status: 0 })
  : spawnSync(process.execPath, [resolve(outdir, 'chromium-decode.mjs')], {
      stdio: 'inherit',
      timeout: 10 * 60_000,
      killSignal: 'SIGTERM',
    });
let e2eStatus = 0;
if (skipE2e) {
  console.log('\n== E2E bench skipped (--skip-e2e)');
} else {
  const e2e = spawnSync(process.execPath, [resolve('scripts/bench-e2e.mjs')], { stdio: 'inherit' });
  e2eStatus = e2e.status ?? 1;
}

const rows = [];
for (const f of partFiles().sort())
  rows.push(...JSON.parse(readFileSync(resolve(outdir, f), 'utf8')));
const merged = resolve('.cache/bench.json');
writeFileSync(merged, `${JSON.stringify(rows, null, 1)}\n`);
const missed = rows.filter((r) => r.pass === false).length;
const held = rows.filter((r) => r.pass === true).length;
console.log(`\n${rows.length} figures (${held} targets held, ${missed} missed) in ${merged}`);
process.exit((run.status ?? 1) || (decode.status ?? 1) || e2eStatus);
