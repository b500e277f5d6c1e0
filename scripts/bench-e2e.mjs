#!/usr/bin/env node
// The end-to-end benchmark (bench/e2e/): page load → badge in Debian's Chromium with the built
// extension and unbound as a DoH server, plus the worker's memory; then a page with 200 third-party
// hosts with no extension, a floor extension (the same listeners, empty bodies) and CarrierFlag,
// interleaved (bench/e2e/page-hosts.ts); then a routing data update; then the navigation overhead
// of "when a site is flagged: warn" against 'nothing' and no extension, in Chromium and in Firefox
// ESR (bench/e2e/warn.ts; Firefox skips itself when /usr/bin/firefox-esr or .output/firefox-mv3 is
// missing). The badge, page-hosts and warn sections drive Chromium over a bare DevTools pipe (no
// Playwright); warn drives Firefox with puppeteer-core over WebDriver BiDi. As root the bench runs inside a
// network namespace whose loopback carries the test hosts' public addresses (bench/e2e/network.ts);
// otherwise, or with --loopback, every host is 127.0.0.1 and the output says so.
// `npm run bench` runs it after the engine bench; on its own:
// `node scripts/bench-e2e.mjs [--section badge|page-hosts|data-update|warn[,…]] [--rounds N]
// [--page-hosts N] [--profile-pages N] [--warm N] [--cold N] [--poll-ms MS] [--update-runs N]
// [--warn-browsers chromium,firefox] [--loopback]`. A missing browser, DoH server or build is a clear, non-fatal skip (exit 0).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundleForNode } from './bundle-node.mjs';

const root = resolve(import.meta.dirname, '..');
process.chdir(root);

const missing = [];
if (!existsSync('/usr/bin/chromium')) {
  missing.push('/usr/bin/chromium (run `bash scripts/setup-test-env.sh`)');
}
if (!existsSync('/usr/sbin/unbound') || !existsSync('/usr/sbin/unbound-control')) {
  missing.push('/usr/sbin/unbound (run `bash scripts/setup-test-env.sh`)');
}
if (!existsSync(resolve('.output/chrome-mv3/manifest.json'))) {
  missing.push('the built extension .output/chrome-mv3 (run `npm run build`)');
}
if (missing.length > 0) {
  console.log(`\n== E2E bench skipped: missing ${missing.join('; ')}`);
  process.exit(0);
}

// Bundled once, so no measured process pays for bundling; child.mjs is the engine bench's memory
// probe, reused for the maxmind comparison when this script runs on its own.
const outdir = resolve('.cache/bench');
mkdirSync(outdir, { recursive: true });
await bundleForNode({
  entryPoints: { e2e: 'bench/e2e/main.ts', child: 'bench/child.ts' },
  outdir,
  outExtension: { '.js': '.mjs' },
});

const run = spawnSync(process.execPath, [resolve(outdir, 'e2e.mjs'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  // Bounded: the sections aim at ~1 and ~2 minutes on a quiet machine (a loaded, shared one takes
  // several times that); a hung browser must not hang `npm run bench`.
  timeout: 30 * 60_000,
  killSignal: 'SIGTERM',
});
if (run.error) console.error(`e2e bench: ${run.error.message}`);
process.exit(run.status ?? 1);
