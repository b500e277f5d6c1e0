/**
 * Fresh routing data without a release (issue 9), in Chromium and Firefox: the settings page's
 * "Update now" against a local routing data server (tests/e2e/support/routing-data-server.ts) that
 * serves the pinned data with 1.1.1.1 moved from Cloudflare to China Telecom. Bad downloads keep
 * the bundled table and say why; the good one replaces it; a second check gets 304s.
 *
 * The tests run in order in one browser of their own (the `dohRecords` option below): the good
 * download changes the stored table for every later test, so no other file may share this browser.
 */
import { DEFAULT_RECORDS, expect, test } from './fixtures';
import { settingsWithSources, UPDATE_CEILING_MS, updateNow } from './support/data-update-page';
import {
  MOVED_ADDRESS,
  startRoutingDataServer,
  type RoutingDataServer,
  type RoutingMode,
} from './support/routing-data-server';

test.use({
  dohRecords: [
    [...DEFAULT_RECORDS, { name: 'moved.test', type: 'A', value: MOVED_ADDRESS }],
    { scope: 'worker' },
  ],
});

const BUNDLED_DATE = /published 2026-06-17/;
/** The download's stall limit is 20 s (lib/data-update/download.ts): a hang test waits that long. */
const HANG_CEILING_MS = 60_000;
test.describe.configure({ mode: 'serial', timeout: UPDATE_CEILING_MS + 60_000 });

let routing: RoutingDataServer;
test.beforeAll(async () => {
  routing = await startRoutingDataServer();
});
test.afterAll(async () => {
  await routing?.close();
});

const BAD: { mode: RoutingMode; what: string; reason: RegExp }[] = [
  {
    mode: 'truncated',
    what: 'a truncated file',
    reason: /asn-ipv4-num\.csv: the file ends in the middle of a line, so it was cut short/,
  },
  {
    mode: 'html',
    what: 'an HTML error page',
    reason: /asn-ipv4-num\.csv: the server sent a web page, not the data file/,
  },
  {
    mode: '404',
    what: 'a 404',
    reason: /asn-ipv4-num\.csv: the server answered with an error \(HTTP 404/,
  },
  { mode: '500', what: 'a 500', reason: /the server answered with an error \(HTTP 500/ },
  {
    mode: 'half',
    what: 'a file that would shrink the table by half',
    reason:
      /The new data has \d+ IPv4 ranges, \d+% fewer than the \d+ in use .*the file looks incomplete/,
  },
];

test.describe('routing data updates', () => {
  for (const bad of BAD) {
    test(`${bad.what} keeps the bundled table and says why`, async ({ ext, web }) => {
      routing.mode = bad.mode;
      const page = await settingsWithSources(ext, [routing.url]);
      const outcome = await updateNow(page, bad.reason);
      expect(outcome).toContain('Not updated, the data in use stays.');
      expect(await page.text('data-source')).toMatch(
        /@ip-location-db\/asn \(bundled with the extension\)/,
      );
      const tab = await ext.open(web.urlFor('site.test'));
      const popup = await ext.popup(tab.id);
      await popup.waitForText('about-update-failed', bad.reason);
      expect(await popup.text('about-data')).toMatch(BUNDLED_DATE);
    });
  }

  test('a hanging server is given up on, the old table stays, and the badge answers meanwhile', async ({
    ext,
    web,
  }) => {
    routing.mode = 'hang';
    const page = await settingsWithSources(ext, [routing.url]);
    await page.click('Update now');
    await page.waitForText('update-progress', /Starting the update|Downloading/);
    // While the download hangs, a China Telecom site is still judged and badged.
    const tab = await ext.open(web.urlFor('telecom.test'));
    await ext.waitForBadge(tab.id, 'CT');
    const outcome = await page.waitForText(
      'update-outcome',
      /the server sent nothing for 20 seconds/,
      {
        timeoutMs: HANG_CEILING_MS,
      },
    );
    expect(outcome).toContain('Not updated, the data in use stays.');
    expect(await page.text('data-source')).toMatch(/bundled with the extension/);
  });

  test('"Update now" replaces the table: the popup shows the new date and the moved address is flagged', async ({
    ext,
    web,
  }) => {
    routing.mode = 'good';
    const before = await ext.open(web.urlFor('moved.test'));
    const clean = await ext.waitForBadge(before.id, (b) =>
      /not on a watched network/.test(b.title),
    );
    expect(clean.text).toBe('');
    const oldPopup = await ext.popup(before.id);
    expect(await oldPopup.text('about-data')).toMatch(BUNDLED_DATE);

    const page = await settingsWithSources(ext, [routing.url]);
    const newDate = new Date(routing.publishedAt).toISOString().slice(0, 10);
    await updateNow(
      page,
      new RegExp(`Updated to the data published on ${newDate}: \\d+ IPv4 and \\d+ IPv6 ranges`),
    );
    expect(await page.text('data-source')).toBe(`${routing.url} (downloaded)`);
    expect(await page.text('data-published')).toMatch(new RegExp(`^${newDate} \\(1 day ago\\)$`));

    const after = await ext.open(web.urlFor('moved.test', '/after-update'));
    await ext.waitForBadge(after.id, 'CT');
    const popup = await ext.popup(after.id);
    await popup.waitForText('verdict', 'moved.test is hosted on China Telecom.');
    expect(await popup.text('about-data')).toMatch(
      new RegExp(
        `downloaded from 127\\.0\\.0\\.1:\\d+ \\d{10}, published ${newDate} \\(1 day old\\)`,
      ),
    );
    expect(await popup.text('about-update-failed')).toBeNull();
  });

  test('a second check gets 304s and keeps the downloaded table', async ({ ext }) => {
    routing.mode = 'good';
    routing.log.length = 0;
    const page = await settingsWithSources(ext, [routing.url]);
    const version = await page.text('data-version');
    await updateNow(page, /Checked: the routing data has not changed since the last update\./);
    expect(routing.log.map((r) => r.status)).toEqual([304, 304]);
    expect(await page.text('data-version')).toBe(version);
    expect(await page.text('data-source')).toMatch(/\(downloaded\)$/);
  });
});
