/**
 * Requests the host list once missed (issue 23): a carrier host contacted by the site's service
 * worker, over a WebSocket, or only as a redirect hop (of an image, or of the navigation itself) is
 * listed in the popup and counted on the badge. The carriers are `telecom.test` and `mobile.test`
 * (their DoH answers are on China Telecom and China Mobile), the site around them clean or local.
 * In Chromium and Firefox (Firefox attributes a service worker's requests by originUrl/documentUrl).
 */
import { expect, test } from './fixtures';
import { hostRows } from './support/host-rows';
import { waitUntil } from './support/wait';

const AMBER = '#b45f06';
/** A service worker needs a secure context; http on a `*.localhost` name is one. */
const SW_SITE = 'sw.localhost';
let installs = 0;

/**
 * The page that registers a service worker which fetches `url` when it installs; a new script URL
 * each time, so each test installs afresh (registrations outlive the tests' tab resets).
 */
function swPageUrl(web: { urlFor(host: string, path: string): string }, url: string): string {
  installs += 1;
  return web.urlFor(
    SW_SITE,
    `/sw-page?fetch=${encodeURIComponent(url)}&install=${Date.now()}-${installs}`,
  );
}

test.describe('hosts the page reaches other than by its own requests', () => {
  test("a carrier host fetched by the site's service worker: listed, amber 1", async ({
    ext,
    web,
  }) => {
    // Seen in Chromium: the worker's fetch comes with tabId -1 and the site's origin as initiator.
    const tab = await ext.open(swPageUrl(web, web.urlFor('telecom.test', '/sw-fetch.gif')));
    const badge = await ext.waitForBadge(tab.id, '1');
    expect(badge.color).toBe(AMBER);
    expect(badge.title).toContain('China Telecom: telecom.test');
    const rows = await hostRows(await ext.popup(tab.id));
    expect([...rows.keys()]).toEqual(['telecom.test']);
    expect(rows.get('telecom.test')).toMatch(/on China Telecom/);
  });

  test('an image the page loads through its service worker: listed under the page', async ({
    ext,
    web,
  }) => {
    const first = await ext.open(swPageUrl(web, web.urlFor('site.test', '/installed.gif')));
    await waitUntil(async () => (await first.title()) === 'sw ready', {
      what: 'the service worker to control the page',
    });
    // A second page of the site, controlled from the start: its image reaches the network only as
    // the worker's fetch (Chromium reports no request of the tab for it).
    const image = web.urlFor('mobile.test', '/through-worker.gif');
    const tab = await ext.open(
      web.urlFor(SW_SITE, `/load-later?onload=${encodeURIComponent(image)}`),
    );
    // Read from the stored host list, not the badge: this page's own response also came through the
    // worker (tabId -1), so the site's verdict waits for a connection it never sees (a private name
    // here, with no DoH answer either) and the badge shows no count.
    let listed: string[] = [];
    await waitUntil(
      async () => {
        const key = `hosts:${tab.id}`;
        const stored = await ext.callApi((api, k) => api.storage.session.get(k), key);
        const record = stored[key] as { hosts: { hostname: string }[] } | undefined;
        listed = record?.hosts.map((h) => h.hostname) ?? [];
        return listed.includes('mobile.test');
      },
      { what: 'mobile.test on the host list', last: () => JSON.stringify(listed) },
    );
  });

  test('a carrier host reached over a WebSocket: listed, amber 1', async ({ ext, web }) => {
    const to = web.urlFor('telecom.test', '/socket').replace(/^http:/, 'ws:');
    const tab = await ext.open(
      web.urlFor('cloudflare.test', `/ws-page?to=${encodeURIComponent(to)}`),
    );
    const badge = await ext.waitForBadge(tab.id, '1');
    expect(badge.color).toBe(AMBER);
    const rows = await hostRows(await ext.popup(tab.id));
    expect([...rows.keys()]).toEqual(['telecom.test']);
    expect(web.requests()).toContainEqual({ host: 'telecom.test', path: '/socket' });
  });

  test('a carrier host that redirects an image to a clean one: both listed, amber 1', async ({
    ext,
    web,
  }) => {
    const image = web.urlFor(
      'telecom.test',
      `/redirect?to=${encodeURIComponent(web.urlFor('site.test', '/final.gif'))}`,
    );
    const tab = await ext.open(
      web.urlFor('cloudflare.test', `/load-later?onload=${encodeURIComponent(image)}`),
    );
    const badge = await ext.waitForBadge(tab.id, '1');
    expect(badge.color).toBe(AMBER);
    const rows = await hostRows(await ext.popup(tab.id));
    expect([...rows.keys()].sort()).toEqual(['site.test', 'telecom.test']);
  });

  test('a carrier URL shortener in front of a clean page: listed on that page, amber 1', async ({
    ext,
    web,
  }) => {
    const final = web.urlFor('cloudflare.test', '/landing');
    const tab = await ext.open(
      web.urlFor('telecom.test', `/redirect?to=${encodeURIComponent(final)}`),
    );
    const badge = await ext.waitForBadge(tab.id, '1');
    expect(badge.color).toBe(AMBER);
    expect(badge.title).toContain('cloudflare.test is not on a watched network');
    const popup = await ext.popup(tab.id);
    // The popup says what the amber badge says; the site's own verdict comes under it.
    await popup.waitForText(
      'verdict',
      "1 of 1 other hosts this page loads from is on China Telecom's network.",
    );
    expect(await popup.text('site-verdict')).toBe('cloudflare.test is not on a watched network.');
    const rows = await hostRows(popup);
    // The final site is the page itself, never one of its other hosts.
    expect([...rows.keys()]).toEqual(['telecom.test']);
  });
});
