import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDohServer, type TestDohServer } from './doh-server';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'dist/cli.mjs');
const TABLE = join(ROOT, 'public/prefix-table.bin');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command asynchronously: the DoH server lives in this process and must keep answering. */
function run(
  args: string[],
  options: { stdin?: string; script?: string; cwd?: string } = {},
): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [options.script ?? CLI, ...args], {
      cwd: options.cwd ?? tmpdir(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

const jsonLines = (out: string) =>
  out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

let doh: TestDohServer;
let resolverArgs: string[];

beforeAll(async () => {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs')], {
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`build-cli failed: ${build.stderr}`);
  if (!existsSync(TABLE)) {
    throw new Error(
      `${TABLE} is missing: run npm run data (or npm run build) before the CLI tests`,
    );
  }
  doh = await startDohServer({
    'ct.example.test': { a: ['202.96.128.86'] },
    'clean.example.test': { a: ['1.1.1.1'], aaaa: ['2606:4700:4700::1111'] },
    'mixed.example.test': { a: ['1.1.1.1', '36.128.0.1'] },
    'v6only.example.test': { aaaa: ['2400:9380:8000::1'] },
    'private.example.test': { a: ['192.168.1.20'] },
    'broken.example.test': 'servfail',
    'slow.example.test': { a: ['1.1.1.1'], delayMs: 400 },
    'www.alias.example.test': { cname: 'edge.cdn.example.test' },
    'edge.cdn.example.test': { cname: 'ct.example.test' },
    'under_score.example.test': { a: ['1.1.1.1'] },
  });
  resolverArgs = ['--resolver', doh.url];
});

afterAll(async () => {
  await doh?.close();
});

describe('carrierflag on IP addresses (no DNS)', () => {
  it('flags a China Telecom address and clears Cloudflare, exit 1', async () => {
    const r = await run(['--json', '202.96.128.86', '1.1.1.1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const [ct, cf] = jsonLines(r.stdout);
    expect(ct).toEqual({
      target: '202.96.128.86',
      status: 'flagged',
      flagged: true,
      confidence: 'high',
      aliases: [],
      addresses: [
        {
          ip: '202.96.128.86',
          scope: 'public',
          asn: 4134,
          org: expect.stringMatching(/chinanet/i),
          carrier: 'China Telecom',
          matches: [
            {
              group: 'China Telecom',
              code: 'CT',
              entry: 'AS4134',
              confidence: 'high',
              note: expect.stringMatching(/national backbone/),
            },
          ],
        },
      ],
    });
    expect(cf).toMatchObject({
      target: '1.1.1.1',
      flagged: false,
      confidence: null,
      addresses: [{ ip: '1.1.1.1', scope: 'public', asn: 13335, carrier: null, matches: [] }],
    });
    expect(cf.error).toBeUndefined();
  });

  it('exits 0 when everything was checked and nothing is flagged', async () => {
    const r = await run(['--json', '1.1.1.1', '192.168.0.1']);
    expect(r.code).toBe(0);
    const [, local] = jsonLines(r.stdout);
    expect(local).toMatchObject({
      status: 'local',
      flagged: false,
      addresses: [{ asn: null, org: null, carrier: null }],
    });
  });

  it('looks up IPv6 literals, bracketed, bare and inside URLs', async () => {
    const r = await run([
      '--json',
      '2400:9380:8000::1',
      '[2400:9380:8000::2]',
      'https://[2400:9380:8000::3]:8443/x',
      'http://36.128.0.1/',
    ]);
    expect(r.code).toBe(1);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => [l.addresses[0].ip, l.addresses[0].carrier])).toEqual([
      ['2400:9380:8000::1', 'China Telecom'],
      ['2400:9380:8000::2', 'China Telecom'],
      ['2400:9380:8000::3', 'China Telecom'],
      ['36.128.0.1', 'China Mobile'],
    ]);
  });

  it('reads targets from stdin with -, skipping blanks and comments, in order', async () => {
    const stdin = '# a comment\n\n  1.1.1.1  \n202.96.128.86\r\n   # another\n';
    const r = await run(['--json', '8.8.8.8', '-'], { stdin });
    expect(r.code).toBe(1);
    expect(jsonLines(r.stdout).map((l) => l.target)).toEqual([
      '8.8.8.8',
      '1.1.1.1',
      '202.96.128.86',
    ]);
  });

  it('prints an aligned table with a verdict line per target', async () => {
    const r = await run(['202.96.128.86', '1.1.1.1']);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^TARGET\s+IP\s+AS\s+ORG\s+CARRIER$/);
    const row = lines.find((l) => l.startsWith('202.96.128.86'))!;
    expect(row).toMatch(/AS4134\s+Chinanet\s+China Telecom \(high\)$/i);
    expect(lines[0]!.indexOf('AS ')).toBe(row.indexOf('AS4134'));
    expect(r.stdout).toContain('=> FLAGGED: 202.96.128.86 is on China Telecom (AS4134');
    expect(r.stdout).toMatch(/=> FLAGGED: 202\.96\.128\.86 .* - high confidence\n/);
    expect(r.stdout).toContain('=> 1.1.1.1 is not on a watched network');
  });

  it('keeps every column aligned with IPv6 addresses, local kinds and long cells', async () => {
    const r = await run([
      '202.96.128.86',
      '2400:9380:8000:ffff:ffff:ffff:ffff:ffff',
      'https://[2400:9380:8000::1]:8443/a/long/path',
      '100.64.0.1',
      'fe80::1',
    ]);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    const header = lines[0]!;
    const starts = ['IP', 'AS', 'ORG', 'CARRIER'].map((h) =>
      header.search(new RegExp(`\\b${h}\\b`)),
    );
    const rows = lines
      .slice(1)
      .filter((l) => l !== '' && !l.startsWith(' ') && !l.startsWith('Totals: '));
    expect(rows).toHaveLength(5);
    // The last line counts the targets by outcome; two are local addresses only.
    expect(lines.at(-2)).toBe(
      'Totals: 5 targets, 3 flagged, 0 clean, 0 unchecked, 0 invalid, 2 local',
    );
    expect(lines.at(-1)).toBe('');
    for (const line of rows) {
      // Each column starts where its header does: the cell before it ended in spaces, this one does not.
      for (const start of starts) {
        expect(line[start - 1], line).toBe(' ');
        expect(line[start], line).not.toBe(' ');
      }
    }
    expect(rows[1]).toContain('2400:9380:8000:ffff:ffff:ffff:ffff:ffff  AS4134');
    expect(rows[3]).toMatch(/local: carrier-grade NAT/);
    expect(rows[4]).toMatch(/local: link-local/);
  });

  it('says which kind of local address each one is in --json', async () => {
    const r = await run([
      '--json',
      '10.1.2.3',
      '127.0.0.1',
      '169.254.1.1',
      '100.64.0.1',
      '192.0.2.1',
      'fe80::1',
      'fd00::1',
      '::1',
    ]);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout).map((l) => [l.status, l.addresses[0].scope])).toEqual([
      ['local', 'private'],
      ['local', 'loopback'],
      ['local', 'link-local'],
      ['local', 'shared'],
      ['local', 'documentation'],
      ['local', 'link-local'],
      ['local', 'unique-local'],
      ['local', 'loopback'],
    ]);
  });

  it('gives the confidence of the matched entry, and says so in words when it is only low', async () => {
    // AS4847 (1.202.0.0/15) is on the China Telecom list with low confidence; AS4134 is high.
    const json = await run(['--json', '1.202.0.1', '202.96.128.86']);
    expect(json.code).toBe(1);
    const [low, high] = jsonLines(json.stdout);
    expect(low).toMatchObject({ flagged: true, confidence: 'low' });
    expect(low.addresses[0].matches).toEqual([
      {
        group: 'China Telecom',
        code: 'CT',
        entry: 'AS4847',
        confidence: 'low',
        note: expect.any(String),
      },
    ]);
    expect(high).toMatchObject({ flagged: true, confidence: 'high' });

    const human = await run(['1.202.0.1', '202.96.128.86']);
    const [lowPart, highPart] = human.stdout.split(/^(?=202\.96\.128\.86)/m);
    expect(lowPart).toMatch(/China Telecom \(low\)/);
    expect(lowPart).toMatch(/- low confidence\n/);
    expect(lowPart).toMatch(/Low confidence: only watchlist entries marked low confidence matched/);
    expect(lowPart).toMatch(
      /AS4847 \(China Telecom, low confidence\): China Networks Inter-Exchange/,
    );
    expect(highPart).toMatch(/AS4134 \(China Telecom, high confidence\): Chinanet/);
    expect(highPart).not.toMatch(/Low confidence/);
  });
});

describe('carrierflag on IPv6 addresses that carry an IPv4 address', () => {
  // 202.96.128.86 (China Telecom, AS4134 in the shipped data) inside each form; 1.1.1.1 (Cloudflare).
  const CARRIER_FORMS = [
    ['64:ff9b::202.96.128.86', '64:ff9b::ca60:8056', 'nat64'],
    ['64:ff9b:1:ca60:80:5600::', '64:ff9b:1:ca60:80:5600::', 'nat64-local'],
    ['2002:ca60:8056::1', '2002:ca60:8056::1', '6to4'],
    ['2001:0:4136:e378:8000:63bf:359f:7fa9', '2001:0:4136:e378:8000:63bf:359f:7fa9', 'teredo'],
  ] as const;

  it('flags each form by the IPv4 inside and says so with `embedded` in --json', async () => {
    const r = await run(['--json', ...CARRIER_FORMS.map(([target]) => target)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(CARRIER_FORMS.length);
    CARRIER_FORMS.forEach(([target, ip, kind], i) => {
      expect(lines[i]).toMatchObject({
        target,
        status: 'flagged',
        flagged: true,
        confidence: 'high',
        addresses: [
          {
            ip,
            scope: 'public',
            asn: 4134,
            org: expect.stringMatching(/chinanet/i),
            carrier: 'China Telecom',
            matches: [{ group: 'China Telecom', entry: 'AS4134', confidence: 'high' }],
            embedded: { kind, ipv4: '202.96.128.86' },
          },
        ],
      });
    });
  });

  it('leaves `embedded` out of other addresses, clears Cloudflare inside, keeps a private one local', async () => {
    const r = await run(['--json', '64:ff9b::1.1.1.1', '64:ff9b::10.0.0.1', '2400:9380:8000::1']);
    expect(r.code).toBe(1);
    const [cloudflare, privateInside, plain] = jsonLines(r.stdout);
    expect(cloudflare).toMatchObject({
      status: 'clean',
      addresses: [{ asn: 13335, embedded: { kind: 'nat64', ipv4: '1.1.1.1' } }],
    });
    expect(privateInside).toMatchObject({
      status: 'local',
      addresses: [{ scope: 'private', asn: null, embedded: { kind: 'nat64', ipv4: '10.0.0.1' } }],
    });
    expect(plain.addresses[0]).not.toHaveProperty('embedded');
  });

  it('says which IPv4 address a row stands for in the table', async () => {
    const r = await run(['64:ff9b::202.96.128.86', '2001:0:4136:e378:8000:63bf:359f:7fa9']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^64:ff9b::202\.96\.128\.86 +64:ff9b::ca60:8056 +AS4134 +Chinanet/m);
    expect(r.stdout).toMatch(/^ {5}64:ff9b::ca60:8056 carries 202\.96\.128\.86 \(NAT64\)$/m);
    expect(r.stdout).toMatch(
      /^ {5}2001:0:4136:e378:8000:63bf:359f:7fa9 carries 202\.96\.128\.86 \(Teredo client\)$/m,
    );
  });
});

describe('carrierflag on names (loopback DoH server)', () => {
  it('resolves names and URLs through --resolver, keeping input order', async () => {
    const r = await run([
      '--json',
      ...resolverArgs,
      'slow.example.test',
      'https://CT.example.test/some/path?q=1',
      'clean.example.test',
      'v6only.example.test',
      'mixed.example.test',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => [l.target, l.flagged])).toEqual([
      ['slow.example.test', false],
      ['https://CT.example.test/some/path?q=1', true],
      ['clean.example.test', false],
      ['v6only.example.test', true],
      ['mixed.example.test', true],
    ]);
    expect(lines[1].addresses).toMatchObject([
      { ip: '202.96.128.86', asn: 4134, org: expect.any(String), carrier: 'China Telecom' },
    ]);
    expect(lines[2].addresses.map((a: { ip: string }) => a.ip)).toEqual([
      '1.1.1.1',
      '2606:4700:4700::1111',
    ]);
    expect(lines[4].addresses.map((a: { carrier: string | null }) => a.carrier)).toEqual([
      null,
      'China Mobile',
    ]);
    expect(doh.queries).toContain('ct.example.test A');
  });

  it('reports DNS failures as errors and exits 2 when nothing is flagged', async () => {
    const r = await run([
      '--json',
      ...resolverArgs,
      'clean.example.test',
      'missing.example.test',
      'broken.example.test',
    ]);
    expect(r.code).toBe(2);
    const [clean, missing, broken] = jsonLines(r.stdout);
    expect(clean.error).toBeUndefined();
    expect(missing).toMatchObject({ flagged: false, status: 'unchecked', addresses: [] });
    // A kind to sort by, and the message for people.
    expect(missing.error).toEqual({
      kind: 'no-such-name',
      message: expect.stringMatching(/NXDOMAIN/),
    });
    expect(broken.error).toEqual({
      kind: 'lookup-failed',
      message: expect.stringMatching(/SERVFAIL/),
    });
  });

  it('treats a name resolving only to private addresses as local, not flagged', async () => {
    const r = await run(['--json', ...resolverArgs, 'private.example.test']);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)[0]).toMatchObject({
      status: 'local',
      addresses: [{ ip: '192.168.1.20', asn: null }],
    });
  });

  it('refuses private names without sending anything to the resolver', async () => {
    const before = doh.queries.length;
    const r = await run([
      '--json',
      ...resolverArgs,
      'localhost',
      'intranet',
      'printer.lan',
      'http://nas.local/',
    ]);
    expect(r.code).toBe(2);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line).toMatchObject({ flagged: false, addresses: [] });
      expect(line.error.kind).toBe('blocked-name');
    }
    expect(lines[0].error.message).toMatch(/localhost/);
    expect(doh.queries.length).toBe(before);
  });

  it('gives the alias (CNAME) chain in --json and under the table row', async () => {
    const json = await run([
      '--json',
      ...resolverArgs,
      'www.alias.example.test',
      'ct.example.test',
    ]);
    expect(json.code).toBe(1);
    const [aliased, direct] = jsonLines(json.stdout);
    expect(aliased).toMatchObject({
      flagged: true,
      aliases: ['edge.cdn.example.test', 'ct.example.test'],
      addresses: [{ ip: '202.96.128.86', scope: 'public' }],
    });
    expect(direct.aliases).toEqual([]);
    const human = await run([...resolverArgs, 'www.alias.example.test']);
    expect(human.stdout).toContain(
      '     alias chain: www.alias.example.test -> edge.cdn.example.test -> ct.example.test\n',
    );
  });

  it('refuses invalid host names and non-dotted-quad IPv4 without resolving or guessing', async () => {
    const before = doh.queries.length;
    const refused = [
      '-foo.com',
      'foo..com',
      `${'a'.repeat(64)}.example.test`,
      `${'a.'.repeat(126)}test`, // 254 characters
      'shop.example.co_m',
      'foo-.example.test',
      '1.2.3',
      '0x7f.1',
      '017.0.0.1',
      '4294967295',
      'http://1.2.3/',
      '%31.2.3.4',
    ];
    const r = await run(['--json', ...resolverArgs, '--', ...refused, 'under_score.example.test']);
    expect(r.code).toBe(2);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => l.status)).toEqual([...refused.map(() => 'invalid'), 'clean']);
    for (const line of lines.slice(0, -1)) expect(line.error.kind).toBe('invalid-target');
    const reasons = lines.slice(0, -1).map((l) => l.error.message as string);
    for (const reason of reasons.slice(0, 6)) expect(reason).toMatch(/is not a valid host name: /);
    for (const reason of reasons.slice(6)) {
      expect(reason).toMatch(
        /is not a dotted-quad IPv4 address \(.+\): write four decimal numbers/,
      );
    }
    // Nothing refused reached the resolver; the name with an underscore (allowed) did.
    expect(doh.queries.slice(before)).toEqual([
      'under_score.example.test A',
      'under_score.example.test AAAA',
    ]);
  });

  it('flag beats unchecked in the exit status', async () => {
    const r = await run(['--json', ...resolverArgs, 'missing.example.test', '202.96.128.86']);
    expect(r.code).toBe(1);
  });
});

describe('carrierflag usage and failures', () => {
  it('prints help with the exit status precedence', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/usage: carrierflag/);
    expect(r.stdout).toMatch(/exit status/);
  });

  it.each([
    [['--bogus', '1.1.1.1'], /unknown option '--bogus'/],
    [['--resolver'], /--resolver needs a value/],
    [[], /no TARGET given/],
    [['--json'], /no TARGET given/],
    [['-', '-'], /only once/],
    [['--json=yes', '1.1.1.1'], /--json takes no value/],
    [
      ['-foo.com'],
      /unknown option '-foo\.com' \(and not a TARGET either: no host name starts with '-'\)/,
    ],
  ])('refuses %j in one line that points to --help, exit 2', async (args, reason) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).toMatch(/^carrierflag: [^\n]*; see carrierflag --help\n$/);
  });

  it.each([[''], ['\n  \n# only a comment\n']])(
    'refuses empty standard input (%j) with exit 2 instead of an empty clean table',
    async (stdin) => {
      const r = await run(['1.1.1.1', '-'], { stdin });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        "carrierflag: standard input ('-') held no targets (blank lines and # comments are skipped)\n",
      );
    },
  );

  it('refuses a resolver URL that is not https', async () => {
    const r = await run(['--resolver', 'http://dns.example.com/dns-query', 'example.com']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^carrierflag: --resolver: .*https[^\n]*; see carrierflag --help\n$/);
  });

  it('reports invalid input per target and keeps going', async () => {
    const r = await run(['--json', '1.1.1.1', 'http://', '999.1.1.1/x y']);
    expect(r.code).toBe(2);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(3);
    expect(lines[1].error).toBeTruthy();
    expect(lines[2].error).toBeTruthy();
  });

  it('says to build when the table is missing', async () => {
    const r = await run(['--table', join(tmpdir(), 'no-such-table.bin'), '1.1.1.1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/run npm run build/);
  });

  it('runs through bin/carrierflag.mjs from any directory', async () => {
    const r = await run(['--json', '202.96.128.86'], {
      script: join(ROOT, 'bin/carrierflag.mjs'),
      cwd: tmpdir(),
    });
    expect(r.code).toBe(1);
    expect(jsonLines(r.stdout)[0].flagged).toBe(true);
  });

  it('bin says to build when dist/cli.mjs is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carrierflag-bin-'));
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(ROOT, 'bin/carrierflag.mjs'), join(dir, 'bin/carrierflag.mjs'));
    const r = await run(['1.1.1.1'], { script: join(dir, 'bin/carrierflag.mjs') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CarrierFlag is not built yet: run npm run build');
  });
});

describe('carrierflag at any size', () => {
  /** Line i of the input: mostly clean and local addresses, one China Telecom address at FLAGGED. */
  const COUNT = 200_000;
  const FLAGGED = 123_456;
  const targetAt = (i: number) =>
    i === FLAGGED
      ? '202.96.128.86'
      : i % 3 === 0
        ? `192.168.${(i >> 8) & 255}.${i & 255}`
        : i % 3 === 1
          ? '1.1.1.1'
          : '2606:4700:4700::1111';

  it('streams 200,000 addresses from stdin with --json: every line, in order, exit 1', async () => {
    const child = spawn(process.execPath, [CLI, '--json', '-'], {
      cwd: tmpdir(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolveExit) => child.on('close', resolveExit));
    // Written in chunks, as a pipe delivers it; the output is checked line by line as it comes.
    void (async () => {
      for (let start = 0; start < COUNT; start += 10_000) {
        let chunk = '';
        for (let i = start; i < Math.min(COUNT, start + 10_000); i++) chunk += `${targetAt(i)}\n`;
        if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
      }
      child.stdin.end();
    })();
    let seen = 0;
    let outOfOrder = 0;
    const flagged: number[] = [];
    for await (const line of createInterface({ input: child.stdout })) {
      const report = JSON.parse(line) as { target: string; flagged: boolean };
      if (report.target !== targetAt(seen)) outOfOrder++;
      if (report.flagged) flagged.push(seen);
      seen++;
    }
    expect(await exited).toBe(1);
    expect(stderr).toBe('');
    expect(seen).toBe(COUNT);
    expect(outOfOrder).toBe(0);
    expect(flagged).toEqual([FLAGGED]);
  }, 60_000);

  it('prints the table of more rows than it holds back, and exits 0 when none is flagged', async () => {
    const count = 25_000; // past TABLE_BUFFER_ROWS: held rows, then rows as they come
    let input = '';
    for (let i = 0; i < count; i++) input += `${targetAt(i)}\n`; // FLAGGED is further on
    const r = await run(['-'], { stdin: input });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^TARGET +IP +AS +ORG +CARRIER$/);
    expect(lines.filter((l) => l.startsWith('  => ')).length).toBe(count);
    // Every row has its columns where the header has them, before and after the switch.
    const asColumn = (lines[0] as string).indexOf('AS ');
    const rows = lines.filter((l) => /^[0-9]/.test(l));
    expect(rows.length).toBe(count);
    expect(rows.filter((l) => !/^(AS\d+|-) /.test(l.slice(asColumn))).length).toBe(0);
  }, 60_000);
});

describe('a crash exits 2, never 1 (which means flagged)', () => {
  const crashWith = (code: string) =>
    new Promise<Run>((resolvePromise, reject) => {
      const script =
        `import { exitTwoOnCrash } from ${JSON.stringify(CLI)};\n` + `exitTwoOnCrash();\n${code}`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (exit) => resolvePromise({ code: exit, stdout, stderr }));
    });

  it.each([
    ['an uncaught exception', "setTimeout(() => { throw new Error('boom\\u001b[2J\\nforged'); });"],
    ['an unhandled rejection', "Promise.reject(new Error('boom\\u001b[2J\\nforged'));"],
  ])('%s: one escaped line on stderr, exit 2', async (_, code) => {
    const r = await crashWith(code);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('carrierflag: internal error: Error: boom\\x1b[2J\\nforged\n');
  });

  it('bin exits 2 with one line when the bundle itself fails to load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carrierflag-bin-'));
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'dist'));
    copyFileSync(join(ROOT, 'bin/carrierflag.mjs'), join(dir, 'bin/carrierflag.mjs'));
    writeFileSync(join(dir, 'dist/cli.mjs'), "throw new Error('broken bundle');\n");
    const r = await run(['1.1.1.1'], { script: join(dir, 'bin/carrierflag.mjs') });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('carrierflag: internal error: Error: broken bundle\n');
  });
});
