// The worker's sequences for redirect hops and service worker requests (entrypoints/background/
// worker.ts), replayed with the browser's event times against the real host list: which page each
// request lands on.
import { describe, expect, it } from 'vitest';
import { fakeSession, ok, table } from '../support/tab-fakes';
import { defaultSettings } from '../../../lib/settings';
import { createPageHosts } from '../../../lib/tabs/page-hosts';
import { createNavigationHops } from '../../../lib/tabs/navigation-hops';
import { createTabOrigins, requesterOrigin } from '../../../lib/tabs/worker-requests';

function setup() {
  const hosts = createPageHosts({
    session: fakeSession(),
    table: Promise.resolve(table),
    getSettings: () => defaultSettings(),
    resolve: async (hostname) =>
      hostname.startsWith('ct') ? ok(hostname, '202.96.128.86') : ok(hostname, '1.1.1.1'),
    pageOf: async () => null,
    onChange: () => undefined,
    now: () => 1_000,
    log: () => {},
    writeDelayMs: 0,
  });
  const listed = async (tabId: number) => {
    await hosts.idle();
    return (await hosts.getPageHosts(tabId))?.hosts.map((h) => `${h.hostname} ${h.verdict.status}`);
  };
  return { hosts, listed, hops: createNavigationHops() };
}

describe('a main-frame redirect hop', () => {
  it('is listed on the page the navigation commits, not on the page it left', async () => {
    const t = setup();
    await t.hosts.navigationCommitted(1, 'https://before.test/', 1000, 'DOC-A');
    await t.hosts.requestSeen(1, 'https://cdn-a.test/x.js', undefined, 1100, 'DOC-A');
    // A link to a carrier URL shortener, which answers 302 to a clean page.
    t.hops.navigationStarted(1, 2000);
    await t.hosts.navigationStarted(1, 2000);
    t.hops.redirected(1, { url: 'https://ct-short.test/abc', ip: '202.96.128.86', at: 2010 });
    // The hop of the final host to itself (an https upgrade) the worker never passes on.
    await t.hosts.mainFrameResponseStarted(1, 2050);
    await t.hosts.navigationCommitted(1, 'https://clean.test/page', 2060, 'DOC-B');
    for (const hop of t.hops.committed(1, 2060)) {
      await t.hosts.requestSeen(1, hop.url, hop.ip, 2060, 'DOC-B');
    }
    await t.hosts.requestSeen(1, 'https://cdn-b.test/y.js', undefined, 2070, 'DOC-B');
    expect(await t.listed(1)).toEqual(['ct-short.test flagged', 'cdn-b.test clean']);
  });

  it('stays when the main-frame response reaches the worker after the commit', async () => {
    const t = setup();
    await t.hosts.navigationCommitted(1, 'https://before.test/', 1000, 'DOC-A');
    t.hops.navigationStarted(1, 2000);
    await t.hosts.navigationStarted(1, 2000);
    t.hops.redirected(1, { url: 'https://ct-short.test/abc', at: 2010 });
    await t.hosts.navigationCommitted(1, 'https://clean.test/', 2060, 'DOC-B');
    for (const hop of t.hops.committed(1, 2060)) {
      await t.hosts.requestSeen(1, hop.url, hop.ip, 2060, 'DOC-B');
    }
    await t.hosts.mainFrameResponseStarted(1, 2050);
    expect(await t.listed(1)).toEqual(['ct-short.test flagged']);
  });

  it('without document ids (older Firefox): dated by the commit, still the new page', async () => {
    const t = setup();
    await t.hosts.navigationCommitted(1, 'https://before.test/', 1000);
    t.hops.navigationStarted(1, 2000);
    await t.hosts.navigationStarted(1, 2000);
    t.hops.redirected(1, { url: 'https://ct-short.test/abc', at: 2010 });
    await t.hosts.mainFrameResponseStarted(1, 2050);
    await t.hosts.navigationCommitted(1, 'https://clean.test/', 2060);
    for (const hop of t.hops.committed(1, 2060)) {
      await t.hosts.requestSeen(1, hop.url, hop.ip, 2060, undefined);
    }
    expect(await t.listed(1)).toEqual(['ct-short.test flagged']);
  });
});

describe('a main-frame redirect hop reported after its commit (Firefox)', () => {
  it('is listed on the committed page', async () => {
    const t = setup();
    await t.hosts.navigationCommitted(1, 'https://before.test/', 1000, 'DOC-A');
    t.hops.navigationStarted(1, 2000);
    await t.hosts.navigationStarted(1, 2000);
    await t.hosts.navigationCommitted(1, 'https://clean.test/', 2060, 'DOC-B');
    expect(t.hops.committed(1, 2060, 'DOC-B')).toEqual([]);
    const late = t.hops.redirected(1, { url: 'https://ct-short.test/abc', at: 2010 });
    expect(late).toBeDefined();
    await t.hosts.mainFrameResponseStarted(1, 2050);
    await t.hosts.requestSeen(
      1,
      'https://ct-short.test/abc',
      undefined,
      late!.at,
      late!.documentId,
    );
    expect(await t.listed(1)).toEqual(['ct-short.test flagged']);
  });
});

describe("a site's service worker request", () => {
  it('is listed under the tabs showing that site, dated by its start', async () => {
    const t = setup();
    const origins = createTabOrigins({ listTabs: async () => [] });
    await t.hosts.navigationCommitted(1, 'https://site.test/', 1000, 'DOC-A');
    origins.committed(1, 'https://site.test/');
    await t.hosts.navigationCommitted(2, 'https://other.test/', 1000, 'DOC-C');
    origins.committed(2, 'https://other.test/');
    // Chromium: tabId -1, the worker's origin as initiator, no document.
    const origin = requesterOrigin({ initiator: 'https://site.test' })!;
    for (const tabId of await origins.tabsOf(origin)) {
      await t.hosts.requestSeen(tabId, 'https://ct-api.test/data', '202.96.128.86', 1500);
    }
    expect(await t.listed(1)).toEqual(['ct-api.test flagged']);
    expect(await t.listed(2)).toEqual([]);
  });
});
