// The routing data sources (issue 19): a GitHub-like release URL that redirects to a second
// loopback host, every redirect hop held to the setting's URL rule, gzip bodies and gzip files,
// iptoasn.com's combined file as fallback, the carriers' cross-check between two sources, names
// kept from the table in use, and publication dates in the future.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  carrierSpaceOf,
  crossCheckCarriers,
  disagreement,
  fetchFollowingRedirects,
  fetchRoutingUpdate,
  freshnessOf,
  parseRoutingSource,
  validateRoutingSources,
  type DataUpdateStatus,
  type DownloadRecord,
  type FetchLike,
  type UpdateDeps,
  type UpdateOutcome,
} from '../../../lib/data-update';
import { nodeTableCodec } from '../../../lib/prefix-table/node-codec';
import { bigIntToAddress } from '../../../lib/sources';
import { formatIp } from '../../../lib/ip/parse';
import { DEFAULT_WATCHLIST } from '../../../lib/watchlist/defaults';
import {
  startRoutingServer,
  syntheticData,
  toCsv,
  type CsvRow,
  type RoutingServer,
} from '../support/routing-data';

const CARRIERS = DEFAULT_WATCHLIST.groups.filter((g) => g.builtin);
const NOW = Date.parse('2026-12-05T12:00:00Z');
const PUBLISHED = 'Fri, 04 Dec 2026 22:00:00 GMT';
const RELEASE = 'releases/download/latest/';
const data = syntheticData();

/** iptoasn.com's combined TSV: textual addresses, both families, AS 0 for "not routed". */
function toIptoasnTsv(rows: readonly (CsvRow & { family: 4 | 6 })[]): string {
  const text = (family: 4 | 6, value: bigint) => formatIp(bigIntToAddress(family, value));
  return rows
    .map((r) => `${text(r.family, r.start)}\t${text(r.family, r.end)}\t${r.asn}\tCN\t${r.org}\n`)
    .join('');
}

const allRows = (d: { v4: CsvRow[]; v6: CsvRow[] }) => [
  ...d.v4.map((r) => ({ ...r, family: 4 as const })),
  ...d.v6.map((r) => ({ ...r, family: 6 as const })),
];

/**
 * China Telecom's IPv4 ranges handed to an unrelated network, and as many of that network's
 * ranges handed to China Telecom: every count unchanged, so only a second source can tell.
 */
function swapped(rows: readonly CsvRow[]): CsvRow[] {
  const telecom = rows.filter((r) => r.asn === 4134);
  const clean = rows.filter((r) => r.asn !== 4134 && r.asn !== 9808).slice(0, telecom.length);
  const toClean = new Set(telecom.map((r) => r.start));
  const toTelecom = new Set(clean.map((r) => r.start));
  return rows.map((r) =>
    toClean.has(r.start)
      ? { ...r, asn: 64501, org: 'Example Net 1, Inc.' }
      : toTelecom.has(r.start)
        ? { ...r, asn: 4134, org: 'Chinanet' }
        : r,
  );
}

let server: RoutingServer;
beforeAll(async () => {
  server = await startRoutingServer();
});
afterAll(() => server.close());

const releaseUrl = () => `${server.url}${RELEASE}`;
const assetUrl = (name: string) => `${server.otherHostUrl}assets/${name}?sig=${name.length}`;

let revision = 0;

/**
 * The release like GitHub's: each file's address redirects to the asset host, which serves it.
 * Each call publishes a new revision (new ETags), as a new upload would.
 */
function serveRelease(v4 = toCsv(data.v4), v6 = toCsv(data.v6), lastModified = PUBLISHED): void {
  revision++;
  for (const [file, body, tag] of [
    ['origin-asn-ipv4-num.csv', v4, 'v4'],
    ['origin-asn-ipv6-num.csv', v6, 'v6'],
  ] as const) {
    server.serve(file, { kind: 'redirect', location: assetUrl(`${tag}.csv`) });
    server.serve(`${tag}.csv`, { kind: 'file', body, etag: `"${tag}-${revision}"`, lastModified });
  }
}

function serveIptoasn(rows = allRows(data), lastModified = PUBLISHED): void {
  server.serve('ip2asn-combined.tsv.gz', {
    kind: 'file',
    body: gzipSync(toIptoasnTsv(rows)),
    contentType: 'application/gzip',
    lastModified,
  });
}

function update(extra: Partial<UpdateDeps> = {}): Promise<UpdateOutcome> {
  return fetchRoutingUpdate({
    fetch: (url, init) => fetch(url, init),
    sources: [releaseUrl()],
    current: null,
    carrierGroups: CARRIERS,
    codec: nodeTableCodec,
    now: () => NOW,
    downloadLimits: { stallTimeoutMs: 15_000 },
    ...extra,
  });
}

async function built(outcome: Promise<UpdateOutcome>) {
  const result = await outcome;
  if (result.kind !== 'built') throw new Error(`not built: ${JSON.stringify(result)}`);
  return result;
}

function refusal(outcome: UpdateOutcome): string {
  expect(outcome.kind).toBe('refused');
  return outcome.kind === 'refused' ? outcome.reason : '';
}

beforeEach(() => {
  server.requests.length = 0;
  serveRelease();
  serveIptoasn();
});

describe('parseRoutingSource', () => {
  it('reads a folder as the release files, a -num.csv file as its pair, a .tsv.gz as iptoasn', () => {
    const folder = parseRoutingSource(
      'https://github.com/sapics/ip-location-db/releases/download/latest',
    );
    expect(folder).toMatchObject({
      ok: true,
      source: {
        url: 'https://github.com/sapics/ip-location-db/releases/download/latest/',
        format: 'ip-location-db',
        files: [
          { name: 'origin-asn-ipv4-num.csv', family: 4 },
          { name: 'origin-asn-ipv6-num.csv', family: 6 },
        ],
      },
    });
    const pair = parseRoutingSource('https://m.example/d/asn-ipv6-num.csv');
    expect(pair).toMatchObject({
      ok: true,
      source: {
        url: 'https://m.example/d/asn-ipv4-num.csv',
        files: [
          { name: 'asn-ipv4-num.csv', url: 'https://m.example/d/asn-ipv4-num.csv' },
          { name: 'asn-ipv6-num.csv', url: 'https://m.example/d/asn-ipv6-num.csv' },
        ],
      },
    });
    expect(parseRoutingSource('https://iptoasn.com/data/ip2asn-combined.tsv.gz')).toMatchObject({
      ok: true,
      source: { format: 'iptoasn', files: [{ name: 'ip2asn-combined.tsv.gz', family: 'both' }] },
    });
  });

  it('refuses plain http off this computer, a query, an empty list, a duplicate and too many', () => {
    expect(parseRoutingSource('http://mirror.example/')).toMatchObject({ ok: false });
    expect(parseRoutingSource('https://m.example/?x=1')).toMatchObject({ ok: false });
    expect(validateRoutingSources(['', ' '])).toMatchObject({ ok: false });
    expect(validateRoutingSources(['https://a.example/', 'https://a.example'])).toEqual({
      ok: false,
      reason: 'address 2 is listed twice',
    });
    expect(
      validateRoutingSources(Array.from({ length: 6 }, (_, i) => `https://s${i}.example/`)),
    ).toMatchObject({ ok: false, reason: 'at most 5 addresses are accepted' });
  });
});

describe('a GitHub-like release', () => {
  it('follows the redirect to the asset host, names it, and revalidates across it (304)', async () => {
    serveRelease();
    const first = await built(update());
    const assetHost = new URL(server.otherHostUrl).host;
    expect(first.download.files.map((f) => f.servedBy)).toEqual([assetHost, assetHost]);
    expect(first.summary).toContain(`from ${assetHost}`);
    expect(first.summary).toContain('not cross-checked: no second source is set');
    expect(first.table.lookup('1.0.0.1')).toMatchObject({ kind: 'routed', asn: 4134 });

    server.requests.length = 0;
    const again = await update({ current: first.table, currentDownload: first.download });
    expect(again).toEqual({ kind: 'unchanged' });
    // The validators went to the release address and, after the redirect, to the asset host.
    const conditional = server.requests.filter((r) => r.ifNoneMatch !== undefined);
    expect(conditional.map((r) => [r.path, r.ifNoneMatch])).toEqual([
      [`/data/${RELEASE}origin-asn-ipv4-num.csv`, `"v4-${revision}"`],
      ['/assets/v4.csv', `"v4-${revision}"`],
      [`/data/${RELEASE}origin-asn-ipv6-num.csv`, `"v6-${revision}"`],
      ['/assets/v6.csv', `"v6-${revision}"`],
    ]);
  });

  it('reads a gzip-encoded body', async () => {
    server.serve('v4.csv', {
      kind: 'file',
      body: toCsv(data.v4),
      gzipEncoding: true,
      lastModified: PUBLISHED,
    });
    const outcome = await built(update());
    expect(outcome.table.meta.v4Ranges).toBeGreaterThan(0);
  });

  it('refuses a truncated body and keeps nothing', async () => {
    const v4 = toCsv(data.v4);
    server.serve('v4.csv', {
      kind: 'file',
      body: v4.slice(0, v4.length - 7),
      lastModified: PUBLISHED,
    });
    expect(refusal(await update())).toContain(
      'origin-asn-ipv4-num.csv: the file ends in the middle of a line, so it was cut short',
    );
  });

  it('refuses a redirect to plain http, and to an address the setting refuses', async () => {
    server.serve('origin-asn-ipv4-num.csv', {
      kind: 'redirect',
      location: 'http://objects.example/v4.csv',
    });
    expect(refusal(await update())).toContain(
      'origin-asn-ipv4-num.csv: the server redirected to http://objects.example/v4.csv, which an update never follows (the address must start with https://',
    );
    const port = new URL(server.url).port;
    server.serve('origin-asn-ipv4-num.csv', {
      kind: 'redirect',
      location: `http://[::ffff:127.0.0.1]:${port}/assets/v4.csv`,
    });
    expect(refusal(await update())).toContain('which an update never follows');
    // Neither refused address was requested.
    expect(server.requests.some((r) => r.path === '/assets/v4.csv')).toBe(false);
  });

  it('refuses a redirect loop and a chain of more than five hops, in words', async () => {
    server.serve('origin-asn-ipv4-num.csv', { kind: 'redirect', location: assetUrl('hop-a') });
    server.serve('hop-a', { kind: 'redirect', location: `${releaseUrl()}origin-asn-ipv4-num.csv` });
    expect(refusal(await update())).toContain("the server's redirects go round in a loop");

    server.serve('origin-asn-ipv4-num.csv', { kind: 'redirect', location: assetUrl('hop-1') });
    for (let i = 1; i <= 6; i++) {
      server.serve(`hop-${i}`, { kind: 'redirect', location: assetUrl(`hop-${i + 1}`) });
    }
    expect(refusal(await update())).toContain('the server redirected more than 5 times');
  });

  it('in a browser (redirects hidden), checks the address that answered and words a failed chain', async () => {
    const answered =
      (url: string): FetchLike =>
      async () => {
        const response = new Response('1,2,3,x\n', { status: 200 });
        Object.defineProperty(response, 'url', { value: url });
        return response;
      };
    const viaHttp = await fetchFollowingRedirects(
      answered('http://objects.example/v4.csv'),
      'https://github.example/v4.csv',
      { headers: {}, signal: new AbortController().signal },
      'browser',
    );
    expect(viaHttp).toMatchObject({
      ok: false,
      reason: expect.stringContaining('redirected to http://objects.example/v4.csv'),
    });
    const viaHttps = await fetchFollowingRedirects(
      answered('https://assets.example/v4.csv'),
      'https://github.example/v4.csv',
      { headers: {}, signal: new AbortController().signal },
      'browser',
    );
    expect(viaHttps).toMatchObject({ ok: true, finalUrl: 'https://assets.example/v4.csv' });
    const looping: FetchLike = async (_url, init) => {
      if (init.redirect === 'follow') throw new TypeError('Failed to fetch');
      return Object.defineProperty(new Response(null, { status: 200 }), 'type', {
        value: 'opaqueredirect',
      });
    };
    expect(
      await fetchFollowingRedirects(
        looping,
        'https://github.example/v4.csv',
        { headers: {}, signal: new AbortController().signal },
        'browser',
      ),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('a redirect loop') });
  });
});

describe("in a browser that reports redirects as they happen (Chromium's webRequest)", () => {
  /**
   * A browser's fetch: follows `chain` itself, reporting each hop to the watchers first (as
   * onBeforeRedirect does), and stops with an AbortError when the request is aborted.
   */
  function browserWithHops(chain: string[]) {
    const watchers = new Set<(from: string, to: string) => void>();
    let abortedAt: number | undefined;
    const fetch: FetchLike = async (url, init) => {
      if (init.redirect !== 'follow') throw new Error('only follow');
      // Another request of the worker's redirects meanwhile: not this chain's.
      for (const hop of watchers) hop('https://other.example/a', 'http://other.example/b');
      const hops = [url, ...chain];
      for (let i = 1; i < hops.length; i++) {
        for (const hop of watchers) hop(hops[i - 1]!, hops[i]!);
        await Promise.resolve();
        if (init.signal.aborted) {
          abortedAt = i;
          throw new DOMException('aborted', 'AbortError');
        }
      }
      const response = new Response('1,2,3,x\n');
      Object.defineProperty(response, 'url', { value: hops[hops.length - 1] });
      return response;
    };
    const watch = (onHop: (from: string, to: string) => void) => {
      watchers.add(onHop);
      return () => watchers.delete(onHop);
    };
    return { fetch, watch, watchers, abortedAt: () => abortedAt };
  }
  const follow = (b: ReturnType<typeof browserWithHops>) =>
    fetchFollowingRedirects(
      b.fetch,
      'https://github.example/v4.csv',
      { headers: {}, signal: new AbortController().signal },
      'browser',
      b.watch,
    );

  it('stops at a hop to plain http, naming it, before the chain goes on', async () => {
    const b = browserWithHops([
      'https://assets.example/v4.csv',
      'http://objects.example/v4.csv',
      'https://back.example/v4.csv',
    ]);
    expect(await follow(b)).toEqual({
      ok: false,
      reason:
        'the server redirected to http://objects.example/v4.csv, which an update never follows (the address must start with https:// (plain http:// is allowed only for this computer, such as 127.0.0.1))',
    });
    expect(b.abortedAt()).toBe(2);
    expect(b.watchers.size).toBe(0);
  });

  it('stops a loop and a chain of more than five hops; five are followed', async () => {
    const loop = browserWithHops(['https://a.example/x', 'https://github.example/v4.csv']);
    expect(await follow(loop)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('go round in a loop'),
    });
    const hops = (n: number) => Array.from({ length: n }, (_, i) => `https://h${i}.example/f`);
    expect(await follow(browserWithHops(hops(6)))).toMatchObject({
      ok: false,
      reason: 'the server redirected more than 5 times, so the update stopped following',
    });
    expect(await follow(browserWithHops(hops(5)))).toMatchObject({
      ok: true,
      finalUrl: 'https://h4.example/f',
    });
  });
});

describe('the second source', () => {
  const both = () => [releaseUrl(), `${server.url}ip2asn-combined.tsv.gz`];

  it('cross-checks the carriers when both answer, and says so', async () => {
    const outcome = await built(update({ sources: both() }));
    expect(outcome.summary).toContain(`its carrier ranges agree with ${new URL(server.url).host}`);
  });

  it('says, in one sentence, that the check was not made when the second source fails', async () => {
    server.serve('ip2asn-combined.tsv.gz', { kind: 'status', status: 500 });
    const outcome = await built(update({ sources: both() }));
    expect(outcome.summary).toMatch(/not cross-checked: \S+: .*HTTP 500 [^.]*\)$/);
  });

  it('takes over, from a gzip file, when the first source fails', async () => {
    server.serve('origin-asn-ipv4-num.csv', { kind: 'status', status: 404 });
    const outcome = await built(update({ sources: both() }));
    expect(outcome.download.url).toBe(`${server.url}ip2asn-combined.tsv.gz`);
    expect(outcome.summary).toContain('used instead of the first source');
    expect(outcome.summary).toContain('HTTP 404');
    expect(outcome.table.lookup('1.0.0.1')).toMatchObject({ kind: 'routed', asn: 4134 });
    expect(outcome.table.lookup('2001:400::1')).toMatchObject({ kind: 'routed', asn: 4134 });
  });

  it('takes over when the first source is older than the data in use', async () => {
    const current = await built(update());
    serveRelease(toCsv(data.v4), toCsv(data.v6), 'Mon, 01 Jun 2026 00:00:00 GMT');
    serveIptoasn(allRows(data), 'Sat, 05 Dec 2026 06:00:00 GMT');
    const outcome = await built(
      update({ sources: both(), current: current.table, currentDownload: current.download }),
    );
    expect(outcome.download.url).toBe(`${server.url}ip2asn-combined.tsv.gz`);
    expect(outcome.summary).toContain('before the data in use');
  });

  it('with old data in use, looks past a first source that has nothing newer (304)', async () => {
    serveRelease(toCsv(data.v4), toCsv(data.v6), 'Mon, 19 Oct 2026 00:00:00 GMT');
    const old = await built(update({ now: () => Date.parse('2026-10-20T00:00:00Z') }));
    serveIptoasn(allRows(data), 'Sat, 05 Dec 2026 06:00:00 GMT');
    const deps = { sources: both(), current: old.table, currentDownload: old.download };
    const outcome = await built(update(deps));
    expect(outcome.download.url).toBe(`${server.url}ip2asn-combined.tsv.gz`);
    expect(outcome.summary).toContain('unchanged since the data in use');
    // The second source failing too: nothing newer anywhere, which is "unchanged", not a failure.
    server.serve('ip2asn-combined.tsv.gz', { kind: 'status', status: 503 });
    expect(await update(deps)).toEqual({ kind: 'unchanged' });
  });

  it('refuses data whose carrier ranges were swapped with clean ones, though every count holds', async () => {
    serveRelease(toCsv(swapped(data.v4)));
    // Alone, the swapped file passes every guard: the counts are exactly the same.
    const current = await built(update({ sources: [`${server.url}ip2asn-combined.tsv.gz`] }));
    expect((await update({ current: current.table })).kind).toBe('built');
    const reason = refusal(await update({ sources: both(), current: current.table }));
    expect(reason).toMatch(/disagree about \d+% of China Telecom's IPv4 addresses/);
    expect(reason).toContain('the data in use stays');
  });

  it('a damaged gzip file fails in words', async () => {
    const whole = gzipSync(toIptoasnTsv(allRows(data)));
    server.serve('ip2asn-combined.tsv.gz', {
      kind: 'file',
      body: whole.subarray(0, whole.length >> 1),
      contentType: 'application/gzip',
      lastModified: PUBLISHED,
    });
    expect(refusal(await update({ sources: [`${server.url}ip2asn-combined.tsv.gz`] }))).toContain(
      'ip2asn-combined.tsv.gz: the compressed file is damaged or was cut short',
    );
  });
});

describe('names and dates', () => {
  it("names the networks the new data calls a carrier's that the built-in list lacks, never a lookalike", async () => {
    const renamed = data.v4.map((r, i) =>
      i === 3
        ? { ...r, asn: 399001, org: 'Guangdong Mobile Communication Co.Ltd.' }
        : i === 5
          ? { ...r, asn: 399002, org: 'CTG Server Limited' }
          : i === 7
            ? { ...r, asn: 399003, org: 'China UnionPay Co., Ltd.' }
            : r,
    );
    serveRelease(toCsv(renamed));
    const outcome = await built(update());
    expect(outcome.likelyCarrierNetworks).toEqual([
      { asn: 399001, org: 'Guangdong Mobile Communication Co.Ltd.', carrier: 'China Mobile' },
    ]);
    expect(outcome.summary).toContain(
      "1 networks named like a carrier's, not on the built-in list, are flagged as likely (name match): AS399001 Guangdong Mobile Communication Co.Ltd. (China Mobile)",
    );
  });

  it('a row without an organisation keeps the name the table in use has for its AS number', async () => {
    const current = await built(update());
    const nameless = data.v4.map((r) => (r.asn === 4134 ? { ...r, org: '' } : r));
    serveRelease(toCsv(nameless), toCsv(data.v6), 'Sat, 05 Dec 2026 08:00:00 GMT');
    const outcome = await built(
      update({ current: current.table, currentDownload: current.download }),
    );
    expect(outcome.table.lookup('1.0.0.1')).toMatchObject({ asn: 4134, org: 'Chinanet' });
  });

  it('refuses data dated in the future, and a future-dated table in use never blocks honest data', async () => {
    serveRelease(toCsv(data.v4), toCsv(data.v6), 'Thu, 31 Dec 2099 00:00:00 GMT');
    expect(refusal(await update())).toContain(
      'the data says it was published on 2099-12-31, a date in the future, so it is not trusted',
    );
    // A table that an earlier release took with such a date is compared as undated.
    serveRelease();
    const honest = await built(update());
    const poisoned: DownloadRecord = {
      ...honest.download,
      url: 'https://elsewhere.example/',
      publishedAt: Date.parse('2099-12-31T00:00:00Z'),
    };
    const outcome = await update({ current: honest.table, currentDownload: poisoned });
    expect(outcome.kind).toBe('built');
  });
});

describe('crossCheckCarriers', () => {
  it('measures the share two sources attribute differently, and refuses beyond the bound', () => {
    expect(disagreement([[0n, 99n]], [[0n, 99n]])).toBe(0);
    expect(disagreement([[0n, 99n]], [[50n, 149n]])).toBeCloseTo(100 / 150, 5);
    const a = carrierSpaceOf(
      data.v4.map((r) => ({ ...r, family: 4 as const })),
      CARRIERS,
    );
    const b = carrierSpaceOf(
      swapped(data.v4).map((r) => ({ ...r, family: 4 as const })),
      CARRIERS,
    );
    expect(crossCheckCarriers(a, a, CARRIERS, { candidate: 'x', other: 'y' }).reasons).toEqual([]);
    const check = crossCheckCarriers(b, a, CARRIERS, { candidate: 'x', other: 'y' });
    expect(check.reasons).toEqual([
      "x and y disagree about 100% of China Telecom's IPv4 addresses (at most 20% is accepted): one of them may be damaged or tampered with, so the data in use stays.",
    ]);
  });
});

describe('freshnessOf', () => {
  const OLD = Date.parse('2026-06-17T19:00:00Z');
  const status = (extra: Partial<DataUpdateStatus>): DataUpdateStatus => ({
    running: false,
    progress: null,
    last: null,
    table: null,
    automatic: true,
    pendingCheck: false,
    ...extra,
  });
  const attempt = (result: 'updated' | 'unchanged' | 'refused') => ({
    at: NOW,
    result,
    message: '',
    sources: ['https://a.example/'],
  });

  it('calls old data stale only with a reason, and "checking" while a check runs or is due', () => {
    expect(freshnessOf(status({}), NOW - 86_400_000, NOW)).toBe('fresh');
    expect(freshnessOf(status({ running: true }), OLD, NOW)).toBe('checking');
    expect(freshnessOf(status({ pendingCheck: true }), OLD, NOW)).toBe('checking');
    expect(freshnessOf(null, OLD, NOW)).toBe('checking');
    expect(freshnessOf(status({ automatic: false, pendingCheck: false }), OLD, NOW)).toBe(
      'stale-off',
    );
    expect(freshnessOf(status({ last: attempt('refused') }), OLD, NOW)).toBe('stale-failed');
    expect(freshnessOf(status({ automatic: false, last: attempt('refused') }), OLD, NOW)).toBe(
      'stale-failed',
    );
    expect(freshnessOf(status({ last: attempt('unchanged') }), OLD, NOW)).toBe('stale-no-newer');
  });
});
