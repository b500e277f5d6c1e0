import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  fetchRoutingUpdate,
  groupCoverage,
  refusalReasons,
  storedDeflateRaw,
  validateRoutingDataUrl,
  type UpdateDeps,
  type UpdateOutcome,
} from '../../../lib/data-update';
import { nodeTableCodec } from '../../../lib/prefix-table/node-codec';
import type { PrefixTable } from '../../../lib/prefix-table';
import { DEFAULT_WATCHLIST } from '../../../lib/watchlist/defaults';
import {
  startRoutingServer,
  syntheticData,
  toCsv,
  type RoutingServer,
} from '../support/routing-data';

const V4 = 'asn-ipv4-num.csv';
const V6 = 'asn-ipv6-num.csv';
const CARRIERS = DEFAULT_WATCHLIST.groups.filter((g) => g.builtin);
const PUBLISHED = 'Tue, 01 Dec 2026 10:00:00 GMT';
const data = syntheticData();
const v4Csv = toCsv(data.v4);
const v6Csv = toCsv(data.v6);

let server: RoutingServer;
beforeAll(async () => {
  server = await startRoutingServer();
});
afterAll(() => server.close());

function serveGood(): void {
  server.serve(V4, { kind: 'file', body: v4Csv, etag: '"v4-a"', lastModified: PUBLISHED });
  server.serve(V6, { kind: 'file', body: v6Csv, etag: '"v6-a"', lastModified: PUBLISHED });
}

beforeEach(() => {
  serveGood();
  server.requests.length = 0;
});

function update(extra: Partial<UpdateDeps> = {}): Promise<UpdateOutcome> {
  return fetchRoutingUpdate({
    fetch: (url, init) => fetch(url, init),
    sources: [server.url + V4],
    current: null,
    carrierGroups: CARRIERS,
    codec: nodeTableCodec,
    now: () => Date.parse('2026-12-01T12:00:00Z'),
    // Long enough for a loaded machine; the hang tests pass a short one.
    downloadLimits: { stallTimeoutMs: 15_000 },
    ...extra,
  });
}

async function baseline(): Promise<Extract<UpdateOutcome, { kind: 'built' }>> {
  const outcome = await update();
  if (outcome.kind !== 'built') throw new Error(`baseline not built: ${JSON.stringify(outcome)}`);
  return outcome;
}

function refusal(outcome: UpdateOutcome): string {
  expect(outcome.kind).toBe('refused');
  return outcome.kind === 'refused' ? outcome.reason : '';
}

describe('validateRoutingDataUrl', () => {
  it('accepts https, gives a folder ending in a slash and keeps a data file name', () => {
    expect(validateRoutingDataUrl('https://cdn.example/npm/x')).toEqual({
      ok: true,
      url: 'https://cdn.example/npm/x/',
    });
    expect(validateRoutingDataUrl('https://cdn.example/d/asn-ipv4-num.csv')).toEqual({
      ok: true,
      url: 'https://cdn.example/d/asn-ipv4-num.csv',
    });
  });
  it('accepts plain http only on loopback', () => {
    for (const url of [
      'http://127.0.0.1:8080/d/',
      'http://127.1.2.3/',
      'http://localhost:3000/',
      'http://[::1]:9/',
    ]) {
      expect(validateRoutingDataUrl(url).ok, url).toBe(true);
    }
    for (const url of [
      'http://example.com/',
      'http://10.0.0.1/',
      'http://128.0.0.1/',
      'http://localhost.example/',
    ]) {
      const result = validateRoutingDataUrl(url);
      expect(result.ok, url).toBe(false);
      if (!result.ok) expect(result.reason).toContain('https://');
    }
  });
  it('refuses other schemes, credentials, queries and fragments, in words', () => {
    expect(validateRoutingDataUrl('ftp://x.example/')).toMatchObject({ ok: false });
    expect(validateRoutingDataUrl('https://u:p@x.example/')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('password'),
    });
    expect(validateRoutingDataUrl('https://x.example/?id=1')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('query'),
    });
    expect(validateRoutingDataUrl('not a url')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not a web address'),
    });
    expect(validateRoutingDataUrl('  ')).toMatchObject({ ok: false });
  });
});

describe('storedDeflateRaw', () => {
  it('is a deflate-raw stream that inflates to its input, empty and over one block', () => {
    for (const length of [0, 1, 65535, 65536, 200_000]) {
      const input = new Uint8Array(length).map((_, i) => (i * 7) & 255);
      expect(Buffer.from(inflateRawSync(storedDeflateRaw(input))).equals(Buffer.from(input))).toBe(
        true,
      );
    }
  });
});

describe('fetchRoutingUpdate', () => {
  it('builds a table from the two files that looks addresses up like the source', async () => {
    const outcome = await baseline();
    const table = outcome.table;
    expect(table.meta.v4Ranges).toBeGreaterThan(0);
    expect(table.meta.source).toBe(server.url + V4);
    expect(table.meta.sourceVersion).toBe('2026120110');
    // 1.0.0.0/24 is row 0: AS4134; 1.0.2.0 is row 1 (AS64501); the /24 between rows is a gap.
    expect(table.lookup('1.0.0.7')).toMatchObject({ kind: 'routed', asn: 4134, org: 'Chinanet' });
    expect(table.lookup('1.0.2.1')).toMatchObject({ kind: 'routed', asn: 64501 });
    expect(table.lookup('1.0.1.1')).toEqual({ kind: 'unrouted' });
    expect(table.lookup('2001:400::1')).toMatchObject({ kind: 'routed', asn: 4134 });
    expect(outcome.download.files).toEqual([
      { name: V4, servedBy: new URL(server.url).host, etag: '"v4-a"', lastModified: PUBLISHED },
      { name: V6, servedBy: new URL(server.url).host, etag: '"v6-a"', lastModified: PUBLISHED },
    ]);
    expect(outcome.download.publishedAt).toBe(Date.parse(PUBLISHED));
  });

  it('sends conditional requests and keeps the table on 304', async () => {
    const first = await baseline();
    server.requests.length = 0;
    const outcome = await update({ current: first.table, currentDownload: first.download });
    expect(outcome).toEqual({ kind: 'unchanged' });
    expect(server.requests).toEqual([
      { path: `/data/${V4}`, ifNoneMatch: '"v4-a"', ifModifiedSince: PUBLISHED },
      { path: `/data/${V6}`, ifNoneMatch: '"v6-a"', ifModifiedSince: PUBLISHED },
    ]);
  });

  it('does not send the validators of another folder', async () => {
    const first = await baseline();
    server.requests.length = 0;
    await update({
      current: first.table,
      currentDownload: { ...first.download, url: 'https://elsewhere.example/' },
    });
    expect(server.requests.every((r) => r.ifNoneMatch === undefined)).toBe(true);
  });

  it('fetches an unchanged file again in full when the other one changed', async () => {
    const first = await baseline();
    const moved = data.v4.map((r, i) => (i === 1 ? { ...r, asn: 4134, org: 'Chinanet' } : r));
    server.serve(V4, { kind: 'file', body: toCsv(moved), etag: '"v4-b"', lastModified: PUBLISHED });
    server.requests.length = 0;
    const outcome = await update({ current: first.table, currentDownload: first.download });
    expect(outcome.kind).toBe('built');
    if (outcome.kind === 'built')
      expect(outcome.table.lookup('1.0.2.1')).toMatchObject({ asn: 4134 });
    expect(server.requests.map((r) => [r.path, r.ifNoneMatch])).toEqual([
      [`/data/${V4}`, '"v4-a"'],
      [`/data/${V6}`, '"v6-a"'],
      [`/data/${V6}`, undefined],
    ]);
  });

  describe('keeps the current table, with a reason in words, when', () => {
    let current: PrefixTable;
    beforeAll(async () => {
      serveGood();
      current = (await baseline()).table;
    });
    const attempt = () => update({ current });

    it('the file is cut off in the middle of a line', async () => {
      server.serve(V4, {
        kind: 'file',
        body: v4Csv.slice(0, v4Csv.lastIndexOf('\n', v4Csv.length * 0.9) + 5),
      });
      expect(refusal(await attempt())).toContain(
        'asn-ipv4-num.csv: the file ends in the middle of a line, so it was cut short',
      );
    });
    it('the server sends an HTML error page', async () => {
      server.serve(V4, {
        kind: 'file',
        body: '<!doctype html><h1>Oops</h1>\n',
        contentType: 'text/html',
      });
      expect(refusal(await attempt())).toContain('the server sent a web page, not the data file');
    });
    it('the server sends an HTML page labelled as CSV', async () => {
      server.serve(V6, {
        kind: 'file',
        body: '\n<html><body>Maintenance</body></html>\n',
        contentType: 'text/csv',
      });
      expect(refusal(await attempt())).toContain('asn-ipv6-num.csv: the server sent a web page');
    });
    it('the file is missing (404)', async () => {
      server.serve(V4, { kind: 'status', status: 404 });
      expect(refusal(await attempt())).toContain('the server answered with an error (HTTP 404');
    });
    it('the server fails (500)', async () => {
      server.serve(V6, { kind: 'status', status: 500 });
      expect(refusal(await attempt())).toContain('(HTTP 500');
    });
    it('the server never answers', async () => {
      server.serve(V4, { kind: 'hang' });
      const outcome = await update({ current, downloadLimits: { stallTimeoutMs: 300 } });
      expect(refusal(outcome)).toContain(
        'asn-ipv4-num.csv: the server sent nothing for 0.3 seconds',
      );
    });
    it('the server sends headers and then nothing', async () => {
      server.serve(V6, { kind: 'hangBody' });
      const outcome = await update({ current, downloadLimits: { stallTimeoutMs: 300 } });
      expect(refusal(outcome)).toContain(
        'asn-ipv6-num.csv: the server sent nothing for 0.3 seconds',
      );
    });
    it('the file would shrink the table by half', async () => {
      server.serve(V4, { kind: 'file', body: toCsv(data.v4.slice(0, data.v4.length / 2)) });
      const reason = refusal(await attempt());
      expect(reason).toMatch(/IPv4 ranges, 50% fewer than the \d+ in use/);
      expect(reason).toContain('the file looks incomplete');
    });
    it('a carrier would lose much of its address space', async () => {
      // Same number of ranges, but China Telecom's moved to another network.
      const moved = data.v4.map((r, i) =>
        r.asn === 4134 && i % 20 === 0 ? { ...r, asn: 64999, org: 'Other' } : r,
      );
      server.serve(V4, { kind: 'file', body: toCsv(moved) });
      expect(refusal(await attempt())).toContain(
        'China Telecom would lose 50% of its IPv4 addresses',
      );
    });
    it('too many rows are unreadable', async () => {
      const bad = Array.from({ length: 101 }, (_, i) => `x${i},y,z,w\n`).join('');
      server.serve(V4, { kind: 'file', body: v4Csv + bad });
      expect(refusal(await attempt())).toContain(
        'The new data has 101 unreadable rows; at most 100 are accepted.',
      );
    });
    it('the file is larger than the cap', async () => {
      expect(refusal(await update({ current, downloadLimits: { maxFileBytes: 1000 } }))).toContain(
        'more than the 0 MB an update accepts',
      );
    });
    it('the file is not text', async () => {
      server.serve(V4, { kind: 'file', body: new Uint8Array([0x31, 0xff, 0xfe, 0x0a]) });
      expect(refusal(await attempt())).toContain('not valid UTF-8');
    });
    it('a file holds no ranges', async () => {
      server.serve(V6, { kind: 'file', body: '\n' });
      expect(refusal(await attempt())).toContain('asn-ipv6-num.csv holds no address ranges');
    });
    it('the data is older than the data in use', async () => {
      server.serve(V4, {
        kind: 'file',
        body: v4Csv,
        lastModified: 'Mon, 01 Jun 2026 00:00:00 GMT',
      });
      server.serve(V6, {
        kind: 'file',
        body: v6Csv,
        lastModified: 'Mon, 01 Jun 2026 00:00:00 GMT',
      });
      expect(refusal(await attempt())).toContain(
        'published on 2026-06-01, before the data in use (2026-12-01)',
      );
    });
    it('the URL is not https', async () => {
      expect(refusal(await update({ current, sources: ['http://example.com/'] }))).toContain(
        'must start with https://',
      );
    });
  });
});

describe('guards', () => {
  it('count each carrier group’s addresses per family', async () => {
    const { table } = await baseline();
    const coverage = groupCoverage(table.toColumns(), CARRIERS);
    // 40 of the 400 IPv4 /24s are AS4134, and 10 of the 100 IPv6 /32s (2^32 /64s each).
    expect(coverage.get('china-telecom')).toEqual({
      v4Addresses: 40 * 256,
      v6Blocks64: 10 * 2 ** 32,
    });
    expect(coverage.get('china-mobile')!.v4Addresses).toBe(
      data.v4.filter((r) => r.asn === 9808).length * 256,
    );
  });
  it('refuse a table half as large again as the current one, and accept one within the band', async () => {
    const { table } = await baseline();
    const columns = table.toColumns();
    const grown = { ...table.meta, v4Ranges: Math.ceil(table.meta.v4Ranges * 1.6) };
    const input = {
      current: { meta: table.meta, columns },
      malformedRows: 0,
      carrierGroups: CARRIERS,
    };
    expect(refusalReasons({ ...input, candidate: { meta: grown, columns } }).join(' ')).toContain(
      '60% more than',
    );
    const within = { ...table.meta, v4Ranges: Math.ceil(table.meta.v4Ranges * 1.2) };
    expect(refusalReasons({ ...input, candidate: { meta: within, columns } })).toEqual([]);
  });
});

describe('a refusal says why as a code too (the pages word it in the user language)', () => {
  it('no source, an unusable source, every source failing', async () => {
    expect(await update({ sources: [] })).toMatchObject({ kind: 'refused', refusal: 'no-source' });
    expect(await update({ sources: ['ftp://example.org/x.csv'] })).toMatchObject({
      kind: 'refused',
      refusal: 'bad-source',
    });
    server.serve(V4, { kind: 'status', status: 500 });
    expect(await update()).toMatchObject({ kind: 'refused', refusal: 'sources-failed' });
  });
});
