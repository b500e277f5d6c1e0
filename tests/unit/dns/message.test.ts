import { describe, expect, it } from 'vitest';
import {
  encodeQuery,
  parseResponse,
  RCODE,
  type ParseResponseResult,
  type Question,
} from '../../../lib/dns/message';
import { buildResponse, rr, T, u16, u32, wireName } from './wire-builder';

const Q_A: Question = { name: 'example.com', type: T.A, class: 1 };

function expectError(result: ParseResponseResult, kind: string, pattern: RegExp): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.kind).toBe(kind);
  expect(result.error.message).toMatch(pattern);
}

/** Walks the OPT record of an encoded query and returns its options. */
function queryOptions(bytes: Uint8Array): { code: number; length: number; data: number[] }[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 12;
  while (bytes[at] !== 0) at += 1 + (bytes[at] as number);
  at += 1 + 4; // root, qtype, qclass
  expect(bytes[at]).toBe(0); // OPT owner is the root
  expect(view.getUint16(at + 1)).toBe(T.OPT);
  expect(view.getUint16(at + 3)).toBe(1232);
  const rdlength = view.getUint16(at + 9);
  at += 11;
  const end = at + rdlength;
  expect(end).toBe(bytes.length);
  const options = [];
  while (at < end) {
    const code = view.getUint16(at);
    const length = view.getUint16(at + 2);
    options.push({ code, length, data: Array.from(bytes.subarray(at + 4, at + 4 + length)) });
    at += 4 + length;
  }
  return options;
}

describe('encodeQuery', () => {
  it('writes ID 0, RD, one question, one OPT record', () => {
    const result = encodeQuery('www.example.com', 'AAAA');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const b = result.bytes;
    const view = new DataView(b.buffer);
    expect(view.getUint16(0)).toBe(0);
    expect(view.getUint16(2)).toBe(0x0100);
    expect([4, 6, 8, 10].map((o) => view.getUint16(o))).toEqual([1, 0, 0, 1]);
    const name = wireName('www.example.com');
    expect(Array.from(b.subarray(12, 12 + name.length))).toEqual(name);
    expect(view.getUint16(12 + name.length)).toBe(T.AAAA);
    expect(view.getUint16(14 + name.length)).toBe(1);
  });

  it('pads every length of name to a multiple of 128 with one zero-filled Padding option and no ECS', () => {
    const sizes = new Set<number>();
    for (let length = 1; length <= 253; length += 1) {
      // labels of up to 63 characters joined by dots, exactly `length` characters long
      const labels: string[] = [];
      let left = length;
      while (left > 0) {
        const take = Math.min(63, left === 1 ? 1 : left - (left > 63 ? 1 : 0));
        labels.push('a'.repeat(take));
        left -= take + 1;
      }
      const name = labels.join('.');
      const result = encodeQuery(name, 'A');
      expect(result.ok, name).toBe(true);
      if (!result.ok) continue;
      expect(result.bytes.length % 128).toBe(0);
      sizes.add(result.bytes.length);
      const options = queryOptions(result.bytes);
      expect(options.map((o) => o.code)).toEqual([12]);
      expect(options[0]?.data.every((x) => x === 0)).toBe(true);
    }
    expect([...sizes].sort((a, b) => a - b)).toEqual([128, 256, 384]);
  });

  it('refuses names that are not normalised or too long', () => {
    for (const bad of [
      '',
      'Example.com',
      'example.com.',
      'a..b',
      `${'a'.repeat(64)}.com`,
      `${'a.'.repeat(127)}ab`,
      'exa mple.com',
      'bücher.de',
    ]) {
      const result = encodeQuery(bad, 'A');
      expect(result.ok, bad).toBe(false);
      if (!result.ok) expect(result.error.kind).toBe('invalid-name');
    }
    expect(encodeQuery(`${'a'.repeat(63)}.xn--bcher-kva.de`, 'A').ok).toBe(true);
  });
});

describe('parseResponse: well-formed answers', () => {
  it('reads A, AAAA, CNAME and SOA records with their fields', () => {
    const bytes = buildResponse({
      question: { name: 'example.com', type: T.A },
      answers: [
        rr.cname('example.com', 'Edge.CDN.net', 120),
        rr.a('edge.cdn.net', '192.0.2.7', 60),
        rr.aaaa('edge.cdn.net', '2001:db8::1:0:0:1', 61),
      ],
      authority: [rr.soa('cdn.net', 900, 300)],
    });
    const result = parseResponse(bytes, Q_A);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { answers, authority, rcode, question } = result.response;
    expect(rcode).toBe(0);
    expect(question).toEqual({ name: 'example.com', type: T.A, class: 1 });
    expect(answers[0]).toMatchObject({
      kind: 'CNAME',
      name: 'example.com',
      ttl: 120,
      target: 'Edge.CDN.net',
    });
    expect(answers[1]).toMatchObject({
      kind: 'A',
      address: '192.0.2.7',
      ttl: 60,
      ip: { family: 4, value: 0xc0000207 },
    });
    expect(answers[2]).toMatchObject({ kind: 'AAAA', address: '2001:db8::1:0:0:1', ttl: 61 });
    expect(authority[0]).toMatchObject({
      kind: 'SOA',
      name: 'cdn.net',
      mname: 'ns.cdn.net',
      minimum: 300,
      ttl: 900,
    });
  });

  it('formats IPv6 per RFC 5952', () => {
    const cases: [string, string][] = [
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['2001:db8:1:1:1:1:1:1', '2001:db8:1:1:1:1:1:1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ];
    for (const [input, want] of cases) {
      const result = parseResponse(
        buildResponse({
          question: { name: 'x.com', type: T.AAAA },
          answers: [rr.aaaa('x.com', input)],
        }),
        { name: 'x.com', type: T.AAAA, class: 1 },
      );
      expect(
        result.ok &&
          result.response.answers[0]?.kind === 'AAAA' &&
          result.response.answers[0].address,
      ).toBe(want);
    }
  });

  it('follows backward compression pointers', () => {
    // question name at offset 12; the answer owner is a pointer to it
    const bytes = buildResponse({
      question: { name: 'example.com', type: T.A },
      answers: [{ name: [0xc0, 12], type: T.A, rdata: [1, 2, 3, 4] }],
    });
    const result = parseResponse(bytes, Q_A);
    expect(result.ok && result.response.answers[0]?.name).toBe('example.com');
  });

  it('matches the echoed question case-insensitively', () => {
    const bytes = buildResponse({ question: { name: 'ExAmPlE.CoM', type: T.A } });
    expect(parseResponse(bytes, Q_A).ok).toBe(true);
  });

  it('reads the extended RCODE from the OPT record and the plain RCODEs', () => {
    for (const rcode of [RCODE.SERVFAIL, RCODE.NXDOMAIN, RCODE.REFUSED]) {
      const result = parseResponse(
        buildResponse({ question: { name: 'example.com', type: T.A }, rcode }),
        Q_A,
      );
      expect(result.ok && result.response.rcode).toBe(rcode);
    }
    const badvers = buildResponse({
      question: { name: 'example.com', type: T.A },
      rcode: 0,
      additional: [rr.opt([], 1)],
    });
    const result = parseResponse(badvers, Q_A);
    expect(result.ok && result.response.rcode).toBe(16);
  });

  it('accepts an error response without a question, but not a NOERROR one', () => {
    expect(parseResponse(buildResponse({ question: null, rcode: RCODE.REFUSED }), Q_A).ok).toBe(
      true,
    );
    expectError(parseResponse(buildResponse({ question: null }), Q_A), 'mismatch', /does not echo/);
  });

  it('reads TTLs with the top bit set as 0', () => {
    const bytes = buildResponse({
      question: { name: 'example.com', type: T.A },
      answers: [rr.a('example.com', '192.0.2.1', 0x80000000)],
    });
    const result = parseResponse(bytes, Q_A);
    expect(result.ok && result.response.answers[0]?.ttl).toBe(0);
  });
});

describe('parseResponse: rejects', () => {
  const q = { name: 'example.com', type: T.A };

  it('a wrong ID, a query, another opcode', () => {
    expectError(
      parseResponse(buildResponse({ question: q, id: 0x1234 }), Q_A),
      'mismatch',
      /ID 4660/,
    );
    expectError(parseResponse(buildResponse({ question: q, qr: false }), Q_A), 'mismatch', /QR/);
    expectError(
      parseResponse(buildResponse({ question: q, opcode: 2 }), Q_A),
      'mismatch',
      /opcode 2/,
    );
  });

  it('a response to another question', () => {
    expectError(
      parseResponse(buildResponse({ question: { name: 'example.org', type: T.A } }), Q_A),
      'mismatch',
      /example\.org/,
    );
    expectError(
      parseResponse(buildResponse({ question: { name: 'example.com', type: T.AAAA } }), Q_A),
      'mismatch',
      /AAAA/,
    );
    expectError(
      parseResponse(buildResponse({ question: { ...q, class: 3 } }), Q_A),
      'mismatch',
      /class 3/,
    );
  });

  it('TC set as truncated', () => {
    expectError(parseResponse(buildResponse({ question: q, tc: true }), Q_A), 'truncated', /TC/);
  });

  it('a pointer loop and a forward pointer', () => {
    const loop = buildResponse({
      question: q,
      answers: [{ name: [0xc0, 12 + 17], type: T.A, rdata: [1, 2, 3, 4] }],
    });
    // 12 + 13 (qname) + 4 = 29: the pointer points at itself
    expectError(parseResponse(loop, Q_A), 'malformed', /forward or into itself/);
    const forward = buildResponse({
      question: q,
      answers: [{ name: [0xc0, 200], type: T.A, rdata: [1, 2, 3, 4] }],
    });
    expectError(parseResponse(forward, Q_A), 'malformed', /forward/);
    // two labels that point at each other: the second pointer goes back, the first forward
    const pair = Uint8Array.from([
      ...u16(0),
      ...u16(0x8180),
      ...u16(1),
      ...u16(0),
      ...u16(0),
      ...u16(0),
      1,
      0x61,
      0xc0,
      16, // offset 12: "a" then pointer to 16
      1,
      0x62,
      0xc0,
      12, // offset 16: "b" then pointer to 12
      ...u16(1),
      ...u16(1),
    ]);
    expectError(parseResponse(pair, Q_A), 'malformed', /points forward/);
    const intoHeader = buildResponse({
      question: q,
      answers: [{ name: [0xc0, 2], type: T.A, rdata: [1, 2, 3, 4] }],
    });
    expectError(parseResponse(intoHeader, Q_A), 'malformed', /header/);
  });

  it('lengths past the end', () => {
    const good = buildResponse({ question: q, answers: [rr.a('example.com', '192.0.2.1')] });
    for (let cut = 1; cut < good.length; cut++) {
      const result = parseResponse(good.subarray(0, cut), Q_A);
      expect(result.ok, `cut at ${cut}`).toBe(false);
    }
    const longRdata = Uint8Array.from([
      ...good.subarray(0, good.length - 6),
      ...u16(200),
      1,
      2,
      3,
      4,
    ]);
    expectError(parseResponse(longRdata, Q_A), 'malformed', /past the end/);
    const longLabel = Uint8Array.from([
      ...u16(0),
      ...u16(0x8180),
      ...u16(1),
      ...u16(0),
      ...u16(0),
      ...u16(0),
      60,
      0x61,
      0x62,
      0,
      0,
      0,
      0,
    ]);
    expectError(parseResponse(longLabel, Q_A), 'malformed', /past the end/);
  });

  it('absurd counts', () => {
    const bytes = buildResponse({ question: q, counts: [1, 65535, 0, 0] });
    expectError(parseResponse(bytes, Q_A), 'malformed', /claims 65535 records/);
    expectError(
      parseResponse(buildResponse({ question: q, counts: [2, 0, 0, 1] }), Q_A),
      'malformed',
      /2 questions/,
    );
  });

  it('rdata lengths that do not fit the type', () => {
    const a5 = buildResponse({
      question: q,
      answers: [{ name: 'example.com', type: T.A, rdata: [1, 2, 3, 4, 5] }],
    });
    expectError(parseResponse(a5, Q_A), 'malformed', /rdata length 5, expected 4/);
    const aaaa4 = buildResponse({
      question: q,
      answers: [{ name: 'example.com', type: T.AAAA, rdata: [1, 2, 3, 4] }],
    });
    expectError(parseResponse(aaaa4, Q_A), 'malformed', /rdata length 4, expected 16/);
    const cnameLong = buildResponse({
      question: q,
      answers: [{ name: 'example.com', type: T.CNAME, rdata: [...wireName('b.com'), 9] }],
    });
    expectError(parseResponse(cnameLong, Q_A), 'malformed', /does not match/);
  });

  it('trailing bytes, two OPT records, OPT outside additional, odd label types', () => {
    expectError(
      parseResponse(buildResponse({ question: q, trailing: [0] }), Q_A),
      'malformed',
      /1 unexpected bytes/,
    );
    expectError(
      parseResponse(buildResponse({ question: q, additional: [rr.opt(), rr.opt()] }), Q_A),
      'malformed',
      /2 OPT/,
    );
    expectError(
      parseResponse(buildResponse({ question: q, answers: [rr.opt()], additional: [] }), Q_A),
      'malformed',
      /OPT record appears/,
    );
    const extLabel = buildResponse({
      question: q,
      answers: [{ name: [0x41, 0], type: T.A, rdata: [1, 2, 3, 4] }],
    });
    expectError(parseResponse(extLabel, Q_A), 'malformed', /label type/);
  });

  it('names over 255 bytes built from pointers', () => {
    // Five 63-byte labels, each followed by a pointer to the previous one, stored as the opaque
    // rdata of a type-99 record; the next record's owner points at the last piece: 320 bytes.
    const header = [...u16(0), ...u16(0x8180), ...u16(1), ...u16(2), ...u16(0), ...u16(0)];
    const question = [...wireName('example.com'), ...u16(T.A), ...u16(1)];
    const holderFixed = [0, ...u16(99), ...u16(1), ...u32(1)]; // root owner, type, class, ttl
    const piecesStart = header.length + question.length + holderFixed.length + 2;
    const pieces: number[] = [];
    let previous = -1;
    for (let i = 0; i < 5; i++) {
      const here = piecesStart + pieces.length;
      pieces.push(63, ...Array<number>(63).fill(0x61));
      pieces.push(...(previous < 0 ? [0] : [0xc0 | (previous >> 8), previous & 0xff]));
      previous = here;
    }
    const bytes = Uint8Array.from([
      ...header,
      ...question,
      ...holderFixed,
      ...u16(pieces.length),
      ...pieces,
      ...[0xc0 | (previous >> 8), previous & 0xff, ...u16(T.A), ...u16(1), ...u32(1), ...u16(4)],
      ...[1, 2, 3, 4],
    ]);
    expectError(parseResponse(bytes, Q_A), 'malformed', /longer than 255/);
  });
});

describe('parseResponse: fuzz', () => {
  it('never throws on 2,000 random or damaged messages', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const good = buildResponse({
      question: { name: 'example.com', type: T.A },
      answers: [
        { name: [0xc0, 12], type: T.CNAME, rdata: wireName('b.example.net') },
        rr.a('b.example.net', '192.0.2.1'),
      ],
      authority: [rr.soa('example.net', 60, 30)],
    });
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      let bytes: Uint8Array;
      const mode = i % 4;
      if (mode === 0) {
        bytes = Uint8Array.from({ length: Math.floor(random() * 120) }, () =>
          Math.floor(random() * 256),
        );
      } else if (mode === 1) {
        bytes = good.slice(0, Math.floor(random() * good.length));
      } else {
        bytes = good.slice();
        const flips = mode === 2 ? 1 : 1 + Math.floor(random() * 8);
        for (let f = 0; f < flips; f++) {
          bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        }
      }
      const result = parseResponse(bytes, Q_A);
      expect(typeof result.ok).toBe('boolean');
      if (result.ok) accepted++;
      else expect(result.error.message.length).toBeGreaterThan(0);
    }
    // some single-byte flips (TTL, address bytes) leave a valid message: the fuzz reached the end
    expect(accepted).toBeGreaterThan(0);
  });
});
