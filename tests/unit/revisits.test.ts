/**
 * Issue 23 §2 and the rest of §1, on the worker's tab logic with a fake browser and the shipped
 * prefix table (tests/unit/support/worker-fakes.ts): a revisit the browser serves from its cache,
 * an address with no row in the table, and third-party hosts behind a proxy. 202.96.128.86 is
 * Chinanet (AS4134, China Telecom); 1.1.1.1 and 1.0.0.1 Cloudflare; 6.0.0.1 (US Army, not
 * announced) has no row.
 */
import { describe, expect, it } from 'vitest';
import { ok } from './support/tab-fakes';
import { CARRIER, CLEAN, CLEAN_2, fakeWorker } from './support/worker-fakes';
import { defaultSettings } from '../../lib/settings';
import type { TabReport } from '../../lib/tabs/site-report';
import { CONNECTION_MEMORY_KEY, CONNECTION_MEMORY_TTL_MS } from '../../lib/tabs/connection-memory';

const NO_ROW = '6.0.0.1';
const SHOP = 'https://shop.example/';

/** A split-horizon site: public DoH answers Cloudflare, the browser connects to China Telecom. */
const splitHorizon = { 'shop.example': ok('shop.example', CLEAN) };

function expectCt(report: TabReport) {
  expect(report.final).toBe(true);
  expect(report.verdict.status).toBe('flagged');
  expect(report.verdict.groups.map((g) => g.code)).toEqual(['CT']);
  expect(report.verdict.addresses.find((a) => a.ip === CARRIER)?.origins).toEqual(['browser']);
  expect(report.verdict.watchedConnection).toEqual({
    ip: CARRIER,
    groups: ['China Telecom'],
    groupIds: ['china-telecom'],
  });
}

describe('a revisit served from the browser cache is never clean by omission', () => {
  it('keeps the China Telecom witness of the first visit (same tab, new tab, restarted worker)', async () => {
    const w = await fakeWorker(splitHorizon);
    expectCt(await w.visit(1, SHOP, { ip: CARRIER }));
    expect(w.badges.get(1)?.text).toBe('CT');

    // Ten minutes later, back to the page: served from the HTTP cache, no `ip` at all.
    w.state.now += 10 * 60_000;
    const revisit = await w.visit(1, SHOP, {});
    expectCt(revisit);
    expect(revisit.rememberedConnection).toEqual({ at: 1_000_000 });
    expect(revisit.noConnection).toBeUndefined();
    expect(w.badges.get(1)?.text).toBe('CT');

    // Another tab, after the browser stopped and restarted the worker (storage.session stays).
    w.restart();
    expectCt(await w.visit(2, SHOP, {}));
    expect(w.badges.get(2)?.text).toBe('CT');
  });

  it('a page restored with no response event at all (back/forward cache) keeps it too', async () => {
    const w = await fakeWorker(splitHorizon);
    await w.visit(1, SHOP, { ip: CARRIER });
    await w.browser.committed(1, SHOP);
    await w.settle();
    expectCt((await w.tabs.getReport(1))!);
    expect(w.badges.get(1)?.text).toBe('CT');
  });

  it('says ? when no connection to the site was seen within the hour, never clean', async () => {
    // A fresh browser session: the HTTP cache outlived storage.session.
    const w = await fakeWorker(splitHorizon);
    const cached = await w.visit(1, SHOP, {});
    expect(cached.final).toBe(true);
    expect(cached.noConnection).toBe(true);
    expect(cached.verdict).toMatchObject({ status: 'unchecked', problemKind: 'from-cache' });
    expect(cached.verdict.problem).toMatch(/came from the browser's cache/);
    expect(w.badges.get(1)?.text).toBe('?');

    // Seen, then forgotten after CONNECTION_MEMORY_TTL_MS (one hour).
    await w.visit(2, SHOP, { ip: CARRIER });
    w.state.now += CONNECTION_MEMORY_TTL_MS + 1;
    const late = await w.visit(2, SHOP, {});
    expect(late.verdict).toMatchObject({ status: 'unchecked', problemKind: 'from-cache' });
    expect(w.badges.get(2)?.text).toBe('?');
  });

  it('in privacy mode, a cached page with nothing remembered is ? at once, not "checking" forever', async () => {
    const w = await fakeWorker({}, { settings: { ...defaultSettings(), privacyMode: true } });
    const cached = await w.visit(1, SHOP, {});
    expect(cached.final).toBe(true);
    expect(cached.verdict).toMatchObject({ status: 'unchecked', problemKind: 'from-cache' });
    expect(w.badges.get(1)?.text).toBe('?');
    // With the connection remembered: flagged, from the browser's own witness alone.
    await w.visit(2, SHOP, { ip: CARRIER });
    const revisit = await w.visit(3, SHOP, {});
    expect(revisit.verdict.status).toBe('flagged');
    expect(w.badges.get(3)?.text).toBe('CT');
  });

  it('a clean remembered connection keeps a cached revisit clean; a new connection replaces it', async () => {
    const w = await fakeWorker(splitHorizon);
    await w.visit(1, SHOP, { ip: CLEAN });
    const cached = await w.visit(1, SHOP, {});
    expect(cached.verdict.status).toBe('clean');
    expect(cached.rememberedConnection).toBeDefined();
    // The site moved to China Telecom: the new connection decides, and is remembered in turn.
    expectCt(await w.visit(1, SHOP, { ip: CARRIER }));
    expectCt(await w.visit(2, SHOP, {}));
    // And back: a real connection to a clean address is clean again (the memory never outvotes it).
    const moved = await w.visit(3, SHOP, { ip: CLEAN });
    expect(moved.verdict.status).toBe('clean');
    expect(moved.rememberedConnection).toBeUndefined();
  });

  it('an IP literal served from the cache is judged by the literal, as ever', async () => {
    const w = await fakeWorker({});
    expect((await w.visit(1, `http://${CLEAN}/`, {})).verdict.status).toBe('clean');
    expect((await w.visit(2, `http://${CARRIER}/`, {})).verdict.status).toBe('flagged');
  });

  it('the memory is one bounded record in storage.session', async () => {
    const w = await fakeWorker(splitHorizon);
    await w.visit(1, SHOP, { ip: CARRIER });
    // Stored as a versioned record of the session-record store, `{ v, data }`.
    expect(w.session.data.get(CONNECTION_MEMORY_KEY)).toEqual({
      v: 1,
      data: { version: 1, hosts: { 'shop.example': { ip: CARRIER, at: 1_000_000 } } },
    });
  });
});

describe('a public address with no row in the table is ?, never clean', () => {
  it('from DoH and the connection alike', async () => {
    const w = await fakeWorker({ 'new.example': ok('new.example', NO_ROW) });
    const report = await w.visit(1, 'https://new.example/', { ip: NO_ROW });
    expect(report.verdict).toMatchObject({ status: 'unchecked', problemKind: 'not-in-table' });
    expect(report.verdict.problem).toBe(
      `${NO_ROW} is not in the routing data, so its network cannot be told`,
    );
    expect(w.badges.get(1)).toMatchObject({ text: '?' });
  });

  it('NAT64 in privacy mode: the IPv4 inside has no row', async () => {
    const w = await fakeWorker({}, { settings: { ...defaultSettings(), privacyMode: true } });
    const report = await w.visit(1, 'https://v6.example/', { ip: '64:ff9b::600:1' });
    expect(report.verdict.addresses[0]?.embedded).toEqual({ kind: 'nat64', ipv4: NO_ROW });
    expect(report.verdict).toMatchObject({ status: 'unchecked', problemKind: 'not-in-table' });
    expect(w.badges.get(1)?.text).toBe('?');
  });
});

describe('third-party hosts behind a proxy', () => {
  const answers = {
    'news.example': ok('news.example', CLEAN),
    'cdn.example': ok('cdn.example', CLEAN_2),
    'ct-cdn.example': ok('ct-cdn.example', CARRIER),
  };
  const hostVerdict = async (w: Awaited<ReturnType<typeof fakeWorker>>, hostname: string) => {
    await w.tabs.idle();
    const view = await w.tabs.getPageHosts(1);
    return view?.hosts.find((h) => h.hostname === hostname)?.verdict;
  };

  it('a proxy Firefox names on China Telecom flags the third party it carried, with the sentence', async () => {
    const w = await fakeWorker(answers);
    const proxyInfo = { type: 'http', host: 'proxy.corp.example', port: 3128 };
    expectCt(await w.visit(1, 'https://news.example/', { ip: CARRIER, proxyInfo }));
    await w.browser.subrequest({
      tabId: 1,
      url: 'https://cdn.example/app.js',
      ip: CARRIER,
      proxyInfo,
    });
    const cdn = await hostVerdict(w, 'cdn.example');
    expect(cdn?.status).toBe('flagged');
    expect(cdn?.groups.map((g) => g.code)).toEqual(['CT']);
    expect(cdn?.watchedConnection).toEqual({
      ip: CARRIER,
      groups: ['China Telecom'],
      groupIds: ['china-telecom'],
    });
  });

  it("the page's own proxy sets a China Telecom address aside for no third party either", async () => {
    // The page went through a proxy on China Telecom (named by Firefox); a third-party request
    // reported at the same address without proxyInfo is still a China Telecom connection.
    const w = await fakeWorker(answers);
    const proxyInfo = { type: 'http', host: 'proxy.corp.example', port: 3128 };
    await w.visit(1, 'https://news.example/', { ip: CARRIER, proxyInfo });
    expect((await w.tabs.getReport(1))?.verdict.proxy?.address).toBe(CARRIER);
    await w.browser.subrequest({ tabId: 1, url: 'https://cdn.example/app.js', ip: CARRIER });
    expect((await hostVerdict(w, 'cdn.example'))?.status).toBe('flagged');
  });

  it('a real proxy on a local or clean address is named, and never flags or witnesses', async () => {
    const w = await fakeWorker(answers);
    const loopback = { type: 'http', host: '127.0.0.1', port: 8080 };
    const page = await w.visit(1, 'https://news.example/', {
      ip: '127.0.0.1',
      proxyInfo: loopback,
    });
    expect(page.verdict.status).toBe('clean');
    expect(page.verdict.proxy).toMatchObject({ address: '127.0.0.1', detectedBy: 'proxy-info' });
    expect(w.badges.get(1)?.text).toBe('');
    await w.browser.subrequest({
      tabId: 1,
      url: 'https://cdn.example/app.js',
      ip: '127.0.0.1',
      proxyInfo: loopback,
    });
    const cdn = await hostVerdict(w, 'cdn.example');
    expect(cdn?.status).toBe('clean');
    expect(cdn?.addresses.map((a) => [a.ip, a.origins])).toEqual([[CLEAN_2, ['doh']]]);
    // A clean proxy Firefox names: set aside, the host judged by DoH (a carrier host still flags).
    const cleanProxy = { type: 'socks', host: 'vpn.example', port: 1080 };
    await w.browser.subrequest({
      tabId: 1,
      url: 'https://ct-cdn.example/x.js',
      ip: CLEAN,
      proxyInfo: cleanProxy,
    });
    const ctCdn = await hostVerdict(w, 'ct-cdn.example');
    expect(ctCdn?.status).toBe('flagged');
    expect(ctCdn?.addresses.map((a) => [a.ip, a.origins])).toEqual([[CARRIER, ['doh']]]);
    expect(ctCdn?.watchedConnection).toBeUndefined();
  });

  it("the page's repeated-address proxy on a clean address is set aside for its third parties", async () => {
    const w = await fakeWorker({
      ...answers,
      'a.example': ok('a.example', CLEAN),
      'b.example': ok('b.example', '8.8.8.8'),
      'c.example': ok('c.example', '9.9.9.9'),
    });
    // Three unrelated sites with clean DoH answers reached at 1.0.0.1: a proxy (Chromium pattern).
    for (const [tabId, host] of [
      [2, 'a.example'],
      [3, 'b.example'],
      [1, 'c.example'],
    ] as const) {
      await w.visit(tabId, `https://${host}/`, { ip: CLEAN_2 });
    }
    expect((await w.tabs.getReport(1))?.verdict.proxy).toMatchObject({
      address: CLEAN_2,
      detectedBy: 'repeated-address',
    });
    await w.browser.subrequest({ tabId: 1, url: 'https://news.example/x.js', ip: CLEAN_2 });
    const news = await hostVerdict(w, 'news.example');
    expect(news?.status).toBe('clean');
    expect(news?.connectedElsewhere).toBeUndefined();
    expect(news?.addresses.map((a) => a.ip)).toEqual([CLEAN]);
  });
});
