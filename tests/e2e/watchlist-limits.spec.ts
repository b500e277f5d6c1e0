/**
 * The options page and the worker with the largest watchlist the documented limits allow
 * (issue 6, section 3): importing it works, the page stays usable (a control responds, a group's
 * list opens a page at a time, search finds an ASN), and a restarted worker still badges a site.
 * Chromium only for now, against today's fixtures.
 */
import { writeFile } from 'node:fs/promises';
import { exportWatchlist } from '../../lib/watchlist/import-export';
import { MAX_GROUPS } from '../../lib/watchlist/model';
import { largestWatchlist } from '../unit/watchlist/largest-watchlist';
import { expect, test } from './fixtures';

/** LIST_PAGE_SIZE in components/Options.tsx (not imported: that would pull Preact into Node). */
const LIST_PAGE_SIZE = 100;
/**
 * Every save sends the whole settings record (~1.2 MB here) to the worker, which checks and stores
 * it: ~0.5 s on an idle two-core machine, several seconds when other test runs share it.
 */
const SAVE_TIMEOUT = { timeout: 30_000 };

test('the largest allowed watchlist imports, and the options page stays usable', async ({
  page,
  web,
  doh,
  useResolver,
  openOptions,
  tabIdOf,
  waitForBadge,
  stopServiceWorker,
}, testInfo) => {
  // A 1.5 MB import through a real page and worker: give a busy two-core machine time.
  test.setTimeout(180_000);
  const file = testInfo.outputPath('largest-watchlist.json');
  await writeFile(file, exportWatchlist(largestWatchlist()));
  await useResolver(doh.url);
  const options = await openOptions();
  const started = Date.now();
  await options.getByTestId('import-file').setInputFiles(file);
  // Read, checked, sent to the worker, checked again, stored and compiled: seconds on a busy box.
  await expect(options.getByTestId('notice')).toHaveText(
    `Imported ${MAX_GROUPS} groups.`,
    SAVE_TIMEOUT,
  );
  testInfo.annotations.push({ type: 'import-ms', description: String(Date.now() - started) });
  await expect(options.getByTestId('import-error')).toHaveCount(0);
  await expect(options.locator('.group')).toHaveCount(MAX_GROUPS);
  // Closed groups render no rows at all.
  await expect(options.getByTestId('asn-row')).toHaveCount(0);

  // A control responds.
  await options.getByLabel('Watch Bulk group 2', { exact: true }).uncheck();
  await expect(options.getByTestId('notice')).toHaveText('Bulk group 2 disabled.', SAVE_TIMEOUT);

  // A list opens, one page at a time.
  const bulk = options.getByTestId('group-custom-bulk-1');
  await expect(bulk.locator('summary')).toHaveText('5000 ASNs, 5000 prefixes');
  await bulk.locator('summary').click();
  const rows = bulk.getByTestId('asn-row');
  await expect(rows).toHaveCount(LIST_PAGE_SIZE);
  await expect(rows.first()).toContainText('AS200000 Example Net 200000');
  await expect(rows.first()).toContainText('low confidence');
  await bulk.getByRole('button', { name: /Show more/ }).click();
  await expect(rows).toHaveCount(2 * LIST_PAGE_SIZE);

  // Search finds an ASN, by number or by name.
  const search = bulk.getByLabel('Search Bulk group 1', { exact: true });
  await search.fill('AS 203456');
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText('AS203456 Example Net 203456');
  await search.fill('example net 204999');
  await expect(rows).toHaveText([/AS204999/]);

  // Removing an ASN from the open list saves and updates the count.
  await rows.getByRole('button', { name: 'Remove AS204999 from Bulk group 1' }).click();
  await expect(options.getByTestId('notice')).toHaveText('AS204999 removed.', SAVE_TIMEOUT);
  await expect(bulk.locator('summary')).toHaveText('4999 ASNs, 5000 prefixes');

  // A worker started with it still badges a carrier site. The generated prefixes are random, so
  // one may cover the address too: then the badge is '!' and the title names both groups.
  await stopServiceWorker();
  await page.goto(web.urlFor('telecom.test'));
  const badge = await waitForBadge(await tabIdOf(page), (b) => b.text === 'CT' || b.text === '!', {
    timeoutMs: 20_000,
  });
  expect(badge.title).toContain('China Telecom (AS4134');
});

test('an import the browser cannot store (full quota) says so and changes nothing', async ({
  openOptions,
}, testInfo) => {
  test.setTimeout(180_000);
  const file = testInfo.outputPath('largest-watchlist.json');
  await writeFile(file, exportWatchlist(largestWatchlist()));
  const options = await openOptions();
  await expect(options.getByTestId('group-china-telecom')).toBeVisible();
  const before = await options.locator('.group').allInnerTexts();
  // Fill storage.local (10 MiB without "unlimitedStorage") so only a small write still fits.
  await options.evaluate(async () => {
    const chrome = (globalThis as { chrome?: any }).chrome; // eslint-disable-line @typescript-eslint/no-explicit-any -- the page's own API, untyped here
    await chrome.storage.local.set({ ballast: 'x'.repeat(9.6 * 1024 * 1024) });
  });
  await options.getByTestId('import-file').setInputFiles(file);
  await expect(options.getByTestId('import-error')).toContainText(
    "Import rejected, nothing changed: the browser's storage for this extension is full",
    SAVE_TIMEOUT,
  );
  await expect(options.getByTestId('notice')).toHaveText('');
  await options.reload();
  await expect.poll(() => options.locator('.group').allInnerTexts()).toEqual(before);
});
