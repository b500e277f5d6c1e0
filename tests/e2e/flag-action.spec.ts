/**
 * Acting on a flag (issue 21 §1), in Chromium and Firefox with the built extension, the real
 * unbound DoH server and the local web server: with "warn" on, a flagged site (`telecom.test`,
 * China Telecom) is replaced by the extension's warning page, which names the carrier; "Continue
 * to the site once" loads it and the next visit warns again; "Always allow" allowlists it; "block"
 * offers no continue. Before any connection: in Firefox on the first visit (the navigation is held
 * for its check), in Chromium from the second (a session rule); both proven from the web server's
 * and the resolver's own logs.
 */
import { expect, test, type Ext, type SiteTab } from './fixtures';
import { UiPage } from './support/ui-page';
import { waitUntil } from './support/wait';

const WARNING = /\/warning\.html(\?after=1)?#/;

/** A tab on a clean page, for navigating on from (a known tab id whatever the next page is). */
async function cleanTab(ext: Ext, web: { urlFor(host: string, path: string): string }) {
  return ext.open(web.urlFor('cloudflare.test', '/landing'));
}

/** Navigates `tab` to `url` and waits until it shows the warning page; returns that page. */
async function toWarning(tab: SiteTab, url: string): Promise<UiPage> {
  await tab.startNavigation(url);
  let last = '';
  await waitUntil(
    async () => {
      last = await tab.url();
      return WARNING.test(last);
    },
    { what: `the tab to be sent to the warning page for ${url}`, last: () => last },
  );
  const page = new UiPage(tab.driver());
  await page.waitForText('warning-title', /./);
  return page;
}

/** Navigates to a flagged site and waits for the warning page, however the browser gets there. */
async function visitFlagged(tab: SiteTab, url: string): Promise<UiPage> {
  return toWarning(tab, url);
}

async function waitForUrl(tab: SiteTab, match: RegExp): Promise<void> {
  let last = '';
  await waitUntil(
    async () => {
      last = await tab.url();
      return match.test(last);
    },
    { what: `the tab at ${String(match)}`, last: () => last },
  );
}

test.describe('warn or block before a flagged site loads', () => {
  test('warn: the warning page names the carrier; continue once loads the site, the next visit warns again', async ({
    ext,
    web,
  }) => {
    await ext.updateSettings((s) => ({ ...s, onFlagged: 'warn' }));
    const site = web.urlFor('telecom.test', '/landing');
    const tab = await cleanTab(ext, web);
    const warning = await visitFlagged(tab, site);
    expect(await warning.text('warning-title')).toBe("telecom.test is on China Telecom's network");
    expect(await warning.attribute('warning', 'data-response')).toBe('warn');
    // Why, one click away: the address and the network.
    expect((await warning.texts('sentence')).join(' ')).toMatch(/1\.48\.0\.1 .*AS4134/);

    await warning.click('Continue to the site once');
    await waitForUrl(tab, /^http:\/\/telecom\.test:\d+\/landing$/);
    // The page is shown, and still flagged on the badge.
    await ext.waitForBadge(tab.id, 'CT');

    // The next visit warns again.
    await tab.startNavigation(web.urlFor('cloudflare.test', '/landing'));
    await waitForUrl(tab, /cloudflare\.test/);
    const again = await visitFlagged(tab, site);
    expect(await again.text('warning-title')).toContain('China Telecom');

    // The history: the first visit (warned, then continued) and the second (warned), newest first.
    let actions: string[] = [];
    await waitUntil(
      async () => {
        const listed = (await ext.callApi(
          (api) => api.runtime.sendMessage({ type: 'history-list', filter: {} }),
          undefined,
        )) as { rows: { site: string; action: string; carriers: { name: string }[] }[] };
        const rows = listed.rows.filter((r) => r.site === 'telecom.test');
        actions = rows.map((r) => `${r.action} ${r.carriers.map((c) => c.name).join()}`);
        return actions.join('|') === 'warned China Telecom|continued China Telecom';
      },
      { what: 'the two visits in the history', last: () => JSON.stringify(actions) },
    );
  });

  test('"Always allow this site" allowlists it and opens it', async ({ ext, web }) => {
    await ext.updateSettings((s) => ({ ...s, onFlagged: 'warn' }));
    const site = web.urlFor('telecom.test', '/landing');
    const tab = await cleanTab(ext, web);
    const warning = await visitFlagged(tab, site);
    await warning.click('Always allow this site');
    await waitForUrl(tab, /^http:\/\/telecom\.test:\d+\/landing$/);
    const settings = (await ext.callApi(
      (api) => api.runtime.sendMessage({ type: 'get-settings' }),
      undefined,
    )) as { settings: { allowlist: string[] } };
    expect(settings.settings.allowlist).toContain('telecom.test');
    // Allowlisted: no badge, and later visits are not stopped.
    await ext.waitForBadge(tab.id, '');
    await tab.startNavigation(web.urlFor('cloudflare.test', '/landing'));
    await waitForUrl(tab, /cloudflare\.test/);
    await tab.goto(site);
    expect(await tab.url()).toMatch(/^http:\/\/telecom\.test:\d+\/landing$/);
  });

  test('block: the page has no continue; Go back returns to the page before', async ({
    ext,
    web,
  }) => {
    await ext.updateSettings((s) => ({ ...s, onFlagged: 'block' }));
    const tab = await cleanTab(ext, web);
    const warning = await visitFlagged(tab, web.urlFor('telecom.test', '/landing'));
    expect(await warning.attribute('warning', 'data-response')).toBe('block');
    expect(await warning.text('warning-what')).toMatch(/block/i);
    expect(await warning.texts('continue-once')).toEqual([]);
    await warning.click('Go back');
    await waitForUrl(tab, /^http:\/\/cloudflare\.test:\d+\/landing$/);
  });

  test('a clean site is not stopped, and the warning page is never shown for it', async ({
    ext,
    web,
  }) => {
    await ext.updateSettings((s) => ({ ...s, onFlagged: 'block' }));
    const tab = await ext.open(web.urlFor('cloudflare.test', '/landing'));
    await ext.waitForBadge(tab.id, (b) => b.title.includes('not on a watched network'));
    expect(await tab.url()).toMatch(/^http:\/\/cloudflare\.test:\d+\/landing$/);
  });

  test('before any connection: no request reaches the flagged host (Firefox: the first visit; Chromium: the second)', async ({
    ext,
    web,
    doh,
  }) => {
    await ext.updateSettings((s) => ({ ...s, onFlagged: 'warn' }));
    const site = web.urlFor('telecom.test', '/landing');
    const tab = await cleanTab(ext, web);
    if (ext.kind === 'chromium') {
      // The first visit loads, is judged, and is sent to the warning page.
      const first = await visitFlagged(tab, site);
      expect(await first.text('first-request-note')).toMatch(/may already have reached it/);
      await tab.startNavigation(web.urlFor('cloudflare.test', '/landing'));
      await waitForUrl(tab, /cloudflare\.test/);
    }
    web.clearRequests();
    await doh.clearQueries();
    const warning = await visitFlagged(tab, site);
    expect(await warning.text('warning-title')).toContain('China Telecom');
    expect(await warning.texts('first-request-note')).toEqual([]);
    expect(web.requests().filter((r) => r.host === 'telecom.test')).toEqual([]);
    if (ext.kind === 'chromium') {
      // The site was remembered: nothing asked of the resolver either.
      expect((await doh.queries()).filter((q) => q.name.startsWith('telecom.test'))).toEqual([]);
    }
  });
});

test('blocking flagged third-party hosts: once judged, later requests to one are blocked and the popup says so', async ({
  ext,
  web,
}) => {
  await ext.updateSettings((s) => ({ ...s, blockFlaggedHosts: true }));
  const page = web.urlFor('cloudflare.test', '/page-with?hosts=telecom.test');
  const first = await ext.open(page);
  // The first request is made and judged (amber 1): the host joins the blocked ones.
  await ext.waitForBadge(first.id, '1');
  await waitUntil(
    async () =>
      (
        (await ext.callApi((api) => api.storage.session.get('flag-action'), undefined)) as Record<
          string,
          { data?: { blockedHosts?: string[] } }
        >
      )['flag-action']?.data?.blockedHosts?.includes('telecom.test') ?? false,
    { what: 'telecom.test among the blocked hosts' },
  );
  web.clearRequests();
  const second = await ext.open(`${page}&again=1`);
  // Blocked: its request fails, so it is judged by DoH alone, still flagged and listed.
  await ext.waitForBadge(second.id, '1');
  expect(web.requests().filter((r) => r.host === 'telecom.test')).toEqual([]);
  expect(web.requests().filter((r) => r.host === 'cloudflare.test').length).toBeGreaterThan(0);
  const popup = await ext.popup(second.id);
  await popup.waitForText('page-host-blocked', 'blocked');
});
