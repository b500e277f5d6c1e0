import { describe, expect, it } from 'vitest';
import { parseArgs, parseTargetLines } from '../../../lib/cli/args';
import { mapInOrder } from '../../../lib/cli/run';
import { parseTarget } from '../../../lib/cli/target';

describe('parseArgs', () => {
  it('reads flags in either spelling and keeps target order', () => {
    expect(
      parseArgs([
        '--json',
        'a.com',
        '--resolver=https://r.example/dns-query',
        '-',
        '--table',
        't.bin',
        'b.com',
      ]),
    ).toEqual({
      ok: true,
      options: {
        command: 'check',
        json: true,
        help: false,
        resolver: 'https://r.example/dns-query',
        table: 't.bin',
        targets: ['a.com', '-', 'b.com'],
      },
    });
    expect(parseArgs(['--', '--json'])).toMatchObject({
      ok: true,
      options: { json: false, targets: ['--json'] },
    });
    expect(parseArgs(['-h'])).toMatchObject({ ok: true, options: { help: true } });
  });

  it.each([
    [['--nope', 'x'], /unknown option '--nope'/],
    [['-x'], /unknown option/],
    [['--resolver'], /needs a value/],
    [['--table='], /needs a value/],
    [['--json=1', 'x'], /takes no value/],
    [[], /no TARGET/],
    [['-', '-'], /only once/],
    [['--har'], /--har needs a value/],
    [['--har', 'page.har', 'example.com'], /give no TARGET/],
  ])('refuses %j', (argv, reason) => {
    const result = parseArgs(argv);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('takes --har FILE instead of targets', () => {
    expect(parseArgs(['--json', '--har=page.har'])).toEqual({
      ok: true,
      options: { command: 'check', json: true, help: false, har: 'page.har', targets: [] },
    });
  });

  it('reads `update [--from URL]` and `--version`; a target named update follows --', () => {
    expect(parseArgs(['update'])).toMatchObject({ ok: true, options: { command: 'update' } });
    expect(parseArgs(['update', '--from', 'https://d.example/'])).toMatchObject({
      ok: true,
      options: { command: 'update', from: ['https://d.example/'] },
    });
    expect(
      parseArgs(['update', '--from=https://d.example/', '--from', 'https://e.example/x.tsv.gz']),
    ).toMatchObject({
      options: { from: ['https://d.example/', 'https://e.example/x.tsv.gz'] },
    });
    expect(parseArgs(['update', '--from'])).toEqual({ ok: false, reason: '--from needs a value' });
    expect(parseArgs(['update', 'x'])).toEqual({
      ok: false,
      reason: "update: unknown argument 'x'",
    });
    expect(parseArgs(['--version'])).toMatchObject({ ok: true, options: { command: 'version' } });
    expect(parseArgs(['--', 'update'])).toMatchObject({
      ok: true,
      options: { command: 'check', targets: ['update'] },
    });
  });

  it('reads stdin lines without blanks and comments', () => {
    expect(parseTargetLines('a\n\n # c\n b \r\n#d\nc')).toEqual(['a', 'b', 'c']);
  });
});

describe('parseTarget', () => {
  it.each([
    ['202.96.128.86', 'address', '202.96.128.86'],
    ['2400:9380:8000:0::1', 'address', '2400:9380:8000::1'],
    ['[2400:9380:8000::1]', 'address', '2400:9380:8000::1'],
    ['http://[2400:9380:8000::1]:8080/', 'address', '2400:9380:8000::1'],
    ['https://202.96.128.86/x', 'address', '202.96.128.86'],
    ['Example.COM', 'name', 'example.com'],
    ['example.com.', 'name', 'example.com'],
    ['https://www.Example.com:8443/a?b#c', 'name', 'www.example.com'],
    ['example.com/path', 'name', 'example.com'],
    ['bücher.example', 'name', 'xn--bcher-kva.example'],
    ['1.2.3.4.', 'address', '1.2.3.4'],
    ['http://user@202.96.128.86:8080/', 'address', '202.96.128.86'],
    ['my_shop.example.com', 'name', 'my_shop.example.com'],
    [`${'a'.repeat(63)}.example.com`, 'name', `${'a'.repeat(63)}.example.com`],
    [`${'a.'.repeat(125)}com`, 'name', `${'a.'.repeat(125)}com`], // 253 characters
    ['xn--bcher-kva.example', 'name', 'xn--bcher-kva.example'],
    ['0x7g.example.com', 'name', '0x7g.example.com'],
  ])('%s → %s %s', (text, kind, value) => {
    const target = parseTarget(text);
    expect(target.kind).toBe(kind);
    expect(
      target.kind === 'address' ? target.ip : target.kind === 'name' ? target.hostname : null,
    ).toBe(value);
  });

  it.each([
    '',
    '   ',
    'localhost',
    'intranet',
    'printer.lan',
    'http://nas.local/',
    '[not-an-ip]',
    'http://',
    'a b',
  ])('refuses %j with a reason', (text) => {
    const target = parseTarget(text);
    expect(target.kind).toBe('invalid');
    if (target.kind === 'invalid') expect(target.reason.length).toBeGreaterThan(5);
  });

  it.each([
    ['-foo.com', "the label '-foo' starts or ends with a hyphen"],
    ['foo-.example.com', "the label 'foo-' starts or ends with a hyphen"],
    ['foo..com', 'it has an empty label (two dots in a row, or a leading dot)'],
    [`${'a'.repeat(64)}.com`, 'is 64 characters long (at most 63)'],
    [`${'a.'.repeat(126)}com`, 'it is 255 characters long (at most 253)'],
    ['shop.example.co_m', "the top-level label 'co_m' has an underscore"],
    ['a!b.example.com', "the label 'a!b' has the character '!'"],
    ['https://-foo.com/path', "the label '-foo' starts or ends with a hyphen"],
  ])('refuses the host name %j: %s', (text, why) => {
    const target = parseTarget(text);
    expect(target).toMatchObject({ kind: 'invalid' });
    if (target.kind === 'invalid') {
      expect(target.reason).toMatch(/is not a valid host name: /);
      expect(target.reason).toContain(why);
    }
  });

  it.each([
    ['1.2.3', 'it has 3 parts, not 4'],
    ['1.2.3.4.5', 'it has 5 parts, not 4'],
    ['0x7f.1', 'it has a hexadecimal part'],
    ['0X7F.0.0.1', 'it has a hexadecimal part'],
    ['017.0.0.1', 'a part has a leading zero, which some software reads as octal'],
    ['1.2.3.04', 'a part has a leading zero'],
    ['4294967295', 'it is a single number'],
    ['1.2.3.256', 'a part is over 255'],
    ['http://1.2.3/x', 'it has 3 parts, not 4'],
    ['https://user@0x7f.1:8443/', 'it has a hexadecimal part'],
    ['%31.2.3.4', 'it has characters other than digits and dots'],
    ['１.２.３.４', 'it has characters other than digits and dots'], // full-width digits
  ])('refuses %j as IPv4 not written as a dotted quad (%s)', (text, why) => {
    const target = parseTarget(text);
    expect(target).toMatchObject({ kind: 'invalid' });
    if (target.kind === 'invalid') {
      expect(target.reason).toContain(`is not a dotted-quad IPv4 address (${why}`);
      expect(target.reason).toContain('write four decimal numbers 0-255, e.g. 192.0.2.1');
    }
  });
});

describe('mapInOrder', () => {
  it('emits in input order while running a bounded number at once', async () => {
    let running = 0;
    let peak = 0;
    const emitted: number[] = [];
    const delays = [50, 5, 30, 1, 20, 1, 40, 2, 3, 10];
    await mapInOrder(
      delays.map((d, i) => ({ d, i })),
      3,
      async ({ d, i }) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, d));
        running--;
        return i;
      },
      (i) => void emitted.push(i),
    );
    expect(emitted).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
  });

  it('handles an empty list', async () => {
    const emitted: unknown[] = [];
    await mapInOrder(
      [],
      8,
      async (x) => x,
      (x) => void emitted.push(x),
    );
    expect(emitted).toEqual([]);
  });
});
