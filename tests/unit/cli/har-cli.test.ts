import { existsSync } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_HAR_BYTES } from '../../../lib/cli/har';
import { runCaptured } from '../support/cli-run';
import { startDohServer, type TestDohServer } from './doh-server';

const ROOT = resolve(__dirname, '../../..');
const FIXTURES = join(ROOT, 'tests/fixtures/har');

let doh: TestDohServer;
let scratch: string;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'public/prefix-table.bin'))) {
    throw new Error('public/prefix-table.bin is missing: run npm run build first');
  }
  doh = await startDohServer({
    'clean.example.test': { a: ['1.1.1.1'] },
    'www.clean.example.test': { a: ['1.1.1.1'] },
    // DoH and the browser disagree: either witness is enough to flag.
    'ct.example.test': { a: ['1.1.1.1'] },
    'v6only.example.test': 'servfail',
    'api.cdn-only.test': { a: ['1.1.1.1'] },
    // behind-proxy.har: three clean sites and one on a carrier, all reached through one proxy.
    'one.test': { a: ['1.1.1.1'] },
    'two.test': { a: ['1.1.1.1'] },
    'three.test': { a: ['1.1.1.1'] },
    'carrier-site.test': { a: ['36.128.0.1'] },
    // The HAR trick: one China Telecom server under three registrable domains, DNS saying 1.1.1.1.
    'trick-one.test': { a: ['1.1.1.1'] },
    'trick-two.test': { a: ['1.1.1.1'] },
    'trick-three.test': { a: ['1.1.1.1'] },
  });
  scratch = await mkdtemp(join(tmpdir(), 'carrierflag-har-'));
});

afterAll(async () => {
  await doh?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A HAR of one page whose every request, one per host, was answered from `ip`. */
function harOf(hosts: readonly string[], ip: string): string {
  const entries = hosts.map((host, i) => ({
    _resourceType: i === 0 ? 'document' : 'script',
    pageref: 'page_1',
    request: { method: 'GET', url: `https://${host}/` },
    response: { status: 200 },
    serverIPAddress: ip,
  }));
  const pages = [
    {
      id: 'page_1',
      title: `https://${hosts[0]}/`,
      startedDateTime: '2026-01-01T00:00:00.000Z',
      pageTimings: {},
    },
  ];
  return JSON.stringify({
    log: { version: '1.2', creator: { name: 'test', version: '1' }, pages, entries },
  });
}

function run(args: string[]) {
  return runCaptured(['--resolver', doh.url, ...args], {
    defaultTablePath: join(ROOT, 'public/prefix-table.bin'),
  });
}

describe('carrierflag --har', () => {
  it('judges every host with the HAR address as the browser witness and DoH for the rest', async () => {
    const r = await run(['--json', '--har', join(FIXTURES, 'chromium-page.har')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const byHost = new Map(lines.slice(0, -1).map((l) => [l.target, l]));
    expect([...byHost.keys()]).toEqual([
      'clean.example.test',
      'ct.example.test',
      'v6only.example.test',
      'api.cdn-only.test',
      'printer.lan',
    ]);
    expect(byHost.get('clean.example.test')).toMatchObject({ status: 'clean', requests: 2 });
    // Flagged by the address the browser connected to, though DoH says Cloudflare.
    expect(byHost.get('ct.example.test')).toMatchObject({ status: 'flagged', flagged: true });
    expect(byHost.get('ct.example.test').addresses.map((a: { ip: string }) => a.ip)).toEqual([
      '1.1.1.1',
      '202.96.128.86',
    ]);
    // DoH failed, the HAR's address still judges it.
    expect(byHost.get('v6only.example.test')).toMatchObject({ status: 'flagged' });
    expect(byHost.get('api.cdn-only.test')).toMatchObject({ status: 'flagged' });
    // A private name with no connection: not checked, never sent to the resolver.
    expect(byHost.get('printer.lan')).toMatchObject({ status: 'unchecked', flagged: false });
    expect(doh.queries.some((q) => q.startsWith('printer.lan'))).toBe(false);
    expect(lines.at(-1)).toEqual({
      page: 'https://clean.example.test/',
      site: 'clean.example.test',
      hosts: 5,
      flagged: 3,
      unchecked: 1,
      proxies: [],
    });
  });

  it('a China Telecom address the HAR records for every site flags every site (changed for issue 23)', async () => {
    // behind-proxy.har: 202.96.128.86 (Chinanet) for four sites; it used to be set aside as a proxy.
    const r = await run(['--json', '--har', join(FIXTURES, 'behind-proxy.har')]);
    expect(r.stderr).toBe('');
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const line of lines.slice(0, -1)) {
      expect(line).toMatchObject({ status: 'flagged', flagged: true });
    }
    expect(lines.at(-1)).toMatchObject({ flagged: 4, proxies: [] });
    expect(r.code).toBe(1);
  });

  it('the same China Telecom server under three registrable domains flags all three', async () => {
    const file = join(scratch, 'trick.har');
    await writeFile(
      file,
      harOf(['trick-one.test', 'trick-two.test', 'trick-three.test'], '202.96.128.86'),
    );
    const r = await run(['--json', '--har', file]);
    expect(r.stderr).toBe('');
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const line of lines.slice(0, -1)) {
      expect(line).toMatchObject({ status: 'flagged', flagged: true });
      expect(line.proxy).toBeUndefined();
    }
    expect(lines.at(-1)).toMatchObject({ hosts: 3, flagged: 3, proxies: [] });
    expect(r.code).toBe(1);
    const human = await run(['--har', file]);
    expect(human.stdout).toMatch(/3 of 3 hosts on watched networks/);
    expect(human.stdout).toContain("goes through China Telecom's network (it may be a proxy)");
  });

  it("--json says each host's connection goes through China Telecom's network (issue 23)", async () => {
    const file = join(scratch, 'trick-json.har');
    await writeFile(
      file,
      harOf(['trick-one.test', 'trick-two.test', 'trick-three.test'], '202.96.128.86'),
    );
    const r = await run(['--json', '--har', file]);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const line of lines.slice(0, -1)) {
      expect(line.watchedConnection).toEqual({
        ip: '202.96.128.86',
        groups: ['China Telecom'],
        sentence:
          "your connection to this site goes through China Telecom's network (it may be a proxy): 202.96.128.86",
      });
    }
  });

  it('--json names no watched connection for a clean proxy', async () => {
    const file = join(scratch, 'clean-proxy-json.har');
    await writeFile(file, harOf(['one.test', 'two.test', 'three.test'], '1.0.0.1'));
    const r = await run(['--json', '--har', file]);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const line of lines.slice(0, -1)) expect(line).not.toHaveProperty('watchedConnection');
  });

  it('a proxy on a clean address shared by three sites is named and flags nothing', async () => {
    const file = join(scratch, 'clean-proxy.har');
    await writeFile(file, harOf(['one.test', 'two.test', 'three.test'], '1.0.0.1'));
    const r = await run(['--json', '--har', file]);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const line of lines.slice(0, -1)) {
      expect(line).toMatchObject({ status: 'clean', proxy: '1.0.0.1' });
    }
    expect(lines.at(-1)).toMatchObject({ flagged: 0, proxies: ['1.0.0.1'] });
    expect(r.code).toBe(0);
  });

  it('names a clean proxy in the human summary', async () => {
    const file = join(scratch, 'clean-proxy-human.har');
    await writeFile(file, harOf(['one.test', 'two.test', 'three.test'], '1.0.0.1'));
    const r = await run(['--har', file]);
    expect(r.stdout).toContain('through a proxy: 1.0.0.1');
    expect(r.stdout).toMatch(/0 of 3 hosts on watched networks/);
  });

  it('prints one row per host and the page summary', async () => {
    const r = await run(['--har', join(FIXTURES, 'firefox-redirect.har')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^TARGET/);
    expect(r.stdout).toMatch(/^www\.clean\.example\.test\s+1\.1\.1\.1/m);
    expect(r.stdout).toMatch(/^\s+2606:4700:4700::1001\s+AS13335/m);
    expect(r.stdout.trim().split('\n').at(-1)).toBe(
      'page http://clean.example.test/: 0 of 2 hosts on watched networks',
    );
  });

  it.each([
    ['truncated.har', /not valid JSON/],
    ['empty.har', /no requests/],
  ])('refuses a malformed HAR (%s) with a clear error and exit 2', async (name, reason) => {
    const r = await run(['--har', join(FIXTURES, name)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).toMatch(/^carrierflag: --har /);
  });

  it('refuses a HAR over 50 MB before reading it, and a missing file', async () => {
    const huge = join(scratch, 'huge.har');
    await writeFile(huge, '');
    await truncate(huge, MAX_HAR_BYTES + 1); // sparse: nothing is written or read
    const r = await run(['--har', huge]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/more than the 50 MB this command reads/);
    const missing = await run(['--har', join(scratch, 'nope.har')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file/);
  });

  it('takes no TARGET together with --har', async () => {
    const r = await run(['--har', join(FIXTURES, 'empty.har'), 'example.com']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/give no TARGET with it/);
  });
});
