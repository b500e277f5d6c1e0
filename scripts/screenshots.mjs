#!/usr/bin/env node
// `npm run screenshots`: the README's screenshots (docs/screenshots/<browser>/*.png) from the real
// built extension. Builds first (`npm run build`: the table is rebuilt only when stale), bundles
// scripts/screenshots/main.ts like the e2e bench, and runs it: Debian's Chromium and Firefox ESR
// with .output/, unbound as the DoH resolver and the e2e web server for the sites. It runs inside a
// network namespace of its own (`unshare -rnm`, no root needed) where each site has its real
// address, so the popups show no trace of the tests' loopback set-up (main.ts says how); where
// `unshare` is refused it runs as is and warns. One command regenerates every file; the names
// never change, so a re-run shows up in git as changed images. `--chromium-only` skips Firefox;
// `--no-build` skips the build.
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

const script = [resolve(outdir, 'main.mjs'), ...process.argv.slice(2)];
// A user, network and mount namespace: its own loopback to put the sites' addresses on, and an
// /etc/hosts of its own. Probed first: some systems (containers, hardened kernels) refuse it.
const namespace = spawnSync('unshare', ['-rnm', 'true']).status === 0;
const run = spawnSync(
  namespace ? 'unshare' : process.execPath,
  namespace ? ['-rnm', process.execPath, ...script] : script,
  {
    stdio: 'inherit',
    env: { ...process.env, CARRIERFLAG_SCREENSHOTS_NETNS: namespace ? '1' : '0' },
    // Bounded: a hung browser must not hang the command (a run takes two or three minutes).
    timeout: 10 * 60_000,
    killSignal: 'SIGTERM',
  },
);
if (run.error) console.error(`screenshots: ${run.error.message}`);
process.exit(run.status ?? 1);
