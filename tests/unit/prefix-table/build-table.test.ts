// `npm run data` end to end on the small fixtures: exit codes, --lenient, --if-stale, and that the
// written file decodes.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeTable } from '../../../lib/prefix-table';
import { nodeTableCodec } from '../../../lib/prefix-table/node-codec';

const FIX = 'tests/fixtures/sources';

function run(args: string[]): { status: number; out: string } {
  try {
    const out = execFileSync('node', ['scripts/run-ts.mjs', 'scripts/build-table.ts', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: 0, out };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { status: e.status, out: e.stdout + e.stderr };
  }
}

describe('scripts/build-table.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf-build-'));
  const out = join(dir, 'table.bin');
  const stamp = join(dir, 'stamp');
  const common = ['--out', out, '--stamp', stamp, '--no-zopfli'];

  it('fails on malformed rows, naming file:line, and skips them with --lenient', async () => {
    const files = [`${FIX}/bad-ipv4-num.csv`, `${FIX}/asn-ipv6-num.csv`];
    const strict = run(['--source', 'ip-location-db', ...files, ...common]);
    expect(strict.status).toBe(1);
    expect(strict.out).toContain(`${FIX}/bad-ipv4-num.csv:3: error: range start is after its end`);
    const lenient = run(['--source', 'ip-location-db', ...files, '--lenient', ...common]);
    expect(lenient.status).toBe(0);
    expect(lenient.out).toContain('--lenient: skipped 9 malformed rows');
    const table = await decodeTable(new Uint8Array(readFileSync(out)), nodeTableCodec);
    expect(table.meta).toMatchObject({ source: 'ip-location-db', v4Ranges: 2, v6Ranges: 2 });
    expect(table.lookup('1.0.0.1')).toMatchObject({ asn: 13335, org: 'Cloudflare, Inc.' });
  }, 60_000);

  it('builds from gzipped iptoasn data and skips an unchanged rebuild with --if-stale', async () => {
    const args = [
      '--source',
      'iptoasn',
      `${FIX}/ip2asn-combined.tsv.gz`,
      '--source-version',
      '2026-01-01',
    ];
    const first = run([...args, ...common, '--if-stale']);
    expect(first.status).toBe(0);
    expect(first.out).toMatch(/wrote .*table\.bin/);
    const second = run([...args, ...common, '--if-stale']);
    expect(second.out).toContain('up to date');
    const table = await decodeTable(new Uint8Array(readFileSync(out)), nodeTableCodec);
    expect(table.meta).toMatchObject({ source: 'iptoasn', sourceVersion: '2026-01-01' });
    expect(table.lookup('2409:8000::1')).toMatchObject({ asn: 56048 });
    expect(table.lookup('1.0.4.1')).toEqual({ kind: 'unrouted' });
  }, 60_000);

  it("--if-stale goes by the inputs' contents, not their file times (npm ci rewrites them)", () => {
    const input = join(dir, 'asn-ipv4-num.csv');
    copyFileSync(`${FIX}/asn-ipv4-num.csv`, input);
    const args = ['--source', 'ip-location-db', input, ...common, '--if-stale'];
    expect(run(args).out).toMatch(/wrote .*table\.bin/);
    const later = new Date(Date.now() + 60_000);
    utimesSync(input, later, later);
    expect(run(args).out).toContain('up to date');
    writeFileSync(input, readFileSync(input, 'utf8').replace(/,13335,/, ',13336,'));
    expect(run(args).out).toMatch(/wrote .*table\.bin/);
    // A damaged output is rebuilt even though the inputs are unchanged.
    writeFileSync(out, 'not a table');
    expect(run(args).out).toMatch(/wrote .*table\.bin/);
  }, 60_000);

  it('rejects an unknown source kind', () => {
    const r = run(['--source', 'bgp', `${FIX}/asn-ipv4-num.csv`, ...common]);
    expect(r.status).toBe(2);
    expect(r.out).toContain("unknown source kind 'bgp'");
  });
});
