/**
 * The product, end to end: the built extension in Debian's chromium, its resolver pointed at a real
 * unbound DoH server on loopback (stubs only for garbage and hangs), made-up `*.test` sites served
 * by a local web server. Every assertion reads what a user sees: the badge, its tooltip, the popup
 * and the options page.
 */
import type { Page } from '@playwright/test';
import { ADDRESSES, expect, test } from './fixtures';

const RED = '#d93025';
const GREY = '#5f6368';

/** The popup's table rows, one line of text each. */
async function popupRows(popup: Page): Promise<string[]> {
  await expect(popup.getByTestId('verdict')).not.toHaveText(/Checking/);
  return (await popup.getByTestId('address-row').allInnerTexts()).map((t) =>
    t.replace(/\s+/g, ' '),
  );
}

test.describe('verdicts through a real DoH server', () => {
  test.beforeEach(async ({ useResolver, doh }) => {
    await useResolver(doh.url);
  });

  for (const site of [
    {
      host: 'telecom.test',
      code: 'CT',
      name: 'China Telecom',
      ip: ADDRESSES.chinaTelecomV4,
      asn: 'AS4134',
    },
    {
      host: 'mobile.test',
      code: 'CM',
      name: 'China Mobile',
      ip: ADDRESSES.chinaMobileV4,
      asn: 'AS9808',
    },
    {
      host: 'unicom.test',
      code: 'CU',
      name: 'China Unicom',
      ip: ADDRESSES.chinaUnicomV4,
      asn: 'AS4837',
    },
  ]) {
    test(`flags ${site.host} as ${site.code} and explains it in the popup`, async ({
      page,
      web,
      tabIdOf,
      waitForBadge,
      openPopupFor,
    }) => {
      await page.goto(web.urlFor(site.host));
      const tabId = await tabIdOf(page);
      const badge = await waitForBadge(tabId, site.code);
      expect(badge.color).toBe(RED);
      expect(badge.title).toContain(site.name);
      expect(badge.title).toContain(site.ip);

      const popup = await openPopupFor(tabId);
      await expect(popup.getByTestId('verdict')).toHaveText(`Flagged: hosted on ${site.name}`);
      await expect(popup.getByTestId('hostname')).toHaveText(site.host);
      const rows = await popupRows(popup);
      const carrierRow = rows.find((r) => r.includes(site.ip));
      expect(carrierRow).toContain(site.asn);
      expect(carrierRow).toContain('DNS-over-HTTPS');
      expect(carrierRow).toContain(site.name);
      expect(carrierRow).toContain(`(${site.asn} is on the list)`);
      // The browser's own connection is the second witness (loopback here, so not checked).
      expect(rows.some((r) => r.includes('127.0.0.1') && r.includes("browser's connection"))).toBe(
        true,
      );
      await expect(popup.getByTestId('about')).toContainText(
        /@ip-location-db\/asn 2\.3\.\d{10}, published 20\d\d-\d\d-\d\d/,
      );
      await expect(popup.getByRole('link', { name: /DB-IP/ })).toHaveAttribute(
        'href',
        'https://db-ip.com',
      );
    });
  }

  test('shows nothing on a clean site, and says so in the popup', async ({
    page,
    web,
    tabIdOf,
    waitForBadge,
    openPopupFor,
  }) => {
    await page.goto(web.urlFor('cloudflare.test'));
    const tabId = await tabIdOf(page);
    const badge = await waitForBadge(tabId, (b) => /not on a watched network/.test(b.title));
    expect(badge.text).toBe('');
    const popup = await openPopupFor(tabId);
    await expect(popup.getByTestId('verdict')).toHaveText('Not on a watched network');
    const rows = await popupRows(popup);
    expect(rows.find((r) => r.includes(ADDRESSES.cloudflareV4))).toContain('AS13335');
  });

  test('follows a CNAME chain to a carrier address', async ({
    page,
    web,
    tabIdOf,
    waitForBadge,
    openPopupFor,
  }) => {
    await page.goto(web.urlFor('alias.test'));
    const tabId = await tabIdOf(page);
    await waitForBadge(tabId, 'CM');
    const popup = await openPopupFor(tabId);
    await expect(popup.getByText('alias.test → cdn-edge.test → mobile.test')).toBeVisible();
  });

  test('flags an IPv6-only site', async ({ page, web, tabIdOf, waitForBadge, openPopupFor }) => {
    await page.goto(web.urlFor('v6only.test'));
    const tabId = await tabIdOf(page);
    await waitForBadge(tabId, 'CM');
    const rows = await popupRows(await openPopupFor(tabId));
    expect(rows.find((r) => r.includes(ADDRESSES.chinaMobileV6))).toContain('AS9808');
  });

  test('flags a site with one carrier address among clean ones', async ({
    page,
    web,
    tabIdOf,
    waitForBadge,
    openPopupFor,
  }) => {
    await page.goto(web.urlFor('mixed.test'));
    const tabId = await tabIdOf(page);
    await waitForBadge(tabId, 'CM');
    const rows = await popupRows(await openPopupFor(tabId));
    expect(rows.find((r) => r.includes(ADDRESSES.cloudflareV4))).toContain('AS13335');
    expect(rows.find((r) => r.includes(ADDRESSES.chinaMobileV6))).toContain('China Mobile');
  });

  for (const { host, reason } of [
    { host: 'missing.test', reason: /NXDOMAIN|does not exist/ },
    { host: 'www.fail.test', reason: /SERVFAIL|server failure/i },
  ]) {
    test(`shows ? when the name fails: ${host}`, async ({
      page,
      web,
      tabIdOf,
      waitForBadge,
      openPopupFor,
    }) => {
      await page.goto(web.urlFor(host));
      const tabId = await tabIdOf(page);
      const badge = await waitForBadge(tabId, '?');
      expect(badge.color).toBe(GREY);
      expect(badge.title).toMatch(reason);
      const popup = await openPopupFor(tabId);
      await expect(popup.getByTestId('verdict')).toHaveText(/^Could not be checked/);
    });
  }

  test('re-evaluates a flagged tab when its group is disabled, and again when re-enabled', async ({
    page,
    web,
    tabIdOf,
    waitForBadge,
    openOptions,
  }) => {
    await page.goto(web.urlFor('mobile.test'));
    const tabId = await tabIdOf(page);
    await waitForBadge(tabId, 'CM');
    const options = await openOptions();
    await options.getByLabel('Watch China Mobile').uncheck();
    await expect(options.getByTestId('notice')).toHaveText('China Mobile disabled.');
    await waitForBadge(tabId, '');
    await options.getByLabel('Watch China Mobile').check();
    await waitForBadge(tabId, 'CM');
  });

  test('a custom group with a user-added ASN flags a site with its own code', async ({
    page,
    web,
    tabIdOf,
    waitForBadge,
    openOptions,
  }) => {
    const options = await openOptions();
    await options.getByLabel('New group name').fill('Cloud vendors');
    await options.getByLabel('Badge code').fill('CV');
    await options.getByRole('button', { name: 'Add group' }).click();
    await expect(options.getByTestId('notice')).toHaveText('Group Cloud vendors added.');
    const field = options.getByLabel('Add ASN or prefix to Cloud vendors');
    await field.fill('AS13335');
    await field.press('Enter');
    await expect(options.getByTestId('notice')).toHaveText('Added AS13335 to Cloud vendors.');

    await page.goto(web.urlFor('cloudflare.test'));
    const tabId = await tabIdOf(page);
    const badge = await waitForBadge(tabId, 'CV');
    expect(badge.title).toContain('Cloud vendors');
  });

  test('a user-added prefix flags a site, and two matching groups show !', async ({
    page,
    web,
    tabIdOf,
    waitForBadge,
    openOptions,
  }) => {
    const options = await openOptions();
    const field = options.getByLabel('Add ASN or prefix to China Unicom');
    await field.fill('27.0.160.0/24');
    await field.press('Enter');
    await expect(options.getByTestId('notice')).toHaveText('Added 27.0.160.0/24 to China Unicom.');
    await page.goto(web.urlFor('mobile.test'));
    const tabId = await tabIdOf(page);
    const badge = await waitForBadge(tabId, '!');
    expect(badge.title).toContain('China Mobile');
    expect(badge.title).toContain('China Unicom');
  });

  test('rejects invalid watchlist input inline and saves nothing', async ({ openOptions }) => {
    const options = await openOptions();
    const field = options.getByLabel('Add ASN or prefix to China Telecom');
    for (const [input, reason] of [
      ['AS0', /0/],
      ['banana', /./],
      ['10.0.0.1/8', /host bits set/],
      ['4134', /already/],
    ] as const) {
      await field.fill(input);
      await field.press('Enter');
      await expect(options.getByRole('alert').filter({ hasText: reason })).toBeVisible();
    }
    await expect(options.getByTestId('notice')).toHaveText('');
    // Nothing was saved: a fresh options page shows the untouched default count.
    const summary = await options.getByTestId('group-china-telecom').locator('summary').innerText();
    await options.reload();
    await expect(options.getByTestId('group-china-telecom').locator('summary')).toHaveText(summary);
    expect(summary).toMatch(/^153 ASNs, 0 prefixes$/);
  });

  test('rejects a broken import file with the reason and keeps the watchlist', async ({
    openOptions,
  }) => {
    const options = await openOptions();
    await expect(options.getByTestId('group-china-telecom')).toBeVisible();
    const before = await options.locator('.group').allInnerTexts();
    expect(before.length).toBeGreaterThanOrEqual(3);
    for (const [name, content, reason] of [
      ['broken.json', '{"format": "carrierflag-watchlist", ', /JSON/i],
      ['wrong.json', '{"format":"something-else","version":1,"groups":[]}', /format/i],
      [
        'bad-prefix.json',
        JSON.stringify({
          format: 'carrierflag-watchlist',
          version: 1,
          groups: [
            {
              id: 'x',
              name: 'X',
              code: 'XX',
              enabled: true,
              builtin: false,
              asns: [],
              prefixes: ['10.0.0.1/8'],
            },
          ],
        }),
        /host bits/,
      ],
    ] as const) {
      await options.getByTestId('import-file').setInputFiles({
        name,
        mimeType: 'application/json',
        buffer: Buffer.from(content),
      });
      await expect(options.getByTestId('import-error')).toContainText(reason);
    }
    await options.reload();
    await expect.poll(() => options.locator('.group').allInnerTexts()).toEqual(before);
  });

  test('refuses an invalid custom resolver and keeps the previous one', async ({
    page,
    web,
    doh,
    openOptions,
    tabIdOf,
    waitForBadge,
  }) => {
    const options = await openOptions();
    const field = options.getByLabel('Custom resolver URL');
    for (const bad of ['http://dns.example/dns-query', 'not a url', 'ftp://127.0.0.1/dns-query']) {
      await field.fill(bad);
      await field.press('Enter');
      await expect(options.getByRole('alert').first()).toBeVisible();
    }
    await expect(options.getByTestId('notice')).toHaveText('');
    await doh.clearQueries();
    await page.goto(web.urlFor('telecom.test'));
    await waitForBadge(await tabIdOf(page), 'CT');
    expect((await doh.queries()).some((q) => q.name === 'telecom.test')).toBe(true);
  });

  test('keeps working after the browser stops the worker mid-session', async ({
    page,
    context,
    web,
    tabIdOf,
    waitForBadge,
    stopServiceWorker,
    isServiceWorkerRunning,
    openPopupFor,
  }) => {
    await page.goto(web.urlFor('telecom.test'));
    const firstTab = await tabIdOf(page);
    await waitForBadge(firstTab, 'CT');

    await stopServiceWorker();
    expect(await isServiceWorkerRunning()).toBe(false);

    const second = await context.newPage();
    await second.goto(web.urlFor('unicom.test'));
    const secondTab = await tabIdOf(second);
    await waitForBadge(secondTab, 'CU');
    // The first tab's verdict survived in storage.session: the popup still explains it.
    const popup = await openPopupFor(firstTab);
    await expect(popup.getByTestId('verdict')).toHaveText('Flagged: hosted on China Telecom');
    // And the restarted worker still evaluates the first tab's next page.
    await page.goto(web.urlFor('mobile.test'));
    await waitForBadge(firstTab, 'CM');
  });

  test('never sends private, local or single-label names to the resolver', async ({
    page,
    web,
    doh,
    tabIdOf,
    waitForBadge,
  }) => {
    await doh.clearQueries();
    for (const host of [
      'printer.local',
      'wiki.internal',
      'nas.home.arpa',
      'intranet',
      'localhost',
    ]) {
      await page.goto(web.urlFor(host));
      const tabId = await tabIdOf(page);
      // Private names are judged by the browser's own (loopback) address: local, no badge.
      await waitForBadge(tabId, (b) => /local network/.test(b.title));
    }
    await page.goto(web.urlFor('127.0.0.1'));
    await waitForBadge(await tabIdOf(page), (b) => /local network/.test(b.title));
    // A public name afterwards proves the log works and the resolver was in use all along.
    await page.goto(web.urlFor('telecom.test'));
    await waitForBadge(await tabIdOf(page), 'CT');
    const names = (await doh.queries()).map((q) => q.name);
    expect(names).toContain('telecom.test');
    expect(names.filter((n) => n !== 'telecom.test')).toEqual([]);
  });

  test('privacy mode sends no query at all; the allowlist skips a site', async ({
    page,
    web,
    doh,
    openOptions,
    tabIdOf,
    waitForBadge,
  }) => {
    const options = await openOptions();
    await options.getByLabel(/Privacy mode/).check();
    await expect(options.getByTestId('notice')).toHaveText('Privacy mode on: no DNS queries.');
    await doh.clearQueries();
    for (const host of ['telecom.test', 'mobile.test', 'missing.test']) {
      await page.goto(web.urlFor(host));
      // Only the browser's address is used, and here it is loopback: local, never '?'.
      await waitForBadge(await tabIdOf(page), (b) => /local network/.test(b.title));
    }
    expect(await doh.queries()).toEqual([]);

    await options.getByLabel(/Privacy mode/).uncheck();
    const field = options.getByLabel('Add site to allowlist');
    await field.fill('telecom.test');
    await field.press('Enter');
    await expect(options.getByTestId('notice')).toHaveText('telecom.test allowlisted.');
    await page.goto(web.urlFor('www.telecom.test'));
    await waitForBadge(await tabIdOf(page), (b) => /allowlist/.test(b.title));
    expect((await doh.queries()).map((q) => q.name)).not.toContain('www.telecom.test');
  });
});

test.describe('resolver failures unbound cannot produce', () => {
  test('a resolver answering garbage gives ?', async ({
    page,
    web,
    stubs,
    useResolver,
    tabIdOf,
    waitForBadge,
  }) => {
    await useResolver(stubs.garbage.url);
    await page.goto(web.urlFor('telecom.test'));
    const badge = await waitForBadge(await tabIdOf(page), '?');
    expect(badge.title).toMatch(/could not be checked/);
    expect(stubs.garbage.requests().length).toBeGreaterThan(0);
  });

  test('a resolver that never answers gives ? after the timeout', async ({
    page,
    web,
    stubs,
    useResolver,
    tabIdOf,
    waitForBadge,
  }) => {
    await useResolver(stubs.hang.url);
    await page.goto(web.urlFor('telecom.test'));
    const tabId = await tabIdOf(page);
    const badge = await waitForBadge(tabId, '?', { timeoutMs: 10_000 });
    expect(badge.title).toMatch(/no answer for telecom\.test .* within 5000 ms/);
  });

  test('a resolver answering HTTP 503 gives ?', async ({
    page,
    web,
    stubs,
    useResolver,
    tabIdOf,
    waitForBadge,
  }) => {
    await useResolver(stubs.httpError.url);
    await page.goto(web.urlFor('telecom.test'));
    const badge = await waitForBadge(await tabIdOf(page), '?');
    expect(badge.title).toMatch(/503/);
  });
});

test('an IP-literal URL is looked up directly, without DNS', async ({
  page,
  web,
  doh,
  useResolver,
  tabIdOf,
  waitForBadge,
}) => {
  await useResolver(doh.url);
  await doh.clearQueries();
  await page.goto(web.urlFor('127.0.0.1', '/literal'));
  const badge = await waitForBadge(await tabIdOf(page), (b) => /local network/.test(b.title));
  expect(badge.text).toBe('');
  expect(await doh.queries()).toEqual([]);
});
