/**
 * The settings page and the background with the largest watchlist the documented limits allow
 * (issue 6, section 3): importing it works, the page stays usable (a control responds, a group's
 * list opens a page at a time, search finds an ASN), a restarted background still badges a site,
 * and an import the browser cannot store (a full quota) says so and changes nothing.
 */
import { exportWatchlist } from '../../lib/watchlist/import-export';
import { MAX_GROUPS } from '../../lib/watchlist/model';
import { largestWatchlist } from '../unit/watchlist/largest-watchlist';
import { expect, test, type UiPage } from './fixtures';
import { waitUntil } from './support/wait';

/** LIST_PAGE_SIZE in components/options/Pager.tsx (not imported: that would pull Preact into Node). */
const LIST_PAGE_SIZE = 25;
/**
 * Every save sends the whole settings record (~1.2 MB here) to the background, which checks and
 * stores it: ~0.5 s on an idle two-core machine, several seconds when other test runs share it.
 */
const SAVE_CEILING = { timeoutMs: 60_000 };
const LARGEST_FILE = exportWatchlist(largestWatchlist());

// Firefox stops its event page only when idle: this file gets a browser of its own with a short
// idle timeout, so `stopBackground` works there too (as in background-lifecycle.spec.ts).
test.use({ backgroundIdleTimeoutMs: 2000 });

/** Waits until the page shows exactly `count` ASN rows; returns their texts. */
function waitForRows(options: UiPage, count: number): Promise<string[]> {
  let last: string[] = [];
  return waitUntil(
    async () => {
      last = await options.texts('asn-row');
      return last.length === count ? last : undefined;
    },
    { what: `${count} ASN rows`, last: () => `${last.length} rows` },
  );
}

test('the largest allowed watchlist imports, and the settings page stays usable', async ({
  ext,
  web,
}) => {
  test.setTimeout(240_000);
  const options = await ext.options();
  await options.upload('import-file', { name: 'largest.json', content: LARGEST_FILE });
  await options.waitForText(
    'import-preview',
    new RegExp(`^largest\\.json holds ${MAX_GROUPS} groups:`),
  );
  await options.click('Merge into my watchlist');
  await options.waitForText(
    'import-status',
    `Merged ${MAX_GROUPS} groups into your watchlist. Undo`,
    SAVE_CEILING,
  );
  expect(await options.textsOf('.group')).toHaveLength(MAX_GROUPS);
  // Closed groups render no rows at all.
  expect(await options.texts('asn-row')).toEqual([]);

  // A control responds.
  await options.setChecked('Watch Bulk group 2', false);
  await options.waitForText(
    'status-custom-bulk-2',
    'No longer watching Bulk group 2.',
    SAVE_CEILING,
  );

  // A list opens, one page at a time.
  const summary = '[data-testid="group-custom-bulk-1"] summary';
  expect(await options.textsOf(summary)).toEqual(['5000 ASNs · 5000 prefixes']);
  await options.click('5000 ASNs · 5000 prefixes');
  const firstPage = await waitForRows(options, LIST_PAGE_SIZE);
  expect(firstPage[0]).toMatch(/^AS200000 Example Net 200000 · low confidence Remove$/);
  expect(await options.texts('pager-range')).toEqual([`1–${LIST_PAGE_SIZE} of 10000`]);
  await options.click('Next page', { near: 'Search Bulk group 1' });
  await options.waitForText('pager-range', `${LIST_PAGE_SIZE + 1}–${2 * LIST_PAGE_SIZE} of 10000`);
  expect((await waitForRows(options, LIST_PAGE_SIZE))[0]).toMatch(
    new RegExp(`^AS${200000 + LIST_PAGE_SIZE} `),
  );

  // Search finds an ASN, by number or by name.
  await options.fill('Search Bulk group 1', 'AS 203456');
  expect((await waitForRows(options, 1))[0]).toContain('AS203456 Example Net 203456');
  await options.fill('Search Bulk group 1', 'example net 204999');
  expect((await waitForRows(options, 1))[0]).toContain('AS204999');

  // Removing an ASN from the open list saves and updates the count.
  await options.click('Remove AS204999 from Bulk group 1');
  await options.waitForText(
    'status-custom-bulk-1',
    'AS204999 removed from Bulk group 1. Undo',
    SAVE_CEILING,
  );
  expect(await options.textsOf(summary)).toEqual(['4999 ASNs · 5000 prefixes']);

  // A background started with it still badges a carrier site. The generated prefixes are random,
  // so one may cover the address too: then the badge is '!' and the title names both groups.
  await ext.stopBackground();
  const tab = await ext.open(web.urlFor('telecom.test'));
  const badge = await ext.waitForBadge(tab.id, (b) => b.text === 'CT' || b.text === '!', {
    timeoutMs: 30_000,
  });
  expect(badge.title).toContain('China Telecom (AS4134');
});

test('an import the browser cannot store (full quota) says so and changes nothing', async ({
  ext,
}) => {
  test.skip(ext.kind === 'firefox', "Firefox's storage.local has no fixed quota to fill");
  test.setTimeout(240_000);
  const options = await ext.options();
  const before = await options.textsOf('.group');
  // Fill storage.local (10 MiB without "unlimitedStorage") so the settings no longer fit.
  await ext.callApi(
    (api, size) => api.storage.local.set({ ballast: 'x'.repeat(size) }),
    Math.round(9.6 * 1024 * 1024),
  );
  try {
    await options.upload('import-file', { name: 'largest.json', content: LARGEST_FILE });
    await options.click('Merge into my watchlist');
    await options.waitForText(
      'import-status',
      /^Not saved, nothing changed: the browser's storage for this extension is full/,
      SAVE_CEILING,
    );
    await options.reload();
    await options.waitForVisibleText('Custom resolver URL');
    expect(await options.textsOf('.group')).toEqual(before);
  } finally {
    await ext.callApi((api) => api.storage.local.set({ ballast: '' }), null);
  }
});
