/**
 * Every host a page talks to, end to end, in Chromium and Firefox: pages from the local web server
 * load scripts from other made-up hosts (`/page-with?hosts=a.test,b.test`); the real unbound DoH
 * server answers for them. Assertions read the badge, the popup and the resolver's own query log.
 */
import { BADGE_RED, DEFAULT_RECORDS, expect, test, type UiPage } from './fixtures';
import { hostRows } from './support/host-rows';
import type { DohRecord } from './support/doh-server';
import { waitUntil } from './support/wait';

const AMBER = '#b45f06';
const MANY = Array.from({ length: 200 }, (_, i) => `h${i + 1}.test`);

// An array value must be wrapped: Playwright reads a bare array as [value, fixture options].
test.use({
  dohRecords: [
    [...DEFAULT_RECORDS, ...MANY.map((name): DohRecord => ({ name, type: 'A', value: '1.1.1.1' }))],
    { scope: 'worker' },
  ],
});

/** How many host rows the popup shows (folded ones stay in the document, hidden). */
async function shownRows(popup: UiPage): Promise<number> {
  return popup.page.evaluate(
    () =>
      [...document.querySelectorAll<HTMLElement>('[data-testid="page-host"]')].filter(
        (li) => li.offsetParent !== null,
      ).length,
    undefined,
  );
}

test.describe('the hosts a page loads from', () => {
  test('a clean site loading a script from China Telecom: amber 1, the popup headed by that host', async ({
    ext,
    web,
  }) => {
    const tab = await ext.open(web.urlFor('cloudflare.test', '/page-with?hosts=telecom.test'));
    const badge = await ext.waitForBadge(tab.id, '1');
    expect(badge.color).toBe(AMBER);
    expect(badge.title).toContain('cloudflare.test is not on a watched network');
    expect(badge.title).toContain('China Telecom: telecom.test');
    const popup = await ext.popup(tab.id);
    await popup.waitForText(
      'verdict',
      "1 of 1 other hosts this page loads from is on China Telecom's network.",
    );
    expect(await popup.text('site-verdict')).toBe('cloudflare.test is not on a watched network.');
    const rows = await hostRows(popup);
    expect([...rows.keys()]).toEqual(['telecom.test']);
    expect(rows.get('telecom.test')).toMatch(/on China Telecom/);
    expect(rows.get('telecom.test')).toMatch(/1\.48\.0\.1 AS4134 .*China Telecom/);
    expect(await popup.text('page-hosts-summary')).toBe('1 of 1 host on watched networks');
  });

  test('a flagged site with clean third parties: red code, hosts listed clean', async ({
    ext,
    web,
  }) => {
    const tab = await ext.open(
      web.urlFor('telecom.test', '/page-with?hosts=cloudflare.test,site.test'),
    );
    const badge = await ext.waitForBadge(tab.id, 'CT');
    expect(badge.color).toBe(BADGE_RED);
    const popup = await ext.popup(tab.id);
    const rows = await hostRows(popup);
    expect([...rows.keys()].sort()).toEqual(['cloudflare.test', 'site.test']);
    expect(rows.get('cloudflare.test')).toMatch(/not on a watched network.*AS13335/);
    expect(await popup.text('page-hosts-summary')).toBe('0 of 2 hosts on watched networks');
    expect((await ext.waitForBadge(tab.id, 'CT')).color).toBe(BADGE_RED);
  });

  test('a third-party host that does not resolve: ? beside it, the page verdict unchanged', async ({
    ext,
    web,
  }) => {
    const tab = await ext.open(web.urlFor('cloudflare.test', '/page-with?hosts=missing.test'));
    await ext.waitForBadge(tab.id, (b) =>
      /cloudflare\.test is not on a watched network/.test(b.title),
    );
    const popup = await ext.popup(tab.id);
    const row = '[data-testid="page-host"][data-host="missing.test"]';
    await waitUntil(async () => (await popup.textsOf(`${row} .host-mark`))[0] === '?', {
      what: 'the ? beside missing.test',
    });
    expect((await popup.textsOf(`${row} [data-testid="page-host-status"]`))[0]).toMatch(
      /could not be checked/,
    );
    expect(await popup.text('verdict')).toBe('cloudflare.test is not on a watched network.');
    const badge = await ext.waitForBadge(tab.id, '');
    expect(badge.title).not.toContain('missing.test');
  });

  test('200 hosts: each listed once, state bounded, at most 2 DoH queries per host', async ({
    ext,
    web,
    doh,
  }) => {
    const tab = await ext.open(web.urlFor('cloudflare.test', `/page-with?hosts=${MANY.join(',')}`));
    await ext.waitForBadge(tab.id, (b) => /not on a watched network/.test(b.title));
    const popup = await ext.popup(tab.id);
    // 400 DoH queries, 6 lookups at a time, on a loaded two-core machine: a generous ceiling.
    await popup.waitForText('page-hosts-summary', '0 of 200 hosts on watched networks', {
      timeoutMs: 120_000,
    });
    const rows = await hostRows(popup);
    expect(rows.size).toBe(200);
    expect([...rows.keys()].sort()).toEqual([...MANY].sort());
    // The long list starts folded to a few rows, and opens from the keyboard.
    const toggle = '[data-testid="page-hosts-toggle"]';
    expect(await popup.attributesOf(toggle, 'aria-expanded')).toEqual(['false']);
    expect(await popup.textsOf(toggle)).toEqual(['Show all 200 hosts']);
    expect(await shownRows(popup)).toBe(3);
    await popup.pressOn(toggle, 'Enter');
    await waitUntil(async () => (await popup.attributesOf(toggle, 'aria-expanded'))[0] === 'true', {
      what: 'the folded host list to open',
    });
    expect(await shownRows(popup)).toBe(200);

    const perHost = new Map<string, number>();
    for (const q of await doh.queries()) perHost.set(q.name, (perHost.get(q.name) ?? 0) + 1);
    for (const host of MANY) {
      expect(perHost.get(host) ?? 0, host).toBeGreaterThan(0);
      expect(perHost.get(host) ?? 0, host).toBeLessThanOrEqual(2);
    }
    const storedBytes = await ext.callApi(async (api, id) => {
      const key = `hosts:${id}`;
      return JSON.stringify((await api.storage.session.get(key))[key] ?? null).length;
    }, tab.id);
    expect(storedBytes).toBeGreaterThan(1000);
    expect(storedBytes).toBeLessThan(512 * 1024);
  });

  test('privacy mode: no query for any host, hosts still listed', async ({ ext, web, doh }) => {
    const options = await ext.options();
    await options.setChecked(/Privacy mode/, true);
    await options.waitForText('privacy-status', 'Privacy mode on: no DNS queries.');
    await doh.clearQueries();
    const tab = await ext.open(
      web.urlFor('cloudflare.test', '/page-with?hosts=telecom.test,mobile.test'),
    );
    await ext.waitForBadge(tab.id, (b) => /local network/.test(b.title));
    const popup = await ext.popup(tab.id);
    const rows = await hostRows(popup);
    expect([...rows.keys()].sort()).toEqual(['mobile.test', 'telecom.test']);
    // Only the browser's own (loopback) address is known.
    expect(rows.get('telecom.test')).toMatch(/local network/);
    expect(await doh.queries()).toEqual([]);
  });

  test('the option switched off: only the site verdict on the badge, the popup still lists hosts', async ({
    ext,
    web,
  }) => {
    const options = await ext.options();
    await options.setChecked('Count third-party hosts on the badge', false);
    await options.waitForText('privacy-status', 'The badge shows only the site itself.');
    const tab = await ext.open(web.urlFor('cloudflare.test', '/page-with?hosts=telecom.test'));
    await ext.waitForBadge(tab.id, (b) => /not on a watched network/.test(b.title));
    const popup = await ext.popup(tab.id);
    const rows = await hostRows(popup);
    expect(rows.get('telecom.test')).toMatch(/on China Telecom/);
    expect(await ext.badge(tab.id)).toMatchObject({ text: '' });

    // Switched back on, the open page's count appears without reloading it.
    await options.setChecked('Count third-party hosts on the badge', true);
    expect((await ext.waitForBadge(tab.id, '1')).color).toBe(AMBER);
  });
});
