// Text from outside (a HAR file, an update server, DNS, the routing data) never reaches the
// terminal raw: no escape sequence, no bidirectional override, no forged line break.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableCache } from '../../../lib/cli/main';
import type { CliIo } from '../../../lib/cli/run';
import { runCaptured } from '../support/cli-run';
import { buildTableFromRanges } from '../../../lib/data-update';
import { nodeTableCodec, nodeTableEncoderCodec } from '../../../lib/prefix-table/node-codec';
import { normalizeRanges, readIpLocationDbCsv } from '../../../lib/sources';
import { syntheticData, toCsv } from '../support/routing-data';
import { startDohServer, type TestDohServer } from './doh-server';

const ROOT = resolve(__dirname, '../../..');
const BUNDLED = join(ROOT, 'public/prefix-table.bin');

/** What a terminal would act on: C0 but the line break, DEL, C1, bidi and invisible formatting. */
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- finding raw control characters is the point
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u;
const OWNED = '\u001b]0;owned\u0007\u001b[2J';

let doh: TestDohServer;
let scratch: string;

beforeAll(async () => {
  doh = await startDohServer({
    // A CNAME target whose label holds ESC, BEL and C1 bytes: what a hostile resolver could send.
    'alias.example.test': { cname: `x${OWNED}\u009b.example.test` },
    [`x${OWNED}\u009b.example.test`.toLowerCase()]: { a: ['1.1.1.1'] },
  });
  scratch = await mkdtemp(join(tmpdir(), 'carrierflag-ctl-'));
});

afterAll(async () => {
  await doh?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function run(args: string[], overrides: Partial<CliIo> = {}) {
  return runCaptured(args, { defaultTablePath: BUNDLED, ...overrides });
}

function expectNoControl(...texts: string[]) {
  for (const text of texts) expect(text).not.toMatch(UNSAFE);
}

describe('a HAR file', () => {
  const har = (pageUrl: string) =>
    JSON.stringify({
      log: {
        entries: [
          { _resourceType: 'document', request: { url: pageUrl }, serverIPAddress: '1.1.1.1' },
          // Junk where an address belongs, and a host name the URL parser refuses (so skipped).
          { request: { url: 'https://202.96.128.86/' }, serverIPAddress: `1.1.1.1${OWNED}` },
          { request: { url: `https://evil${OWNED}.test/` }, serverIPAddress: '1.1.1.1' },
        ],
      },
    });

  it('prints no control character from the page URL, hosts or addresses, table and --json', async () => {
    const path = join(scratch, 'hostile.har');
    const pageUrl = `https://1.1.1.1/${OWNED}\u202egnp.exe\n  => FLAGGED: nothing`;
    await writeFile(path, har(pageUrl));
    const table = await run(['--har', path]);
    expect(table.code).toBe(1);
    expectNoControl(table.stdout, table.stderr);
    expect(table.stdout).toContain(
      'page https://1.1.1.1/\\x1b]0;owned\\x07\\x1b[2J\\u202egnp.exe\\n  => FLAGGED: nothing: 1 of 2 hosts',
    );
    const json = await run(['--json', '--har', path]);
    expectNoControl(json.stdout, json.stderr);
    const lines = json.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2] as string)).toMatchObject({ page: pageUrl, hosts: 2 });
  });

  it('echoes a broken file escaped in the error message', async () => {
    const path = join(scratch, 'broken.har');
    await writeFile(path, `${OWNED}\u202e{"log": `);
    const r = await run(['--har', path]);
    expect(r.code).toBe(2);
    expectNoControl(r.stdout, r.stderr);
    expect(r.stderr).toMatch(/^carrierflag: --har .*not a HAR file: it is not valid JSON .*\n$/);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });
});

describe('a refused update', () => {
  const updateIo = async (fetch: CliIo['fetch']): Promise<Partial<CliIo>> => ({
    fetch,
    cache: createTableCache(await mkdtemp(join(scratch, 'cache-'))),
    codec: nodeTableCodec,
    deflateRaw: nodeTableEncoderCodec.deflateRaw,
    now: () => Date.parse('2026-12-02T10:00:00Z'),
  });

  it("prints the server's status line escaped", async () => {
    // A real Response refuses such a status text; a hostile server's bytes reach a fetch fake.
    const fetch = (async () => ({
      status: 503,
      ok: false,
      type: 'basic',
      statusText: `Unavailable${OWNED}\u009b31m\u202e`,
      headers: new Headers(),
      body: null,
    })) as unknown as CliIo['fetch'];
    const r = await run(
      ['update', '--from', 'https://data.example/asn-ipv4-num.csv'],
      await updateIo(fetch),
    );
    expect(r.code).toBe(2);
    expectNoControl(r.stdout, r.stderr);
    expect(r.stderr).toContain('HTTP 503 Unavailable\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\u202e');
  });

  it('prints a network error message escaped, on one line', async () => {
    const fetch = (async () => {
      throw new Error(`connect failed${OWNED}\nforged line`);
    }) as unknown as CliIo['fetch'];
    const r = await run(
      ['update', '--from', 'https://data.example/asn-ipv4-num.csv'],
      await updateIo(fetch),
    );
    expect(r.code).toBe(2);
    expectNoControl(r.stdout, r.stderr);
    expect(r.stderr).toContain('connect failed\\x1b]0;owned\\x07\\x1b[2J\\nforged line');
    expect(r.stderr.trim().split('\n')).toHaveLength(2); // "fetching ..." and the refusal
  });
});

describe('DNS', () => {
  it('never lets escape bytes of a CNAME target through (the parser writes them as \\DDD)', async () => {
    for (const json of [false, true]) {
      const r = await run([
        ...(json ? ['--json'] : []),
        '--resolver',
        doh.url,
        'alias.example.test',
      ]);
      expectNoControl(r.stdout, r.stderr);
      expect(r.stdout).toContain(json ? 'x\\\\027]0;owned\\\\007' : 'x\\027]0;owned\\007');
    }
  });
});

describe('organisation names in the routing data', () => {
  it('are escaped in the table and written as \\u escapes in --json', async () => {
    // The source reader refuses C0 and DEL in names; C1 and bidirectional characters pass it.
    const data = syntheticData(4, 1);
    const evil = 'Evil\u202eten\u009b2J\u200b Net';
    const rows = data.v4.map((r, i) => (i === 1 ? { ...r, org: evil } : r));
    const { file } = await buildTableFromRanges(
      normalizeRanges(
        [
          ...readIpLocationDbCsv(toCsv(rows), { file: 'asn-ipv4-num.csv' }).rows,
          ...readIpLocationDbCsv(toCsv(data.v6), { file: 'asn-ipv6-num.csv' }).rows,
        ],
        { reportOverlaps: true },
      ).ranges,
      { source: 'test', sourceVersion: '2.3.2026061719', builtFrom: 'test' },
      nodeTableCodec,
      nodeTableEncoderCodec.deflateRaw,
    );
    const path = join(scratch, 'evil-org.bin');
    await writeFile(path, file);
    const table = await run(['--table', path, '1.0.2.1']);
    expectNoControl(table.stdout, table.stderr);
    expect(table.stdout).toContain('Evil\\u202eten\\x9b2J\\u200b Net');
    const json = await run(['--json', '--table', path, '1.0.2.1']);
    expectNoControl(json.stdout, json.stderr);
    expect(json.stdout).toContain('Evil\\u202eten\\u009b2J\\u200b Net');
    expect(JSON.parse(json.stdout).addresses[0].org).toBe(evil);
  });
});
