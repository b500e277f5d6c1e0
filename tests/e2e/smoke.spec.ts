/**
 * Smoke tests of the e2e harness itself, in each browser: the browser loads the built extension,
 * the background trusts the DoH server, and the fixtures' helpers do what they claim.
 */
import { DEFAULT_RECORDS, expect, test } from './fixtures';
import { encodeQuery, parseResponse } from './support/dns-wire';
import { expectedAddresses } from './support/expected-answers';

test.describe('browser and extension', () => {
  test('loads the extension, the background gets ready and a page badge can be read', async ({
    ext,
    web,
  }, testInfo) => {
    testInfo.annotations.push({ type: 'launch-ms', description: String(ext.launchMs) });
    console.log(`${ext.kind}: launch to background ready: ${ext.launchMs} ms`);
    expect(ext.launchMs).toBeGreaterThan(0);
    expect(await ext.isBackgroundRunning()).toBe(true);

    const tab = await ext.open(web.urlFor('site.test', '/hello'));
    expect(await tab.title()).toBe('site.test');
    expect(web.requests()).toContainEqual({ host: 'site.test', path: '/hello' });
    const badge = await ext.badge(tab.id);
    expect(typeof badge.text).toBe('string');
    expect(badge.color).toMatch(/^#[0-9a-f]{6}([0-9a-f]{2})?$/);
    expect(badge.title.length).toBeGreaterThan(0);
  });

  test('the icons the manifest names are packaged PNGs of their size', async ({ ext }) => {
    const icons = await ext.callApi(async () => {
      const scope = globalThis as unknown as {
        chrome?: { runtime: { getManifest(): unknown; getURL(p: string): string } };
        browser?: { runtime: { getManifest(): unknown; getURL(p: string): string } };
      };
      const runtime = (scope.browser ?? scope.chrome)!.runtime;
      const manifest = runtime.getManifest() as {
        icons: Record<string, string>;
        action: { default_icon: Record<string, string> };
      };
      const sizes = [];
      for (const [size, file] of Object.entries(manifest.icons)) {
        const bytes = new DataView(await (await fetch(runtime.getURL(file))).arrayBuffer());
        sizes.push({ size: Number(size), width: bytes.getUint32(16), height: bytes.getUint32(20) });
      }
      return { sizes, action: manifest.action.default_icon };
    }, undefined);
    expect(icons.sizes.map((i) => i.size)).toEqual([16, 32, 48, 128]);
    for (const icon of icons.sizes)
      expect([icon.width, icon.height]).toEqual([icon.size, icon.size]);
    expect(Object.keys(icons.action)).toEqual(['16', '32', '48', '128']);
  });

  test('tabs are told apart by URL', async ({ ext, web }) => {
    const first = await ext.open(web.urlFor('one.test'));
    const second = await ext.open(web.urlFor('two.test'));
    expect(await second.title()).toBe('two.test');
    expect(first.id).not.toBe(second.id);
  });

  test('the background trusts the DoH certificate and reaches the stubs', async ({
    ext,
    doh,
    stubs,
  }) => {
    const dns = encodeQuery('mobile.test', 'A').toString('base64url');
    const result = await ext.evaluateInBackground(
      async (_scope, { dohUrl, stubUrl, dns }) => {
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
    expect(parsed.answers.map((a) => a.data)).toEqual(
      expectedAddresses(DEFAULT_RECORDS, 'mobile.test', 'A'),
    );
    expect(result.stubStatus).toBe(503);
    expect(await doh.queries()).toContainEqual({
      name: 'mobile.test',
      type: 'A',
      rcode: 'NOERROR',
    });
  });

  test('every test starts from default settings and an empty session store', async ({
    ext,
    doh,
  }) => {
    const stored = await ext.callApi(async (api) => {
      const session = await api.storage.session.get(null);
      return Object.keys(session);
    }, undefined);
    expect(stored.filter((key) => key.startsWith('tab:') || key.startsWith('dns:'))).toEqual([]);
    const settings = (await ext.callApi(
      (api) => api.runtime.sendMessage({ type: 'get-settings' }),
      undefined,
    )) as { settings: { resolver: unknown; privacyMode: boolean } };
    expect(settings.settings.resolver).toEqual({ kind: 'custom', url: doh.url });
    expect(settings.settings.privacyMode).toBe(false);
  });

  test("an emptied session store empties the worker's DNS cache too, not only the area", async ({
    ext,
    web,
    doh,
  }) => {
    const askedFor = async (name: string) => (await doh.queries()).some((q) => q.name === name);
    const first = await ext.open(web.urlFor('mobile.test', '/1'));
    await ext.waitForBadge(first.id, 'CM');
    // The answer is cached (in the worker's memory as well as in storage.session): not asked again.
    await doh.clearQueries();
    const second = await ext.open(web.urlFor('mobile.test', '/2'));
    await ext.waitForBadge(second.id, 'CM');
    expect(await askedFor('mobile.test')).toBe(false);
    // What the fixture does between tests: the next visit must ask the resolver again.
    await ext.callApi((api) => api.storage.session.clear(), undefined);
    await doh.clearQueries();
    const third = await ext.open(web.urlFor('mobile.test', '/3'));
    await ext.waitForBadge(third.id, 'CM');
    expect(await askedFor('mobile.test')).toBe(true);
  });

  test('useResolver points the background at the test DoH server, and reports refusals', async ({
    ext,
    web,
    doh,
  }) => {
    await ext.updateSettings((s) => ({ ...s, resolver: { kind: 'preset', id: 'quad9' } }));
    await ext.useResolver(doh.url);
    await ext.open(web.urlFor('mobile.test'));
    await expect
      .poll(async () => (await doh.queries()).filter((q) => q.name === 'mobile.test').length)
      .toBeGreaterThan(0);
    await expect(ext.useResolver('not a url')).rejects.toThrow(/refused not a url/);
    await expect(ext.useResolver('ftp://resolver.test/dns-query')).rejects.toThrow(/refused ftp:/);
  });

  test('waitForBadge reports the last state when it times out', async ({ ext, web }) => {
    const tab = await ext.open(web.urlFor('site.test'));
    const started = Date.now();
    await expect(ext.waitForBadge(tab.id, 'never-this', { timeoutMs: 300 })).rejects.toThrow(
      /timed out after 300 ms .* last: \{"text"/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
