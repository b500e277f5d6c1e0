#!/usr/bin/env node
// `npm run zip`: the two store packages and the sources zip, in .output/:
//   carrierflag-<version>-chrome.zip   Chrome Web Store (and any Chromium browser: unpack and "Load unpacked")
//   carrierflag-<version>-firefox.zip  addons.mozilla.org (MV3)
//   carrierflag-<version>-sources.zip  for Firefox's review: the repository without generated files,
//                                       from which `npm ci && npm run zip` rebuilds the package
// `wxt zip` builds each extension itself; the steps before it make the files the build copies in
// (the prefix table, the icons). scripts/check-zips.mjs then opens the zips and fails the command if
// one lacks its manifest, table or icons.
import { spawnSync } from 'node:child_process';

const steps = [
  ['prefix table', ['node', 'scripts/run-ts.mjs', 'scripts/build-table.ts', '--if-stale']],
  ['icons', ['node', 'scripts/build-icons.mjs']],
  ['chrome zip', ['npx', 'wxt', 'zip', '-b', 'chrome']],
  // --mv3 as in the build: the Firefox package is MV3 too. WXT adds the sources zip for Firefox.
  ['firefox zip', ['npx', 'wxt', 'zip', '-b', 'firefox', '--mv3']],
  ['check the zips', ['node', 'scripts/check-zips.mjs']],
];

for (const [name, [cmd, ...args]] of steps) {
  console.log(`\n== zip: ${name}`);
  const result = spawnSync(cmd, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`zip step "${name}" failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}
