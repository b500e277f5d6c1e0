/**
 * The product, end to end, in Chromium and in Firefox: the built extension, its resolver pointed at a
 * real unbound DoH server on loopback (stubs only for garbage, hangs and HTTP errors), made-up `*.test`
 * sites served by a local web server. Every assertion reads what a user sees: the badge, its tooltip,
 * the popup and the settings page.
 */
import { DEFAULT_WATCHLIST } from '../../lib/watchlist/defaults';
import { ADDRESSES, BADGE_GREY, BADGE_RED, expect, test, type UiPage } from './fixtures';
import { openDetails } from './support/popup-details';

/** The popup's address rows (in the experts' details), one line of text each, once the verdict is in. */
async function popupRows(popup: UiPage): Promise<string[]> {
  await popup.waitForText('verdict', /^(?!Checking)/);
  await openDetails(popup);
  return popup.texts('address-row');
}

test.describe('verdicts through a real DoH server', () => {
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
      ext,
      web,
    }) => {
      const tab = await ext.open(web.urlFor(site.host));
      const badge = await ext.waitForBadge(tab.id, site.code);
      expect(badge.color).toBe(BADGE_RED);
      expect(badge.title).toContain(site.name);
      expect(badge.title).toContain(site.ip);

      const popup = await ext.popup(tab.id);
      await popup.waitForText('verdict', `${site.host} is hosted on ${site.name}.`);
      const rows = await popupRows(popup);
      expect(await popup.text('hostname')).toBe(site.host);
      const carrierRow = rows.find((r) => r.includes(site.ip));
      expect(carrierRow).toContain(site.asn);
      expect(carrierRow).toContain('DNS-over-HTTPS');
      expect(carrierRow).toContain(site.name);
      expect(carrierRow).toContain(`(${site.asn} is on the list, `);
      // The browser's own connection is the second witness (loopback here, so not checked).
      expect(rows.some((r) => r.includes('127.0.0.1') && r.includes("browser's connection"))).toBe(
        true,
      );
      expect(await popup.text('about')).toMatch(
        /@ip-location-db\/asn 2\.3\.\d{10}, published 20\d\d-\d\d-\d\d/,
      );
      expect(await popup.linkHref(/DB-IP/)).toBe('https://db-ip.com');
    });
  }

  test('shows nothing on a clean site, and says so in the popup', async ({ ext, web }) => {
    const tab = await ext.open(web.urlFor('cloudflare.test'));
    const badge = await ext.waitForBadge(tab.id, (b) => /not on a watched network/.test(b.title));
    expect(badge.text).toBe('');
    const popup = await ext.popup(tab.id);
    await popup.waitForText('verdict', 'cloudflare.test is not on a watched network.');
    const rows = await popupRows(popup);
    expect(rows.find((r) => r.includes(ADDRESSES.cloudflareV4))).toContain('AS13335');
  });

  test('follows a CNAME chain to a carrier address', async ({ ext, web }) => {
    const tab = await ext.open(web.urlFor('alias.test'));
    await ext.waitForBadge(tab.id, 'CM');
    const popup = await ext.popup(tab.id);
    await popupRows(popup);
    await popup.waitForVisibleText('alias.test → cdn-edge.test → mobile.test');
  });

  test('flags an IPv6-only site', async ({ ext, web }) => {
    const tab = await ext.open(web.urlFor('v6only.test'));
    await ext.waitForBadge(tab.id, 'CM');
    const rows = await popupRows(await ext.popup(tab.id));
    expect(rows.find((r) => r.includes(ADDRESSES.chinaMobileV6))).toContain('AS9808');
  });

  test('flags a site with one carrier address among clean ones', async ({ ext, web }) => {
    const tab = await ext.open(web.urlFor('mixed.test'));
    await ext.waitForBadge(tab.id, 'CM');
    const rows = await popupRows(await ext.popup(tab.id));
    expect(rows.find((r) => r.includes(ADDRESSES.cloudflareV4))).toContain('AS13335');
    expect(rows.find((r) => r.includes(ADDRESSES.chinaMobileV6))).toContain('China Mobile');
  });

  for (const { host, reason } of [
    { host: 'missing.test', reason: /NXDOMAIN|does not exist/ },
    { host: 'www.fail.test', reason: /SERVFAIL|server failure/i },
  ]) {
    test(`shows ? when the name fails: ${host}`, async ({ ext, web }) => {
      const tab = await ext.open(web.urlFor(host));
      const badge = await ext.waitForBadge(tab.id, '?');
      expect(badge.color).toBe(BADGE_GREY);
      expect(badge.title).toMatch(reason);
      const popup = await ext.popup(tab.id);
      await popup.waitForText('verdict', `${host} could not be checked.`);
    });
  }

  test('re-evaluates a flagged tab when its group is disabled, and again when re-enabled', async ({
    ext,
    web,
  }) => {
    const tab = await ext.open(web.urlFor('mobile.test'));
    await ext.waitForBadge(tab.id, 'CM');
    const options = await ext.options();
    await options.setChecked('Watch China Mobile', false);
    await options.waitForText('status-china-mobile', 'No longer watching China Mobile.');
    await ext.waitForBadge(tab.id, '');
    await options.setChecked('Watch China Mobile', true);
    await ext.waitForBadge(tab.id, 'CM');
  });

  test('a custom group with a user-added ASN flags a site with its own code', async ({
    ext,
    web,
  }) => {
    const options = await ext.options();
    await options.fill('New group name', 'Cloud vendors');
    await options.fill('Badge code', 'CV');
    await options.click('Add group');
    await options.waitForText('new-group-status', 'Group Cloud vendors added.');
    await options.enter('Add ASN or prefix to Cloud vendors', 'AS13335');
    await options.waitForText('status-custom-cloud-vendors', 'Added AS13335 to Cloud vendors.');

    const tab = await ext.open(web.urlFor('cloudflare.test'));
    const badge = await ext.waitForBadge(tab.id, 'CV');
    expect(badge.title).toContain('Cloud vendors');
  });

  test('a user-added prefix flags a site, and two matching groups show !', async ({ ext, web }) => {
    const options = await ext.options();
    await options.enter('Add ASN or prefix to China Unicom', '27.0.160.0/24');
    await options.waitForText('status-china-unicom', 'Added 27.0.160.0/24 to China Unicom.');
    const tab = await ext.open(web.urlFor('mobile.test'));
    const badge = await ext.waitForBadge(tab.id, '!');
    expect(badge.title).toContain('China Mobile');
    expect(badge.title).toContain('China Unicom');
  });

  test('rejects invalid watchlist input inline and saves nothing', async ({ ext }) => {
    const options = await ext.options();
    const summaryOf = async () =>
      (await options.textsOf('[data-testid="group-china-telecom"] summary'))[0];
    const summary = await summaryOf();
    const telecomAsns = DEFAULT_WATCHLIST.groups.find((g) => g.id === 'china-telecom')!.asns.length;
    expect(summary).toBe(`${telecomAsns} ASNs · 0 prefixes`);
    for (const [input, reason] of [
      ['AS0', /0/],
      ['banana', /./],
      ['10.0.0.1/8', /host bits set/],
      ['4134', /already/],
    ] as const) {
      await options.enter('Add ASN or prefix to China Telecom', input);
      await options.waitForAlert(reason);
      // The reason is next to the field, in the group's own status line, and only there.
      expect(await options.attribute('status-china-telecom', 'data-state')).toBe('error');
    }
    // Nothing was saved: a fresh settings page shows the untouched default count.
    await options.reload();
    await options.waitForVisibleText('Custom resolver URL');
    expect(await summaryOf()).toBe(summary);
  });

  test('rejects a broken import file with the reason and keeps the watchlist', async ({ ext }) => {
    const options = await ext.options();
    const before = await options.textsOf('.group');
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
      await options.upload('import-file', { name, content });
      await options.waitForText('import-status', reason);
      expect(await options.texts('import-preview')).toEqual([]);
    }
    await options.reload();
    await options.waitForVisibleText('Custom resolver URL');
    expect(await options.textsOf('.group')).toEqual(before);
  });

  test('refuses an invalid custom resolver and keeps the previous one', async ({
    ext,
    web,
    doh,
  }) => {
    const options = await ext.options();
    for (const bad of ['http://dns.example/dns-query', 'not a url', 'ftp://127.0.0.1/dns-query']) {
      await options.enter('Custom resolver URL', bad);
      await options.waitForAlert(/./);
      expect(await options.attribute('resolver-status', 'data-state')).toBe('error');
    }
    await doh.clearQueries();
    const tab = await ext.open(web.urlFor('telecom.test'));
    await ext.waitForBadge(tab.id, 'CT');
    expect((await doh.queries()).some((q) => q.name === 'telecom.test')).toBe(true);
  });

  test('never sends private, local or single-label names to the resolver', async ({
    ext,
    web,
    doh,
  }) => {
    for (const host of [
      'printer.local',
      'wiki.internal',
      'nas.home.arpa',
      'intranet',
      'localhost',
      '127.0.0.1',
    ]) {
      const tab = await ext.open(web.urlFor(host));
      // Private names are judged by the browser's own (loopback) address: local, no badge.
      await ext.waitForBadge(tab.id, (b) => /local network/.test(b.title));
      await tab.close();
    }
    // A public name afterwards proves the log works and the resolver was in use all along.
    const tab = await ext.open(web.urlFor('telecom.test'));
    await ext.waitForBadge(tab.id, 'CT');
    const names = (await doh.queries()).map((q) => q.name);
    expect(names).toContain('telecom.test');
    expect(names.filter((n) => n !== 'telecom.test')).toEqual([]);
  });

  test('privacy mode sends no query at all; the allowlist skips a site', async ({
    ext,
    web,
    doh,
  }) => {
    const options = await ext.options();
    await options.setChecked(/Privacy mode/, true);
    await options.waitForText('privacy-status', 'Privacy mode on: no DNS queries.');
    await doh.clearQueries();
    for (const host of ['telecom.test', 'mobile.test', 'missing.test']) {
      const tab = await ext.open(web.urlFor(host));
      // Only the browser's address is used, and here it is loopback: local, never '?'.
      await ext.waitForBadge(tab.id, (b) => /local network/.test(b.title));
      await tab.close();
    }
    expect(await doh.queries()).toEqual([]);

    await options.setChecked(/Privacy mode/, false);
    await options.enter('Add site to allowlist', 'telecom.test');
    await options.waitForText('allowlist-status', 'telecom.test allowlisted.');
    const tab = await ext.open(web.urlFor('www.telecom.test'));
    await ext.waitForBadge(tab.id, (b) => /allowlist/.test(b.title));
    expect((await doh.queries()).map((q) => q.name)).not.toContain('www.telecom.test');
  });
});

test.describe('resolver failures unbound cannot produce', () => {
  test('a resolver answering garbage gives ?', async ({ ext, web, stubs }) => {
    await ext.useResolver(stubs.garbage.url);
    const tab = await ext.open(web.urlFor('telecom.test'));
    const badge = await ext.waitForBadge(tab.id, '?');
    expect(badge.title).toMatch(/could not be checked/);
    expect(stubs.garbage.requests().length).toBeGreaterThan(0);
  });

  test('a resolver that never answers gives ? after the timeout', async ({ ext, web, stubs }) => {
    await ext.useResolver(stubs.hang.url);
    const tab = await ext.open(web.urlFor('telecom.test'));
    const badge = await ext.waitForBadge(tab.id, '?', { timeoutMs: 60_000 });
    expect(badge.title).toMatch(/no answer for telecom\.test .* within 5000 ms/);
    expect(stubs.hang.requests().length).toBeGreaterThan(0);
  });

  test('a resolver answering HTTP 503 gives ?', async ({ ext, web, stubs }) => {
    await ext.useResolver(stubs.httpError.url);
    const tab = await ext.open(web.urlFor('telecom.test'));
    const badge = await ext.waitForBadge(tab.id, '?');
    expect(badge.title).toMatch(/503/);
  });
});

test('an IP-literal URL is looked up directly, without DNS', async ({ ext, web, doh }) => {
  const tab = await ext.open(web.urlFor('127.0.0.1', '/literal'));
  const badge = await ext.waitForBadge(tab.id, (b) => /local network/.test(b.title));
  expect(badge.text).toBe('');
  expect(await doh.queries()).toEqual([]);
});
