// One evidence, four callers (issue 22): the site's report and a page's other host (lib/tabs, on a
// fake browser), a HAR file's host and a command-line target (lib/cli) all build their verdict's
// input with lib/verdict-input.ts, so the same DoH answer and the same connection give the same
// verdict wherever they are seen. The connection is a loopback one (a local proxy or override),
// which every caller judges and none takes as a reason to skip DoH; the command line has no
// connection to give, and is compared on what DoH alone decides.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolveResult } from '../../lib/dns';
import type { Verdict } from '../../lib/verdict';
import { verdictInput } from '../../lib/verdict-input';
import { startDohServer, type TestDohServer } from './cli/doh-server';
import { runCaptured } from './support/cli-run';
import { ok } from './support/tab-fakes';
import { CARRIER, CLEAN, fakeWorker } from './support/worker-fakes';

const ROOT = resolve(__dirname, '../..');
const LOOPBACK = '127.0.0.1';

interface Judged {
  status: string;
  codes: string[];
  problemKind?: string;
  dohAddresses: string[];
}

const evidence: { name: string; answer: string[] | 'nxdomain'; expected: Partial<Judged> }[] = [
  { name: 'mixed.test', answer: [CARRIER, CLEAN], expected: { status: 'flagged', codes: ['CT'] } },
  { name: 'clean.test', answer: [CLEAN], expected: { status: 'clean', codes: [] } },
  { name: 'gone.test', answer: 'nxdomain', expected: { status: 'unchecked' } },
];

let doh: TestDohServer;
let scratch: string;

beforeAll(async () => {
  const zone: Record<string, { a: string[] }> = {};
  for (const e of evidence) if (e.answer !== 'nxdomain') zone[e.name] = { a: e.answer };
  doh = await startDohServer(zone);
  scratch = await mkdtemp(join(tmpdir(), 'carrierflag-evidence-'));
});

afterAll(async () => {
  await doh?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const answers = (): Record<string, ResolveResult> => {
  const out: Record<string, ResolveResult> = {};
  for (const e of evidence) {
    out[e.name] =
      e.answer === 'nxdomain'
        ? ({
            ok: false,
            hostname: e.name,
            error: { kind: 'nxdomain', message: `${e.name} does not exist` },
          } as ResolveResult)
        : ok(e.name, ...e.answer);
  }
  out['page.test'] = ok('page.test', CLEAN);
  return out;
};

const fromVerdict = (v: Verdict): Judged => ({
  status: v.status,
  codes: v.groups.map((g) => g.code),
  ...(v.problemKind ? { problemKind: v.problemKind } : {}),
  dohAddresses: v.addresses.filter((a) => a.origins.includes('doh')).map((a) => a.ip),
});

async function throughSite(name: string): Promise<Judged> {
  const w = await fakeWorker(answers());
  const report = await w.visit(1, `https://${name}/`, { ip: LOOPBACK });
  return fromVerdict(report.verdict);
}

async function throughHost(name: string): Promise<Judged> {
  const w = await fakeWorker(answers());
  await w.visit(1, 'https://page.test/', { ip: CLEAN });
  w.browser.pageLoaded(1);
  await w.browser.subrequest({ tabId: 1, url: `https://${name}/x.js`, ip: LOOPBACK });
  await w.tabs.idle();
  const host = (await w.tabs.getPageHosts(1))?.hosts.find((h) => h.hostname === name);
  return fromVerdict(host!.verdict);
}

interface JsonLine {
  target?: string;
  host?: string;
  status: string;
  addresses?: { ip: string; matches: { code: string }[] }[];
  error?: { kind: string };
}

const fromJson = (line: JsonLine): Omit<Judged, 'dohAddresses'> => ({
  status: line.status,
  codes: [...new Set((line.addresses ?? []).flatMap((a) => a.matches.map((m) => m.code)))],
  ...(line.error && line.status === 'unchecked' ? { problemKind: line.error.kind } : {}),
});

async function throughCli(args: string[]): Promise<JsonLine[]> {
  const r = await runCaptured(['--resolver', doh.url, '--json', ...args], {
    defaultTablePath: join(ROOT, 'public/prefix-table.bin'),
  });
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as JsonLine);
}

async function throughHar(name: string): Promise<Omit<Judged, 'dohAddresses'>> {
  const har = {
    log: {
      version: '1.2',
      creator: { name: 'test', version: '1' },
      pages: [{ id: 'p', title: `https://${name}/`, startedDateTime: '2026-01-01T00:00:00Z' }],
      entries: [
        {
          pageref: 'p',
          _resourceType: 'document',
          request: { method: 'GET', url: `https://${name}/` },
          response: { status: 200 },
          serverIPAddress: LOOPBACK,
        },
      ],
    },
  };
  const file = join(scratch, `${name}.har`);
  await writeFile(file, JSON.stringify(har));
  const lines = await throughCli(['--har', file]);
  const line = lines.find((l) => (l.host ?? l.target) === name);
  expect(line, JSON.stringify(lines)).toBeDefined();
  return fromJson(line!);
}

describe('one evidence, one verdict, whichever caller builds the input', () => {
  for (const e of evidence) {
    it(`${e.name}: DoH ${String(e.answer)}, connected to loopback`, async () => {
      const site = await throughSite(e.name);
      const host = await throughHost(e.name);
      expect(site).toMatchObject(e.expected);
      // The site and its page's host are judged alike, address for address.
      expect(host).toEqual(site);
      const { dohAddresses: _, ...siteWords } = site;
      expect(await throughHar(e.name)).toEqual(siteWords);
      // The command line has no connection: DoH alone must decide the same (the loopback address
      // adds nothing to a verdict, as it is never looked up).
      const [target] = await throughCli([e.name]);
      expect(fromJson(target!)).toEqual(siteWords);
    });
  }

  it('a name not asked for want of room, with no connection, says why rather than looking clean', () => {
    const input = verdictInput(
      { hostname: 'quiet.test' },
      { kind: 'browser-only', why: 'queue-full', message: 'not looked up' },
      {},
    );
    expect(input.dnsError).toEqual({ kind: 'queue-full', message: 'not looked up' });
    // The same with a connection seen: the connection decides.
    const seen = verdictInput(
      { hostname: 'quiet.test' },
      { kind: 'browser-only', why: 'queue-full', message: 'not looked up' },
      { browserAddress: CLEAN },
    );
    expect(seen.dnsError).toBeUndefined();
  });
});
