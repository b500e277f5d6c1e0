#!/usr/bin/env node
// `npx carrierflag`: runs the bundled command line (dist/cli.mjs, built by `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/cli.mjs', import.meta.url);
if (!existsSync(bundle)) {
  console.error('CarrierFlag is not built yet: run npm run build');
  process.exit(2);
}
try {
  // main() makes every later uncaught error or rejection exit 2 too (exitTwoOnCrash).
  const { main } = await import(bundle.href);
  // The package root comes from this file's location, so the bundled table is found from any cwd.
  process.exitCode = await main(process.argv.slice(2), {
    packageRoot: fileURLToPath(new URL('..', import.meta.url)),
  });
} catch (error) {
  // Exit status 1 means "flagged": a crash, even while loading the bundle, is 2 and one line.
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(`carrierflag: internal error: ${text.replace(/[\p{Cc}\p{Cf}]/gu, '?')}\n`);
  process.exit(2);
}
