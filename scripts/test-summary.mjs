#!/usr/bin/env node
// Adds up the vitest and Playwright JSON reports into the one closing line CI reads:
// "N passed, N failed" (", N skipped" when any were skipped). A missing report counts as a failure.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.error(`no test report at ${file}: that suite did not run`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  if (report.stats && 'expected' in report.stats) {
    // Playwright: expected = passed, unexpected = failed, flaky counts as failed (retries are off).
    passed += report.stats.expected;
    failed += report.stats.unexpected + report.stats.flaky;
    skipped += report.stats.skipped;
    printPerProject(report);
  } else {
    passed += report.numPassedTests;
    failed += report.numFailedTests + (report.numRuntimeErrorTests ?? 0);
    skipped += report.numPendingTests + (report.numTodoTests ?? 0);
    if (report.success === false && report.numFailedTests === 0) failed += 1;
  }
}
/** One line per Playwright project (servers, chromium, firefox), so each browser's share shows. */
function printPerProject(report) {
  const perProject = new Map();
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        const counts = perProject.get(t.projectName) ?? { passed: 0, failed: 0, skipped: 0 };
        if (t.status === 'expected') counts.passed += 1;
        else if (t.status === 'skipped') counts.skipped += 1;
        else counts.failed += 1;
        perProject.set(t.projectName, counts);
      }
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of report.suites ?? []) walk(suite);
  for (const [name, c] of perProject) {
    console.log(`e2e ${name}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  }
}

console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
