import { proxiesInHar } from '../../lib/proxy';
import { describe, expect, it } from 'vitest';
import {
  PROXY_PATTERN,
  PROXY_PATTERN_KEY,
  createProxyDetector,
  emptyPatternState,
  isDetectedProxy,
  proxyFromProxyInfo,
  recordConnection,
  registrableDomain,
  type ProxySessionArea,
} from '../../lib/proxy';
import type { ProxyPatternState } from '../../lib/proxy/pattern';

describe('proxyFromProxyInfo (Firefox webRequest details.proxyInfo)', () => {
  it('names every proxy type, preferring the connected address over the configured host', () => {
    for (const type of ['http', 'https', 'socks', 'socks4']) {
      expect(
        proxyFromProxyInfo({ type, host: 'proxy.corp.example', port: 3128 }, '10.0.0.8'),
      ).toEqual({ address: '10.0.0.8', type, port: 3128, detectedBy: 'proxy-info' });
    }
    // SOCKS with remote DNS may leave details.ip empty: the configured host stands in.
    expect(
      proxyFromProxyInfo({ type: 'socks', host: 'proxy.example', port: 1080 }, undefined),
    ).toMatchObject({ address: 'proxy.example', port: 1080 });
  });

  it("is undefined for a direct connection, 'direct', and anything unreadable", () => {
    expect(proxyFromProxyInfo(null, '1.1.1.1')).toBeUndefined();
    expect(proxyFromProxyInfo(undefined, '1.1.1.1')).toBeUndefined();
    expect(proxyFromProxyInfo({ type: 'direct', host: '', port: -1 }, '1.1.1.1')).toBeUndefined();
    expect(proxyFromProxyInfo({ type: 'quic', host: 'x', port: 1 }, '1.1.1.1')).toBeUndefined();
    expect(proxyFromProxyInfo({ type: 'http', host: '' }, undefined)).toBeUndefined();
    expect(proxyFromProxyInfo('http', '1.1.1.1')).toBeUndefined();
  });
});

describe('registrableDomain', () => {
  it('keeps the last two labels, three under a country code second level', () => {
    expect(registrableDomain('www.example.com')).toBe('example.com');
    expect(registrableDomain('a.b.example.com.')).toBe('example.com');
    expect(registrableDomain('shop.example.co.uk')).toBe('example.co.uk');
    expect(registrableDomain('news.sina.com.cn')).toBe('sina.com.cn');
    expect(registrableDomain('telecom.test')).toBe('telecom.test');
    expect(registrableDomain('intranet')).toBe('intranet');
  });
});

const T0 = 1_000_000;

/** Feeds connections in order, one second apart; returns the last outcome and the state. */
function feed(
  connections: { host: string; ip: string; inDoh: boolean | null }[],
  start: ProxyPatternState = emptyPatternState(),
) {
  let state = start;
  const outcomes = connections.map((c, i) => {
    const outcome = recordConnection(state, c, T0 + i * 1000);
    state = outcome.state;
    return outcome;
  });
  return { state, outcomes };
}

describe('the repeated-address pattern', () => {
  const via = (host: string, inDoh: boolean | null = false) => ({ host, ip: '203.0.113.9', inDoh });

  it('names a proxy once three unrelated sites were reached at one address missing from their DoH answers', () => {
    const { outcomes, state } = feed([via('a.example'), via('b.example'), via('c.example')]);
    expect(outcomes.map((o) => [o.isProxy, o.newlyDetected])).toEqual([
      [false, false],
      [false, false],
      [true, true],
    ]);
    expect(isDetectedProxy(state, '203.0.113.9', T0 + 3000)).toBe(true);
    // Later connections through it are proxied from the first one, and not "new" again.
    const next = recordConnection(state, via('d.example'), T0 + 4000);
    expect([next.isProxy, next.newlyDetected]).toEqual([true, false]);
  });

  it('does not call one site a proxy when its connected address is not in its DoH answer', () => {
    // The geo-DNS / CDN-edge / stale-answer case: one host, however often visited.
    const { outcomes } = feed([via('cdn.example'), via('cdn.example'), via('cdn.example')]);
    expect(outcomes.every((o) => !o.isProxy)).toBe(true);
    // Nor several hosts of one registrable domain.
    const sameSite = feed([via('www.example.com'), via('img.example.com'), via('api.example.com')]);
    expect(sameSite.outcomes.every((o) => !o.isProxy)).toBe(true);
  });

  it('never names an address that is in some site DoH answer (a shared server, not a proxy)', () => {
    const { outcomes } = feed([
      via('a.example'),
      via('b.example', true),
      via('c.example'),
      via('d.example'),
    ]);
    expect(outcomes.some((o) => o.isProxy)).toBe(false);
    // And a detected proxy is dropped as soon as it turns out to serve a site.
    const detected = feed([via('a.example'), via('b.example'), via('c.example')]).state;
    const cleared = recordConnection(detected, via('d.example', true), T0 + 5000);
    expect(cleared.isProxy).toBe(false);
    expect(isDetectedProxy(cleared.state, '203.0.113.9', T0 + 5000)).toBe(false);
  });

  it('never names a proxy from sites without a DoH answer (privacy mode: a shared server looks the same)', () => {
    // Changed for issue 23: five sites without DoH used to be enough; none is now.
    const { outcomes } = feed(['a', 'b', 'c', 'd', 'e', 'f'].map((h) => via(`${h}.example`, null)));
    expect(outcomes.some((o) => o.isProxy)).toBe(false);
  });

  it('forgets connections outside the window and stays bounded', () => {
    let state = feed([via('a.example'), via('b.example')]).state;
    const late = recordConnection(state, via('c.example'), T0 + PROXY_PATTERN.windowMs + 5000);
    expect(late.isProxy).toBe(false);
    for (let i = 0; i < PROXY_PATTERN.maxConnections + 20; i++) {
      state = recordConnection(
        state,
        { host: `h${i}.example`, ip: `198.51.100.${i % 250}`, inDoh: true },
        T0 + i,
      ).state;
    }
    expect(state.connections).toHaveLength(PROXY_PATTERN.maxConnections);
  });

  it('compares addresses in canonical form', () => {
    const { outcomes } = feed([
      { host: 'a.example', ip: '2001:DB8::1', inDoh: false },
      { host: 'b.example', ip: '2001:db8:0::1', inDoh: false },
      { host: 'c.example', ip: '2001:db8::1', inDoh: false },
    ]);
    expect(outcomes[2]?.isProxy).toBe(true);
  });
});

function fakeSession(): ProxySessionArea & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    async get(key) {
      return data.has(key) ? { [key]: structuredClone(data.get(key)) } : {};
    },
    async set(items) {
      for (const [k, v] of Object.entries(items)) data.set(k, structuredClone(v));
    },
  };
}

describe('createProxyDetector', () => {
  const deps = (session: ProxySessionArea) => ({ session, now: () => T0, log: () => {} });

  it('keeps what it learnt across a worker restart (storage.session)', async () => {
    const session = fakeSession();
    const first = createProxyDetector(deps(session));
    const judged = await Promise.all(
      ['a.example', 'b.example', 'c.example'].map((host) =>
        first.judge({ host, ip: '203.0.113.9', dns: ['192.0.2.1'] }),
      ),
    );
    expect(judged.map((j) => j.newlyDetected)).toEqual([false, false, true]);
    expect(session.data.has(PROXY_PATTERN_KEY)).toBe(true);

    const restarted = createProxyDetector(deps(session));
    // Before the DoH answer, or in privacy mode, the learnt proxy is recognised at once.
    expect(await restarted.judge({ host: 'd.example', ip: '203.0.113.9', dns: 'not-yet' })).toEqual(
      {
        proxy: { address: '203.0.113.9', detectedBy: 'repeated-address' },
        newlyDetected: false,
      },
    );
  });

  it('forgets the pattern when the session store is emptied (storage is the one record)', async () => {
    const session = fakeSession();
    const detector = createProxyDetector(deps(session));
    for (const host of ['a.example', 'b.example', 'c.example']) {
      await detector.judge({ host, ip: '203.0.113.9', dns: ['192.0.2.1'] });
    }
    const seen = { host: 'd.example', ip: '203.0.113.9', dns: 'not-yet' } as const;
    expect((await detector.judge(seen)).proxy).toBeDefined();
    session.data.clear();
    expect(await detector.judge(seen)).toEqual({ proxy: undefined, newlyDetected: false });
  });

  it('takes the browser at its word when it names the proxy, and records nothing', async () => {
    const session = fakeSession();
    const detector = createProxyDetector(deps(session));
    const reported = {
      address: '10.0.0.8',
      type: 'http',
      port: 3128,
      detectedBy: 'proxy-info',
    } as const;
    expect(
      await detector.judge({ host: 'a.example', ip: '10.0.0.8', reported, dns: ['1.1.1.1'] }),
    ).toEqual({ proxy: reported, newlyDetected: false });
    expect(session.data.size).toBe(0);
  });

  it('survives a session store that fails: no proxy, no throw', async () => {
    const broken: ProxySessionArea = {
      get: () => Promise.reject(new Error('quota')),
      set: () => Promise.reject(new Error('quota')),
    };
    const detector = createProxyDetector(deps(broken));
    await expect(
      detector.judge({ host: 'a.example', ip: '203.0.113.9', dns: ['192.0.2.1'] }),
    ).resolves.toEqual({ proxy: undefined, newlyDetected: false });
  });
});

describe('proxiesInHar (the repeated-address rule over a whole HAR file)', () => {
  const none = () => false;
  const host = (hostname: string, ip: string, doh: string[] | null) => ({
    hostname,
    serverAddresses: [ip],
    dohAddresses: doh,
  });

  it('names an address three unrelated sites were reached at, in none of their DoH answers', () => {
    const hosts = ['a.example', 'b.example', 'c.example'].map((h) =>
      host(h, '203.0.113.9', ['192.0.2.1']),
    );
    expect([...proxiesInHar(hosts, none)]).toEqual(['203.0.113.9']);
    expect([...proxiesInHar(hosts.slice(0, 2), none)]).toEqual([]);
  });

  it('counts registrable domains, not host names, and never an address some DoH answer has', () => {
    const sameSite = ['a.cdn.example', 'b.cdn.example', 'c.cdn.example'].map((h) =>
      host(h, '203.0.113.9', ['192.0.2.1']),
    );
    expect([...proxiesInHar(sameSite, none)]).toEqual([]);
    const shared = [
      host('a.example', '203.0.113.9', ['192.0.2.1']),
      host('b.example', '203.0.113.9', ['192.0.2.1']),
      host('c.example', '203.0.113.9', ['192.0.2.1']),
      host('d.example', '203.0.113.9', ['203.0.113.9']),
    ];
    expect([...proxiesInHar(shared, none)]).toEqual([]);
  });

  it('never names a proxy from hosts without a DoH answer (changed for issue 23: five used to do)', () => {
    const names = ['a.example', 'b.example', 'c.example', 'd.example', 'e.example'];
    const hosts = names.map((h) => host(h, '203.0.113.9', null));
    expect([...proxiesInHar(hosts, none)]).toEqual([]);
  });

  it('never names a watched address, and hosts with watched DoH answers do not count', () => {
    const names = ['a.example', 'b.example', 'c.example'];
    const watched = (ip: string) => ip === '202.96.128.86';
    const onCarrier = names.map((h) => host(h, '202.96.128.86', ['192.0.2.1']));
    expect([...proxiesInHar(onCarrier, watched)]).toEqual([]);
    const carrierAnswers = names.map((h) => host(h, '203.0.113.9', ['202.96.128.86']));
    expect([...proxiesInHar(carrierAnswers, watched)]).toEqual([]);
  });
});
