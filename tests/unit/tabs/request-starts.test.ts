import { describe, expect, it } from 'vitest';
import { fakeSession, ok, table } from '../support/tab-fakes';
import { defaultSettings } from '../../../lib/settings';
import { createPageHosts } from '../../../lib/tabs/page-hosts';
import { createRequestStarts } from '../../../lib/tabs/request-starts';

describe('request starts', () => {
  it('dates a response and a later error by the start, and forgets the request after its error', () => {
    const starts = createRequestStarts();
    starts.started({ requestId: '7', timeStamp: 1000 });
    expect(starts.responded({ requestId: '7', timeStamp: 1500 })).toBe(1000);
    // Aborted mid-body after its response: still the start, and the entry goes.
    expect(starts.failed({ requestId: '7', timeStamp: 1600 })).toBe(1000);
    expect(starts.size()).toBe(0);
    expect(starts.responded({ requestId: '7', timeStamp: 1700 })).toBe(1700);
  });

  it('falls back to the event time for a request it never saw start (a restarted worker)', () => {
    const starts = createRequestStarts();
    expect(starts.responded({ requestId: 'x', timeStamp: 42 })).toBe(42);
    expect(starts.failed({ requestId: 'y', timeStamp: 43 })).toBe(43);
  });

  it('keeps at most its bound, evicting the oldest start first', () => {
    const starts = createRequestStarts(3);
    for (let i = 0; i < 5; i++) starts.started({ requestId: String(i), timeStamp: 100 + i });
    expect(starts.size()).toBe(3);
    expect(starts.responded({ requestId: '0', timeStamp: 900 })).toBe(900);
    expect(starts.responded({ requestId: '1', timeStamp: 900 })).toBe(900);
    expect(starts.responded({ requestId: '2', timeStamp: 900 })).toBe(102);
    expect(starts.responded({ requestId: '4', timeStamp: 900 })).toBe(104);
  });

  it("wired as the worker wires it, an old page's request aborted after the next page began stays off the new page", async () => {
    const hosts = createPageHosts({
      session: fakeSession(),
      table: Promise.resolve(table),
      getSettings: () => defaultSettings(),
      resolve: async (hostname) =>
        hostname.startsWith('ct') ? ok(hostname, '202.96.128.86') : ok(hostname, '1.1.1.1'),
      pageOf: async () => null,
      onChange: () => {},
      now: () => 1_000,
      log: () => {},
      writeDelayMs: 0,
    });
    const starts = createRequestStarts();
    await hosts.navigationStarted(1, 1000);
    await hosts.mainFrameResponseStarted(1, 1010);
    await hosts.navigationCommitted(1, 'https://one.test/', 1020);
    // The old page's flagged request starts at 1500 and is held open.
    starts.started({ requestId: 'old', timeStamp: 1500 });
    // The next page begins; its own request starts after its response.
    await hosts.navigationStarted(1, 2000);
    await hosts.mainFrameResponseStarted(1, 2010);
    await hosts.navigationCommitted(1, 'https://two.test/', 2020);
    starts.started({ requestId: 'new', timeStamp: 2030 });
    // Both are reported after the new page's commit: the old one aborted, the new one answered.
    await hosts.requestSeen(
      1,
      'https://ct-ads.test/held',
      undefined,
      starts.failed({ requestId: 'old', timeStamp: 2040 }),
    );
    await hosts.requestSeen(
      1,
      'https://cdn.test/app.js',
      '1.1.1.1',
      starts.responded({ requestId: 'new', timeStamp: 2050 }),
    );
    await hosts.idle();
    const view = await hosts.getPageHosts(1);
    expect(view?.siteHostname).toBe('two.test');
    expect(view?.hosts.map((h) => h.hostname)).toEqual(['cdn.test']);
    expect(view?.flagged).toBe(0);
  });
});
