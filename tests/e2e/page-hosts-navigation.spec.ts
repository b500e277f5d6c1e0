/**
 * A request of the page a tab leaves must never count for the page it goes to. The old page's
 * request to a China Telecom host is held open by the test server while the tab navigates; its end
 * (the browser aborting it, or the server answering it late) reaches the extension after the new page
 * has begun. The new page's host list and badge must never gain that host: it would be a false amber
 * badge on a clean page.
 */
import { expect, test, type Ext, type SiteTab } from './fixtures';
import type { PageHostsView } from '../../lib/tabs/page-hosts';
import { waitUntil } from './support/wait';

/**
 * Clicks the new page's "load" link (a request to cloudflare.test) and checks the page's hosts and
 * badge once that host is listed and judged: by then the worker has handled every event before it,
 * the old page's among them (the browser reports a tab's requests in order). The new page, on
 * site.test, must list cloudflare.test alone and keep a clean badge.
 */
async function expectOnlyTheNewPagesHost(ext: Ext, tab: SiteTab, context: () => string) {
  const hostsOf = () =>
    ext.callApi(
      (api, id) => api.runtime.sendMessage({ type: 'get-page-hosts', tabId: id }),
      tab.id,
    ) as Promise<PageHostsView | null>;
  await tab.clickLink('load');
  let last: PageHostsView | null = null;
  const view = await waitUntil(
    async () => {
      const v = (last = await hostsOf());
      return v?.hosts.some((h) => h.hostname === 'cloudflare.test') && v.checking === 0 && v;
    },
    {
      what: 'the new page’s later host, judged',
      last: () => `${JSON.stringify(last)}; ${context()}`,
    },
  );
  expect(view.pageUrl).toContain('/load-later?onclick=');
  expect(view.hosts.map((h) => h.hostname)).toEqual(['cloudflare.test']);
  expect(view.flagged).toBe(0);
  const badge = await ext.waitForBadge(tab.id, (b) => /site\.test/.test(b.title));
  expect(badge.text).toBe('');
  expect(badge.title).not.toContain('telecom.test');
}

test('an old page’s request ending after the navigation stays off the new page’s hosts and badge', async ({
  ext,
  web,
}) => {
  const held = web.urlFor('telecom.test', '/hold?id=old-page-image');
  const later = web.urlFor('cloudflare.test', '/later.gif');
  const tab = await ext.open(
    web.urlFor('cloudflare.test', `/load-later?onload=${encodeURIComponent(held)}`),
  );
  await waitUntil(async () => web.held().some((h) => h.id === 'old-page-image'), {
    what: 'the old page’s request to telecom.test to reach the server',
  });

  // The new page, on another site: nothing from other hosts until the test says so.
  await tab.goto(web.urlFor('site.test', `/load-later?onclick=${encodeURIComponent(later)}`));
  // The held request ends after the new page began: aborted by the navigation, or answered now.
  web.release('old-page-image');
  await waitUntil(
    async () => web.held().find((h) => h.id === 'old-page-image' && h.state !== 'open'),
    { what: 'the held request to end' },
  );
  await expectOnlyTheNewPagesHost(ext, tab, () => `server: ${JSON.stringify(web.requests())}`);
});

test('an old page that keeps requesting while the tab navigates adds nothing to the new page', async ({
  ext,
  web,
}) => {
  // The old page's timers run until the new page commits: requests it starts after the new page's
  // response began (and some, like Chromium's fetch of the old favicon, reported after the commit)
  // are told from the new page's own by their document, not by time. Both browsers failed this
  // before documents were used (4 of 4 runs each).
  const ping = web.urlFor('telecom.test', '/ping.gif');
  const later = web.urlFor('cloudflare.test', '/later.gif');
  const tab = await ext.open(
    web.urlFor('cloudflare.test', `/keep-requesting?to=${encodeURIComponent(ping)}`),
  );
  await waitUntil(async () => web.requests().filter((r) => r.host === 'telecom.test').length > 20, {
    what: 'the old page’s requests to telecom.test to reach the server',
  });
  await tab.goto(web.urlFor('site.test', `/load-later?onclick=${encodeURIComponent(later)}`));
  await expectOnlyTheNewPagesHost(ext, tab, () => 'the old page kept requesting');
});
