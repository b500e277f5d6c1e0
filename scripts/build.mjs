#!/usr/bin/env node
// `npm run build`: the prefix table (rebuilt only when its inputs changed), the icons, the CLI bundle, and the
// Chromium and Firefox MV3 extensions. Each step is a child process so a failure stops the build loudly.
import { spawnSync } from 'node:child_process';

const steps = [
  ['prefix table', ['node', 'scripts/run-ts.mjs', 'scripts/build-table.ts', '--if-stale']],
  ['icons', ['node', 'scripts/build-icons.mjs']],
  ['command line', ['node', 'scripts/build-cli.mjs']],
  ['chrome-mv3', ['npx', 'wxt', 'build', '-b', 'chrome']],
  ['firefox-mv3', ['npx', 'wxt', 'build', '-b', 'firefox', '--mv3']],
];

for (const [name, [cmd, ...args]] of steps) {
  console.log(`\n== build: ${name}`);
  const result = spawnSync(cmd, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build step "${name}" failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}
