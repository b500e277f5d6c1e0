#!/usr/bin/env node
// `npm run screenshots`: the README's screenshots (docs/screenshots/*.png) from the real built
// extension. Builds first (`npm run build`: the table is rebuilt only when stale), bundles
// scripts/screenshots/main.ts like the e2e bench, and runs it: Debian's Chromium with
// .output/chrome-mv3, unbound as the DoH resolver and the e2e web server for the sites. One command
// regenerates every file; the names never change, so a re-run shows up in git as changed images.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundleForNode } from './bundle-node.mjs';

const root = resolve(import.meta.dirname, '..');
process.chdir(root);

const missing = [];
if (!existsSync('/usr/bin/chromium')) missing.push('/usr/bin/chromium');
if (!existsSync('/usr/sbin/unbound') || !existsSync('/usr/sbin/unbound-control')) {
  missing.push('/usr/sbin/unbound');
}
if (missing.length > 0) {
  console.error(
    `screenshots: missing ${missing.join(', ')}: run \`bash scripts/setup-test-env.sh\``,
  );
  process.exit(1);
}

if (!process.argv.includes('--no-build')) {
  const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('screenshots: npm run build failed');
    process.exit(1);
  }
}

const outdir = resolve('.cache/screenshots');
mkdirSync(outdir, { recursive: true });
await bundleForNode({
  entryPoints: { main: 'scripts/screenshots/main.ts' },
  outdir,
  outExtension: { '.js': '.mjs' },
});

const run = spawnSync(process.execPath, [resolve(outdir, 'main.mjs')], {
  stdio: 'inherit',
  // Bounded: a hung browser must not hang the command (a run takes well under a minute).
  timeout: 5 * 60_000,
  killSignal: 'SIGTERM',
});
if (run.error) console.error(`screenshots: ${run.error.message}`);
process.exit(run.status ?? 1);
