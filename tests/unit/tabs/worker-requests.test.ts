import { describe, expect, it } from 'vitest';
import {
  createTabOrigins,
  isExtensionOrigin,
  isPageWorkerRequest,
  requesterOrigin,
  type OpenTab,
} from '../../../lib/tabs/worker-requests';

describe('who made a tab-less request', () => {
  it("reads Chromium's initiator and Firefox's document or worker script URL", () => {
    // Chromium: a service worker's fetch names the worker's origin.
    expect(requesterOrigin({ initiator: 'https://site.test' })).toBe('https://site.test');
    // Firefox: the worker script's URL.
    expect(requesterOrigin({ originUrl: 'https://site.test:8443/sw.js?v=2' })).toBe(
      'https://site.test:8443',
    );
    expect(
      requesterOrigin({ documentUrl: 'http://site.test/page', originUrl: 'http://other.test/' }),
    ).toBe('http://site.test');
    expect(requesterOrigin({ initiator: 'null' })).toBeUndefined();
    expect(requesterOrigin({})).toBeUndefined();
  });

  it("tells a page's worker from the extension's own requests and the browser's", () => {
    expect(isPageWorkerRequest({ initiator: 'https://site.test' })).toBe(true);
    expect(isPageWorkerRequest({ originUrl: 'http://site.test/sw.js' })).toBe(true);
    // The worker's DoH lookups and routing data downloads.
    expect(isPageWorkerRequest({ initiator: 'chrome-extension://abcdefghijklmnop' })).toBe(false);
    expect(
      isPageWorkerRequest({
        originUrl:
          'moz-extension://0b1c2d3e-aaaa-bbbb-cccc-1234567890ab/_generated_background_page.html',
      }),
    ).toBe(false);
    // Safe browsing, component updates: no maker named.
    expect(isPageWorkerRequest({})).toBe(false);
    expect(isPageWorkerRequest({ initiator: 'null' })).toBe(false);
    expect(isExtensionOrigin('chrome-extension://abc')).toBe(true);
    expect(isExtensionOrigin('moz-extension://abc')).toBe(true);
    expect(isExtensionOrigin('https://abc.test')).toBe(false);
  });
});

describe('the tabs of an origin', () => {
  function setup(tabs: OpenTab[] = [], options: { maxPerRequest?: number; maxTabs?: number } = {}) {
    let queries = 0;
    let answer: () => void = () => undefined;
    // The open tabs are asked for lazily: the answer is held until the test gives it.
    const answered = new Promise<OpenTab[]>((resolve) => (answer = () => resolve(tabs)));
    const origins = createTabOrigins({
      listTabs: () => {
        queries += 1;
        return answered;
      },
      ...options,
    });
    return {
      origins,
      queries: () => queries,
      answer: () => answer(),
    };
  }

  it('lists every tab committed on the origin, most recent first, and asks for the open tabs once', async () => {
    const t = setup([
      { id: 1, url: 'https://site.test/a' },
      { id: 2, url: 'https://other.test/' },
      { id: 3, url: 'https://site.test:8443/' },
      { id: 4 }, // a tab whose URL we may not read
    ]);
    t.origins.committed(5, 'https://site.test/b');
    const first = t.origins.tabsOf('https://site.test');
    t.answer();
    expect(await first).toEqual([1, 5]);
    expect(await t.origins.tabsOf('https://site.test:8443')).toEqual([3]);
    expect(await t.origins.tabsOf('https://nowhere.test')).toEqual([]);
    expect(t.queries()).toBe(1);
  });

  it('a commit or a close seen before the query answers wins over its stale answer', async () => {
    const t = setup([
      { id: 1, url: 'https://site.test/' },
      { id: 2, url: 'https://site.test/' },
    ]);
    const pending = t.origins.tabsOf('https://site.test');
    t.origins.committed(1, 'https://other.test/');
    t.origins.removed(2);
    t.answer();
    expect(await pending).toEqual([]);
    expect(await t.origins.tabsOf('https://other.test')).toEqual([1]);
  });

  it('follows navigations and closes; a non-web page is no origin', async () => {
    const t = setup([]);
    t.answer();
    t.origins.committed(1, 'https://site.test/');
    t.origins.committed(2, 'https://site.test/');
    expect(await t.origins.tabsOf('https://site.test')).toEqual([2, 1]);
    t.origins.committed(2, 'chrome://newtab/');
    t.origins.removed(1);
    expect(await t.origins.tabsOf('https://site.test')).toEqual([]);
  });

  it('is bounded: at most maxPerRequest tabs per request, maxTabs remembered', async () => {
    const t = setup([], { maxPerRequest: 2, maxTabs: 3 });
    t.answer();
    for (const id of [1, 2, 3, 4]) t.origins.committed(id, 'https://site.test/');
    expect(await t.origins.tabsOf('https://site.test')).toEqual([4, 3]);
    t.origins.committed(5, 'https://other.test/');
    // Tab 1 and then 2 were forgotten, oldest first.
    expect(await t.origins.tabsOf('https://other.test')).toEqual([5]);
    const t2 = setup([], { maxPerRequest: 10, maxTabs: 3 });
    t2.answer();
    for (const id of [1, 2, 3, 4]) t2.origins.committed(id, 'https://site.test/');
    expect(await t2.origins.tabsOf('https://site.test')).toEqual([4, 3, 2]);
  });

  it('a failed tab query leaves the committed pages known', async () => {
    const origins = createTabOrigins({ listTabs: () => Promise.reject(new Error('no tabs')) });
    origins.committed(7, 'http://site.test/');
    expect(await origins.tabsOf('http://site.test')).toEqual([7]);
  });
});
