// A routing-data feed that floods (issue 24): each hostile answer is refused, and what the refusal
// cost is bounded by the input's shape, not only its size, measured in a process of its own with
// the real bundled table in use. Ceilings, not expectations: README's normal update peaks at
// 178–265 MiB and 1.6–1.9 s of CPU in the browser; a refused one must stay under 300 MiB and 5 s.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TABLE = 'public/prefix-table.bin';
const MAX_RSS_MIB = 300;
const MAX_CPU_MS = 5000;
const MIB = 1024 * 1024;

/** 63.5 MiB of short, valid IPv4 rows (each a different /32), as one buffer. */
function tinyRows(bytes: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `${16777216 + i},${16777216 + i},4134,x\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join(''));
}

let server: Server;
let base = '';
const bodies = new Map<string, { body: Buffer; headers: Record<string, string> }>();

beforeAll(async () => {
  const rows = tinyRows(63.5 * MIB);
  bodies.set('/bomb/asn-ipv4-num.csv', {
    body: gzipSync(rows, { level: 9 }),
    headers: { 'content-encoding': 'gzip', 'content-type': 'text/csv' },
  });
  bodies.set('/tiny/asn-ipv4-num.csv', { body: rows, headers: { 'content-type': 'text/csv' } });
  bodies.set('/oneline/asn-ipv4-num.csv', {
    body: Buffer.alloc(63 * MIB, '1'),
    headers: { 'content-type': 'text/csv' },
  });
  // The control: the real data, served the same way, must still be taken.
  const pinned = path.dirname(
    createRequire(import.meta.url).resolve('@ip-location-db/asn/package.json'),
  );
  for (const file of ['asn-ipv4-num.csv', 'asn-ipv6-num.csv']) {
    bodies.set(`/real/${file}`, {
      body: readFileSync(path.join(pinned, file)),
      headers: { 'content-type': 'text/csv', 'last-modified': new Date().toUTCString() },
    });
  }
  server = createServer((req, res) => {
    const found = bodies.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (!found) return void res.writeHead(404).end();
    res.writeHead(200, { ...found.headers, 'content-length': String(found.body.length) });
    res.end(found.body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

function runUpdate(source: string): Promise<{
  kind: string;
  reason?: string;
  peakRssMiB: number;
  cpuMs: number;
}> {
  return new Promise((done, fail) => {
    execFile(
      'node',
      ['scripts/run-ts.mjs', 'tests/unit/support/hostile-update.ts', source, TABLE],
      { maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) return fail(new Error(`${error.message}\n${stderr}`));
        done(JSON.parse(stdout.trim().split('\n').pop()!));
      },
    );
  });
}

describe.skipIf(!existsSync(TABLE))('a feed that floods is refused at a bounded cost', () => {
  const cases = [
    [
      'a 0.2 MiB gzip body that unpacks to 63.5 MiB of rows',
      'bomb',
      /more than \d+ address ranges/,
    ],
    ['63.5 MiB of tiny rows', 'tiny', /more than \d+ address ranges/],
    ['63 MiB without a line break', 'oneline', /a line is longer than 4096 characters/],
  ] as const;
  it('the real data, served the same way, is taken: the limits refuse floods, not data', async () => {
    const result = await runUpdate(`${base}/real/asn-ipv4-num.csv`);
    expect(result).toMatchObject({ kind: 'built' });
  }, 120_000);

  for (const [what, folder, reason] of cases) {
    it(
      what,
      async () => {
        const result = await runUpdate(`${base}/${folder}/asn-ipv4-num.csv`);
        expect(result.kind).toBe('refused');
        expect(result.reason).toMatch(reason);
        console.log(
          `${what}: peak ${result.peakRssMiB.toFixed(0)} MiB, ${result.cpuMs.toFixed(0)} ms CPU`,
        );
        expect(result.peakRssMiB).toBeLessThan(MAX_RSS_MIB);
        expect(result.cpuMs).toBeLessThan(MAX_CPU_MS);
      },
      120_000,
    );
  }
});
