/**
 * Smoke tests of the e2e infrastructure itself: the browser loads the built extension, the
 * servers behave as the product specs assume, and the fixtures' helpers do what they claim.
 */
import { DEFAULT_RECORDS, expect, test } from './fixtures';
import { encodeQuery, parseResponse } from './support/dns-wire';

/** The answers a name should get, following CNAMEs through the records given to the server. */
function expectedAddresses(name: string, type: 'A' | 'AAAA'): string[] {
  let current = name;
  for (let hop = 0; hop < 8; hop++) {
    const cname = DEFAULT_RECORDS.find((r) => r.name === current && r.type === 'CNAME');
    if (!cname) break;
    current = cname.value;
  }
  return DEFAULT_RECORDS.filter((r) => r.name === current && r.type === type).map((r) => r.value);
}

/** Same text form as dns-wire's AAAA output: eight unpadded hex words. */
function expandV6(address: string): string {
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = address.includes('::') ? Array(8 - left.length - right.length).fill('0') : [];
  return [...left, ...zeros, ...right].map((w) => parseInt(w, 16).toString(16)).join(':');
}

test.describe('browser and extension', () => {
  test('loads the extension, the worker gets ready and a page badge can be read', async ({
    page,
    web,
    serviceWorker,
    extensionId,
    launchMs,
    tabIdOf,
    badgeState,
  }, testInfo) => {
    expect(serviceWorker.url()).toBe(`chrome-extension://${extensionId}/background.js`);
    expect(extensionId).toMatch(/^[a-p]{32}$/);
    testInfo.annotations.push({ type: 'launch-ms', description: String(launchMs) });
    console.log(`launch to worker ready: ${launchMs} ms`);
    expect(launchMs).toBeGreaterThan(0);

    const url = web.urlFor('site.test', '/hello');
    await page.goto(url);
    await expect(page).toHaveTitle('site.test');
    expect(web.requests()).toContainEqual({ host: 'site.test', path: '/hello' });

    const tabId = await tabIdOf(page);
    const badge = await badgeState(tabId);
    expect(typeof badge.text).toBe('string');
    expect(badge.color).toMatch(/^#[0-9a-f]{6}([0-9a-f]{2})?$/);
    expect(badge.title.length).toBeGreaterThan(0);
  });

  test('tabIdOf tells two tabs apart by URL', async ({ context, web, tabIdOf }) => {
    const first = await context.newPage();
    const second = await context.newPage();
    await first.goto(web.urlFor('one.test'));
    await second.goto(web.urlFor('two.test'));
    await expect(second).toHaveTitle('two.test');
    const ids = [await tabIdOf(first), await tabIdOf(second)];
    expect(new Set(ids).size).toBe(2);
  });

  test('the service worker trusts the DoH certificate and reaches the stubs', async ({
    serviceWorker,
    doh,
    stubs,
  }) => {
    const dns = encodeQuery('mobile.test', 'A').toString('base64url');
    const result = await serviceWorker.evaluate(
      async ({ dohUrl, stubUrl, dns }) => {
        const reply = await fetch(`${dohUrl}?dns=${dns}`, {
          headers: { accept: 'application/dns-message' },
        });
        const stub = await fetch(`${stubUrl}?dns=${dns}`);
        return {
          status: reply.status,
          body: [...new Uint8Array(await reply.arrayBuffer())],
          stubStatus: stub.status,
        };
      },
      { dohUrl: doh.url, stubUrl: stubs.httpError.url, dns },
    );
    expect(result.status).toBe(200);
    const parsed = parseResponse(Buffer.from(result.body));
    expect(parsed.answers.map((a) => a.data)).toEqual(expectedAddresses('mobile.test', 'A'));
    expect(result.stubStatus).toBe(503);
    expect(await doh.queries()).toContainEqual({
      name: 'mobile.test',
      type: 'A',
      rcode: 'NOERROR',
    });
  });

  test('stopServiceWorker really stops the worker and a navigation restarts it', async ({
    page,
    web,
    serviceWorker,
    stopServiceWorker,
    isServiceWorkerRunning,
    waitForServiceWorkerRunning,
  }) => {
    await serviceWorker.evaluate(() => {
      (globalThis as { e2eMarker?: number }).e2eMarker = 42;
    });
    expect(await isServiceWorkerRunning()).toBe(true);
    await stopServiceWorker();
    expect(await isServiceWorkerRunning()).toBe(false);

    await page.goto(web.urlFor('wake.test'));
    await waitForServiceWorkerRunning();
    const state = await serviceWorker.evaluate(async () => {
      const scope = globalThis as { e2eMarker?: number; carrierflagReady?: Promise<unknown> };
      await scope.carrierflagReady;
      return { marker: scope.e2eMarker ?? null };
    });
    // A fresh worker: module state from before the stop is gone.
    expect(state.marker).toBeNull();
  });

  test('useResolver points the worker at the test DoH server', async ({
    page,
    web,
    doh,
    useResolver,
  }) => {
    await useResolver(doh.url);
    await doh.clearQueries();
    await page.goto(web.urlFor('mobile.test'));
    await expect
      .poll(async () => (await doh.queries()).filter((q) => q.name === 'mobile.test').length, {
        timeout: 5000,
      })
      .toBeGreaterThan(0);
    await expect(useResolver('not a url')).rejects.toThrow(/refused not a url/);
    await expect(useResolver('ftp://resolver.test/dns-query')).rejects.toThrow(/refused ftp:/);
  });

  test('waitForBadge reports the last state when it times out', async ({
    page,
    web,
    tabIdOf,
    waitForBadge,
  }) => {
    await page.goto(web.urlFor('site.test'));
    const tabId = await tabIdOf(page);
    const started = Date.now();
    await expect(waitForBadge(tabId, 'never-this', { timeoutMs: 300 })).rejects.toThrow(
      /did not match .* within 300 ms; last: \{"text"/,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

test.describe('unbound DoH server', () => {
  test('answers A, AAAA, CNAME chains, NXDOMAIN and SERVFAIL and logs each query', async ({
    doh,
  }) => {
    expect(doh.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/dns-query$/);
    expect(Buffer.from(doh.spkiHash, 'base64')).toHaveLength(32);
    await doh.clearQueries();

    const a = await doh.ask('mobile.test', 'A');
    expect(a.httpStatus).toBe(200);
    expect(a.contentType).toBe('application/dns-message');
    expect(a.rcode).toBe('NOERROR');
    expect(a.answers.map((r) => r.data)).toEqual(expectedAddresses('mobile.test', 'A'));

    const aaaa = await doh.ask('MOBILE.test', 'AAAA');
    expect(aaaa.answers.map((r) => r.data)).toEqual(
      expectedAddresses('mobile.test', 'AAAA').map(expandV6),
    );

    const chain = await doh.ask('alias.test', 'A');
    expect(chain.rcode).toBe('NOERROR');
    expect(chain.answers.map((r) => r.type)).toEqual(['CNAME', 'CNAME', 'A']);
    expect(chain.answers.at(-1)?.data).toBe(expectedAddresses('alias.test', 'A')[0]);

    const noData = await doh.ask('v6only.test', 'A');
    expect([noData.rcode, noData.answers.length]).toEqual(['NOERROR', 0]);

    expect((await doh.ask('missing.test', 'A')).rcode).toBe('NXDOMAIN');
    expect((await doh.ask('example.com', 'AAAA')).rcode).toBe('NXDOMAIN');

    const started = Date.now();
    expect((await doh.ask('deep.down.fail.test', 'A')).rcode).toBe('SERVFAIL');
    expect(Date.now() - started).toBeLessThan(1500);

    expect(await doh.queries()).toEqual([
      { name: 'mobile.test', type: 'A', rcode: 'NOERROR' },
      { name: 'mobile.test', type: 'AAAA', rcode: 'NOERROR' },
      { name: 'alias.test', type: 'A', rcode: 'NOERROR' },
      { name: 'v6only.test', type: 'A', rcode: 'NOERROR' },
      { name: 'missing.test', type: 'A', rcode: 'NXDOMAIN' },
      { name: 'example.com', type: 'AAAA', rcode: 'NXDOMAIN' },
      { name: 'deep.down.fail.test', type: 'A', rcode: 'SERVFAIL' },
    ]);
    await doh.clearQueries();
    expect(await doh.queries()).toEqual([]);
  });

  test('setRecords changes the answers at once', async ({ doh }) => {
    try {
      await doh.setRecords([{ name: 'moved.test', type: 'A', value: '198.51.100.7', ttl: 5 }]);
      const moved = await doh.ask('moved.test', 'A');
      expect(moved.answers).toEqual([
        { name: 'moved.test', type: 'A', ttl: 5, data: '198.51.100.7' },
      ]);
      expect((await doh.ask('mobile.test', 'A')).rcode).toBe('NXDOMAIN');
      await expect(
        doh.setRecords([{ name: 'bad.test', type: 'A', value: '2001:db8::1' }]),
      ).rejects.toThrow(/not IPv4/);
    } finally {
      await doh.setRecords(DEFAULT_RECORDS);
    }
    expect((await doh.ask('mobile.test', 'A')).rcode).toBe('NOERROR');
  });
});

test.describe('stub resolvers', () => {
  test('garbage answers 200 application/dns-message that is not DNS', async ({ stubs }) => {
    stubs.garbage.clearRequests();
    const reply = await fetch(stubs.garbage.url, {
      method: 'POST',
      headers: { 'content-type': 'application/dns-message' },
      body: new Uint8Array(encodeQuery('site.test', 'A')),
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/dns-message');
    const body = Buffer.from(await reply.arrayBuffer());
    expect(() => parseResponse(body)).toThrow();
    expect(stubs.garbage.requests()).toEqual([{ method: 'POST', path: '/dns-query' }]);
  });

  test('hang accepts the request and never answers', async ({ stubs }) => {
    stubs.hang.clearRequests();
    const started = Date.now();
    await expect(
      fetch(`${stubs.hang.url}?dns=AAAB`, { signal: AbortSignal.timeout(500) }),
    ).rejects.toThrow(/abort|timeout/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(stubs.hang.requests()).toEqual([{ method: 'GET', path: '/dns-query?dns=AAAB' }]);
  });

  test('http-error answers 503', async ({ stubs }) => {
    const reply = await fetch(stubs.httpError.url);
    expect(reply.status).toBe(503);
  });
});
