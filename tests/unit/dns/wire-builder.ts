/**
 * Test-only DNS response builder. Written independently of lib/dns/message.ts (plain byte
 * pushing, no shared helpers) so a bug in the encoder cannot hide the same bug in the parser.
 */

export const T = { A: 1, NS: 2, CNAME: 5, SOA: 6, AAAA: 28, OPT: 41, TXT: 16 } as const;

/** Uncompressed wire name; a trailing '.' is accepted, '' is the root. */
export function wireName(name: string): number[] {
  const out: number[] = [];
  for (const label of name.replace(/\.$/, '').split('.')) {
    if (label === '') continue;
    out.push(label.length, ...Array.from(label, (c) => c.charCodeAt(0)));
  }
  out.push(0);
  return out;
}

export function u16(n: number): number[] {
  return [(n >>> 8) & 0xff, n & 0xff];
}

export function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

export function ipv4Bytes(text: string): number[] {
  return text.split('.').map(Number);
}

/** Full-form or '::'-compressed IPv6 text to 16 bytes. */
export function ipv6Bytes(text: string): number[] {
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => u16(parseInt(g, 16)));
}

export interface RecordSpec {
  name: string | number[];
  type: number;
  class?: number;
  ttl?: number;
  rdata: number[];
}

export const rr = {
  a: (name: string, ip: string, ttl = 300): RecordSpec => ({
    name,
    type: T.A,
    ttl,
    rdata: ipv4Bytes(ip),
  }),
  aaaa: (name: string, ip: string, ttl = 300): RecordSpec => ({
    name,
    type: T.AAAA,
    ttl,
    rdata: ipv6Bytes(ip),
  }),
  cname: (name: string, target: string, ttl = 300): RecordSpec => ({
    name,
    type: T.CNAME,
    ttl,
    rdata: wireName(target),
  }),
  soa: (zone: string, ttl: number, minimum: number): RecordSpec => ({
    name: zone,
    type: T.SOA,
    ttl,
    rdata: [
      ...wireName(`ns.${zone}`),
      ...wireName(`hostmaster.${zone}`),
      ...u32(2024010101),
      ...u32(7200),
      ...u32(3600),
      ...u32(1209600),
      ...u32(minimum),
    ],
  }),
  opt: (options: number[] = [], extendedRcode = 0): RecordSpec => ({
    name: '',
    type: T.OPT,
    class: 1232,
    ttl: extendedRcode * 2 ** 24,
    rdata: options,
  }),
};

export function encodeRecord(spec: RecordSpec): number[] {
  const name = typeof spec.name === 'string' ? wireName(spec.name) : spec.name;
  return [
    ...name,
    ...u16(spec.type),
    ...u16(spec.class ?? 1),
    ...u32(spec.ttl ?? 300),
    ...u16(spec.rdata.length),
    ...spec.rdata,
  ];
}

export interface ResponseSpec {
  id?: number;
  qr?: boolean;
  opcode?: number;
  tc?: boolean;
  rcode?: number;
  /** null omits the question (QDCOUNT 0). */
  question?: { name: string; type: number; class?: number } | null;
  answers?: RecordSpec[];
  authority?: RecordSpec[];
  additional?: RecordSpec[];
  /** Override the header counts [qd, an, ns, ar]. */
  counts?: [number, number, number, number];
  trailing?: number[];
}

export function buildResponse(spec: ResponseSpec): Uint8Array<ArrayBuffer> {
  const answers = spec.answers ?? [];
  const authority = spec.authority ?? [];
  const additional = spec.additional ?? [rr.opt()];
  const question = spec.question === undefined ? null : spec.question;
  const flags =
    ((spec.qr ?? true) ? 0x8000 : 0) |
    ((spec.opcode ?? 0) << 11) |
    (spec.tc ? 0x0200 : 0) |
    0x0100 |
    0x0080 |
    ((spec.rcode ?? 0) & 0xf);
  const counts = spec.counts ?? [
    question ? 1 : 0,
    answers.length,
    authority.length,
    additional.length,
  ];
  const bytes = [
    ...u16(spec.id ?? 0),
    ...u16(flags),
    ...counts.flatMap(u16),
    ...(question
      ? [...wireName(question.name), ...u16(question.type), ...u16(question.class ?? 1)]
      : []),
    ...answers.flatMap(encodeRecord),
    ...authority.flatMap(encodeRecord),
    ...additional.flatMap(encodeRecord),
    ...(spec.trailing ?? []),
  ];
  return Uint8Array.from(bytes);
}

/** Decodes the query a client sent in `?dns=` so tests can answer it. */
export function decodeDnsParam(url: string): { bytes: Uint8Array; name: string; type: number } {
  const param = new URL(url).searchParams.get('dns');
  if (param === null) throw new Error(`no dns= in ${url}`);
  const bytes = Uint8Array.from(Buffer.from(param, 'base64url'));
  const labels: string[] = [];
  let at = 12;
  while (bytes[at] !== 0) {
    const length = bytes[at] as number;
    labels.push(Buffer.from(bytes.subarray(at + 1, at + 1 + length)).toString('latin1'));
    at += 1 + length;
  }
  const type = ((bytes[at + 1] as number) << 8) | (bytes[at + 2] as number);
  return { bytes, name: labels.join('.'), type };
}
