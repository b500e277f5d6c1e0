/**
 * Requests the host list once missed (issue 23): a carrier host contacted by the site's service
 * worker, over a WebSocket, or only as a redirect hop (of an image, or of the navigation itself) is
 * listed in the popup and counted on the badge. The carrier is `telecom.test` (its DoH answer is on
 * China Telecom), the site around it clean or local.
 */
import { expect, test } from './fixtures';
import { hostRows } from './support/host-rows';

const AMBER = '#b45f06';

test.describe('hosts the page reaches other than by its own requests', () => {
  test("a carrier host fetched by the site's service worker: listed, amber 1", async ({
    ext,
    web,
  }) => {
    test.skip(ext.kind !== 'chromium', 'Chromium only for now (issue 23 asks for Chromium)');
    // A service worker needs a secure context; http on a *.localhost name is one.
    const page = `/sw-page?fetch=${encodeURIComponent(web.urlFor('telecom.test', '/sw-fetch.gif'))}`;
    const tab = await ext.open(web.urlFor('sw.localhost', page));
    const badge = await ext.waitForBadge(tab.id, '1');
    expect(badge.color).toBe(AMBER);
    expect(badge.title).toContain('China Telecom: telecom.test');
    const rows = await hostRows(await ext.popup(tab.id));
    expect([...rows.keys()]).toEqual(['telecom.test']);
    expect(rows.get('telecom.test')).toMatch(/on China Telecom/);
  });

  test('a carrier host reached over a WebSocket: listed, amber 1', async ({ ext, web }) => {
    test.skip(ext.kind !== 'chromium', 'Chromium only for now (issue 23 asks for Chromium)');
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
    test.skip(ext.kind !== 'chromium', 'Chromium only for now (issue 23 asks for Chromium)');
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
    test.skip(ext.kind !== 'chromium', 'Chromium only for now (issue 23 asks for Chromium)');
    const final = web.urlFor('cloudflare.test', '/landing');
    const tab = await ext.open(
      web.urlFor('telecom.test', `/redirect?to=${encodeURIComponent(final)}`),
    );
    const badge = await ext.waitForBadge(tab.id, '1');
    expect(badge.color).toBe(AMBER);
    expect(badge.title).toContain('cloudflare.test is not on a watched network');
    const popup = await ext.popup(tab.id);
    await popup.waitForText('verdict', 'cloudflare.test is not on a watched network.');
    const rows = await hostRows(popup);
    // The final site is the page itself, never one of its other hosts.
    expect([...rows.keys()]).toEqual(['telecom.test']);
  });
});
