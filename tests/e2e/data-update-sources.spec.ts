/**
 * The routing data sources (issue 19), in Chromium and Firefox, against a loopback server laid out
 * like the real hosts (tests/e2e/support/routing-data-server.ts): a release folder whose files
 * answer 302 to a second host name (as GitHub's answer with its asset host), and an iptoasn-like
 * gzip file as the second source. "Update now" follows the redirect and switches, and the stale
 * note goes away; the second source takes over when the first fails; a redirect to plain http and
 * a redirect loop are refused with the reason, the table in use kept.
 *
 * In a browser an extension cannot see a redirect's hops (the browser follows them itself): the
 * address that finally answered is checked, and a chain that never ends is worded from the
 * browser's failure (lib/data-update/redirects.ts). Node's CLI checks each hop (unit tests).
 *
 * The tests run in order in one browser of their own (the `dohRecords` option below): a good
 * download changes the stored table for every later test.
 */
import { DEFAULT_RECORDS, expect, test } from './fixtures';
import { settingsWithSources, UPDATE_CEILING_MS, updateNow } from './support/data-update-page';
import {
  MOVED_ADDRESS,
  startRoutingDataServer,
  type RoutingDataServer,
} from './support/routing-data-server';

test.use({
  dohRecords: [
    [
      ...DEFAULT_RECORDS,
      { name: 'moved.test', type: 'A', value: MOVED_ADDRESS },
      // A different record set from data-update.spec.ts: a browser of this file's own.
      { name: 'sources.test', type: 'A', value: MOVED_ADDRESS },
    ],
    { scope: 'worker' },
  ],
});

const BUNDLED_DATE = /published 2026-06-17/;
test.describe.configure({ mode: 'serial', timeout: 2 * UPDATE_CEILING_MS + 60_000 });

let routing: RoutingDataServer;
test.beforeAll(async () => {
  routing = await startRoutingDataServer();
});
test.afterAll(async () => {
  await routing?.close();
});

test.describe('routing data sources', () => {
  test('a redirect to plain http is refused with the reason, and the bundled table stays', async ({
    ext,
    web,
  }) => {
    routing.mode = 'redirect-http';
    const page = await settingsWithSources(ext, [routing.releaseUrl]);
    // Chromium reports the hop (webRequest sees the worker's own requests) and the extension stops
    // there, naming the address; Firefox may refuse the hop itself first (plain http off loopback
    // from an extension is mixed content), and then the extension learns only that it failed.
    const named =
      /redirected to http:\/\/objects\.test:\d+\/assets\/origin-asn-ipv4-num\.csv, which an update never follows/;
    const reason =
      ext.kind === 'chromium'
        ? named
        : new RegExp(
            `${named.source}|the redirects did not lead to the file: .*an address the browser refused`,
          );
    const outcome = await updateNow(page, reason);
    expect(outcome).toContain('Not updated, the data in use stays.');
    expect(await page.text('data-source')).toMatch(/bundled with the extension/);
    const tab = await ext.open(web.urlFor('site.test'));
    const popup = await ext.popup(tab.id);
    await popup.waitForText('about-update-failed', reason);
    // Old data, and the last update failed: "stale" with the reason and what to do.
    await popup.waitForText('about-stale', /because the last update failed/);
    expect(await popup.text('about-data')).toMatch(BUNDLED_DATE);
  });

  test('a redirect loop is refused with the reason, and the bundled table stays', async ({
    ext,
  }) => {
    routing.mode = 'redirect-loop';
    const page = await settingsWithSources(ext, [routing.releaseUrl]);
    const outcome = await updateNow(page, /the server's redirects go round in a loop/);
    expect(outcome).toContain('Not updated, the data in use stays.');
    expect(await page.text('data-source')).toMatch(/bundled with the extension/);
  });

  test('a chain of more than five redirects, and data dated in the future, are refused', async ({
    ext,
  }) => {
    routing.mode = 'redirect-chain';
    const page = await settingsWithSources(ext, [routing.releaseUrl]);
    // Both browsers report the worker's own redirects (webRequest.onBeforeRedirect, tabId -1).
    const chain = await updateNow(page, /Not updated/);
    expect(chain).toContain('the server redirected more than 5 times');
    routing.mode = 'future';
    const future = await updateNow(page, /Not updated/);
    expect(future).toContain('a date in the future, so it is not trusted');
    expect(await page.text('data-source')).toMatch(/bundled with the extension/);
  });

  test('"Update now" follows the redirect to the asset host, switches, and the stale note goes away', async ({
    ext,
    web,
  }) => {
    routing.mode = 'good';
    const before = await ext.open(web.urlFor('moved.test'));
    const oldPopup = await ext.popup(before.id);
    await oldPopup.waitForText('about-stale', /older than 30 days/);

    const page = await settingsWithSources(ext, [routing.releaseUrl, routing.iptoasnUrl]);
    const newDate = new Date(routing.publishedAt).toISOString().slice(0, 10);
    const outcome = await updateNow(
      page,
      new RegExp(`Updated to the data published on ${newDate}: \\d+ IPv4 and \\d+ IPv6 ranges`),
    );
    // Served by the second host name after the redirect, and checked against the second source.
    expect(outcome).toContain(`from ${routing.assetHost}`);
    expect(outcome).toContain('its carrier ranges agree with 127.0.0.1');
    expect(await page.text('data-source')).toBe(`${routing.releaseUrl} (downloaded)`);
    expect(await page.text('data-served-by')).toBe(routing.assetHost);
    expect(await page.text('data-stale')).toBeNull();

    const after = await ext.open(web.urlFor('moved.test', '/after-update'));
    await ext.waitForBadge(after.id, 'CT');
    const popup = await ext.popup(after.id);
    await popup.waitForText('about-data', new RegExp(`published ${newDate}`));
    expect(await popup.text('about-stale')).toBeNull();
    expect(await popup.text('about-update-failed')).toBeNull();
  });

  test('the second source takes over when the first fails', async ({ ext }) => {
    const newer = routing.publishNewer({ moved: true });
    routing.mode = 'release-404';
    const page = await settingsWithSources(ext, [routing.releaseUrl, routing.iptoasnUrl]);
    const newDate = new Date(newer).toISOString().slice(0, 10);
    const outcome = await updateNow(
      page,
      new RegExp(`Updated to the data published on ${newDate}: `),
    );
    expect(outcome).toMatch(/used instead of the first source \(.*HTTP 404/);
    expect(await page.text('data-source')).toBe(`${routing.iptoasnUrl} (downloaded)`);
  });
});
