import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cacheDir, createTableCache } from '../../../lib/cli/main';
import { runCaptured } from '../support/cli-run';
import { buildTableFromRanges } from '../../../lib/data-update';
import { nodeTableCodec, nodeTableEncoderCodec } from '../../../lib/prefix-table/node-codec';
import { normalizeRanges, readIpLocationDbCsv } from '../../../lib/sources';
import {
  startRoutingServer,
  syntheticData,
  toCsv,
  type RoutingServer,
} from '../support/routing-data';

const V4 = 'asn-ipv4-num.csv';
const V6 = 'asn-ipv6-num.csv';
const LAST_MODIFIED = 'Tue, 01 Dec 2026 10:00:00 GMT';
const data = syntheticData();
/** 1.0.2.0/24 is AS64501 in the "bundled" data and China Telecom's in the served data. */
const MOVED = '1.0.2.1';
const moved = data.v4.map((r, i) => (i === 1 ? { ...r, asn: 4134, org: 'Chinanet' } : r));

let server: RoutingServer;
/** The served pair, named by its IPv4 file (a folder would mean the release's origin-asn names). */
const from = () => server.url + V4;
let scratch: string;
let bundledPath: string;

beforeAll(async () => {
  server = await startRoutingServer();
  scratch = await mkdtemp(join(tmpdir(), 'carrierflag-update-'));
  // A small "bundled" table from the same synthetic data, published 2026-06-17 like the pinned one.
  const rows = [
    ...readIpLocationDbCsv(toCsv(data.v4), { file: V4 }).rows,
    ...readIpLocationDbCsv(toCsv(data.v6), { file: V6 }).rows,
  ];
  const { file } = await buildTableFromRanges(
    normalizeRanges(rows, { reportOverlaps: true }).ranges,
    { source: '@ip-location-db/asn', sourceVersion: '2.3.2026061719', builtFrom: `${V4}, ${V6}` },
    nodeTableCodec,
    nodeTableEncoderCodec.deflateRaw,
  );
  bundledPath = join(scratch, 'bundled.bin');
  await writeFile(bundledPath, file);
});

afterAll(async () => {
  await server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

let cache: string;
beforeEach(async () => {
  cache = await mkdtemp(join(scratch, 'cache-'));
  server.serve(V4, { kind: 'file', body: toCsv(moved), etag: '"4"', lastModified: LAST_MODIFIED });
  server.serve(V6, {
    kind: 'file',
    body: toCsv(data.v6),
    etag: '"6"',
    lastModified: LAST_MODIFIED,
  });
  server.requests.length = 0;
});

function run(args: string[]) {
  return runCaptured(args, {
    defaultTablePath: bundledPath,
    cache: createTableCache(cache),
    codec: nodeTableCodec,
    deflateRaw: nodeTableEncoderCodec.deflateRaw,
    now: () => Date.parse('2026-12-02T10:00:00Z'),
    packageVersion: '0.1.0',
  });
}

describe('carrierflag update', () => {
  it('saves a newer table that later runs use; --table still overrides; --version names it', async () => {
    expect((await run([MOVED])).code).toBe(0);
    const updated = await run(['update', '--from', from()]);
    expect(updated.stderr).toContain(`fetching routing data from ${from()}`);
    expect(updated.stdout).toMatch(
      /^Updated: \d+ IPv4 and \d+ IPv6 ranges, published 2026-12-01, from 127\.0\.0\.1:\d+; not cross-checked: no second source is set\.\nSaved to /,
    );
    expect(updated.code).toBe(0);
    expect(readdirSync(cache).sort()).toEqual([
      expect.stringMatching(/^prefix-table-2026120110-[0-9a-f]{12}\.bin$/),
      expect.stringMatching(/^prefix-table-2026120110-[0-9a-f]{12}\.json$/),
    ]);

    const check = await run(['--json', MOVED]);
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout)).toMatchObject({
      flagged: true,
      addresses: [{ asn: 4134, carrier: 'China Telecom' }],
    });
    expect((await run(['--table', bundledPath, MOVED])).code).toBe(0);

    const version = await run(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toContain('carrierflag 0.1.0\n');
    expect(version.stdout).toContain(
      `routing data: ${from()} 2026120110, published 2026-12-01 (1 days old), served by ${new URL(server.url).host}\n`,
    );
  });

  it('asks conditionally the second time and keeps the table on 304', async () => {
    await run(['update', '--from', from()]);
    server.requests.length = 0;
    const again = await run(['update', '--from', from()]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Routing data unchanged since the last update');
    expect(server.requests.map((r) => r.ifNoneMatch)).toEqual(['"4"', '"6"']);
  });

  it('refuses bad data with the reason and exit status 2, and keeps using the table it had', async () => {
    await run(['update', '--from', from()]);
    server.serve(V4, {
      kind: 'file',
      body: toCsv(moved.slice(0, moved.length / 2)),
      lastModified: LAST_MODIFIED,
    });
    const refused = await run(['update', '--from', from()]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /not updated, the data in use stays\. 127\.0\.0\.1:\d+: The new data has \d+ IPv4 ranges, 50% fewer/,
    );
    server.serve(V6, { kind: 'status', status: 500 });
    const failed = await run(['update', '--from', from()]);
    expect(failed.stderr).toContain(
      'asn-ipv6-num.csv: the server answered with an error (HTTP 500',
    );
    expect((await run([MOVED])).code).toBe(1);
  });

  it('skips a damaged saved table and falls back to the bundled one', async () => {
    await run(['update', '--from', from()]);
    const saved = readdirSync(cache).find((n) => n.endsWith('.bin'))!;
    await writeFile(join(cache, saved), 'not a table');
    expect((await run([MOVED])).code).toBe(0);
    expect((await run(['--version'])).stdout).toContain(
      '@ip-location-db/asn 2.3.2026061719, published 2026-06-17 (167 days old: stale',
    );
  });

  it('refuses a plain-http source that is not on this computer', async () => {
    const r = await run(['update', '--from', 'http://example.com/data/']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'Routing data source 1 is not usable: the address must start with https://',
    );
    expect(server.requests).toEqual([]);
  });
});

describe('carrierflag update from a GitHub-like release', () => {
  const release = () => `${server.url}releases/download/latest/`;
  beforeEach(() => {
    for (const [file, body, tag] of [
      ['origin-asn-ipv4-num.csv', toCsv(moved), 'v4'],
      ['origin-asn-ipv6-num.csv', toCsv(data.v6), 'v6'],
    ] as const) {
      server.serve(file, {
        kind: 'redirect',
        location: `${server.otherHostUrl}assets/${tag}.csv?X-Amz-Signature=abc`,
      });
      server.serve(`${tag}.csv`, {
        kind: 'file',
        body,
        etag: `"${tag}"`,
        lastModified: LAST_MODIFIED,
      });
    }
  });

  it('follows the redirect, saves the table, and --version names the source, date and host', async () => {
    const updated = await run(['update', '--from', release()]);
    expect(updated.code).toBe(0);
    const assetHost = new URL(server.otherHostUrl).host;
    expect(updated.stdout).toContain(`from ${assetHost}`);
    expect((await run([MOVED])).code).toBe(1);
    expect((await run(['--version'])).stdout).toContain(
      `routing data: ${release()} 2026120110, published 2026-12-01 (1 days old), served by ${assetHost}\n`,
    );
  });

  it('refuses a redirect to plain http and a redirect loop, with the reason, keeping its table', async () => {
    server.serve('origin-asn-ipv4-num.csv', {
      kind: 'redirect',
      location: 'http://objects.example/v4.csv',
    });
    const plain = await run(['update', '--from', release()]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain(
      'the server redirected to http://objects.example/v4.csv, which an update never follows',
    );
    server.serve('origin-asn-ipv4-num.csv', { kind: 'redirect', location: release() + 'again' });
    server.serve('again', { kind: 'redirect', location: release() + 'origin-asn-ipv4-num.csv' });
    const loop = await run(['update', '--from', release()]);
    expect(loop.code).toBe(2);
    expect(loop.stderr).toContain("the server's redirects go round in a loop");
    expect((await run([MOVED])).code).toBe(0);
  });

  it('refuses data dated in the future, then takes honest data', async () => {
    for (const tag of ['v4', 'v6']) {
      server.serve(`${tag}.csv`, {
        kind: 'file',
        body: tag === 'v4' ? toCsv(moved) : toCsv(data.v6),
        lastModified: 'Thu, 31 Dec 2099 00:00:00 GMT',
      });
    }
    const future = await run(['update', '--from', release()]);
    expect(future.code).toBe(2);
    expect(future.stderr).toContain(
      'the data says it was published on 2099-12-31, a date in the future, so it is not trusted',
    );
    for (const tag of ['v4', 'v6']) {
      server.serve(`${tag}.csv`, {
        kind: 'file',
        body: tag === 'v4' ? toCsv(moved) : toCsv(data.v6),
        lastModified: LAST_MODIFIED,
      });
    }
    expect((await run(['update', '--from', release()])).code).toBe(0);
    expect((await run([MOVED])).code).toBe(1);
  });

  it('falls back to the next source when the first fails', async () => {
    server.serve('origin-asn-ipv4-num.csv', { kind: 'status', status: 503 });
    const updated = await run(['update', '--from', release(), '--from', from()]);
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain('used instead of the first source');
    expect((await run([MOVED])).code).toBe(1);
  });
});

describe('the cache folder', () => {
  it('is $XDG_CACHE_HOME/carrierflag, else ~/.cache/carrierflag', () => {
    expect(cacheDir({ XDG_CACHE_HOME: '/tmp/xdg', HOME: '/home/u' })).toBe('/tmp/xdg/carrierflag');
    expect(cacheDir({ HOME: '/home/u' })).toBe('/home/u/.cache/carrierflag');
    // XDG: a relative value is invalid and ignored.
    expect(cacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' })).toBe(
      '/home/u/.cache/carrierflag',
    );
    expect(cacheDir({})).toBe(join(homedir(), '.cache', 'carrierflag'));
  });
});
