/**
 * DNS wire format (RFC 1035) for DNS-over-HTTPS: build one padded query, parse one response.
 *
 * Why no dependency: the common JavaScript DNS packages (dns-packet and friends) throw raw
 * RangeErrors on short input, follow compression pointers anywhere, accept counts the buffer
 * cannot hold and cannot say "this answer does not echo our question". A response comes from a
 * network peer we only half trust, so every length, count and pointer is checked here and a bad
 * message becomes a typed `MessageError`, never an exception. The subset we need (one question,
 * A/AAAA/CNAME/SOA/OPT rdata) is small enough to own.
 *
 * Choices worth knowing:
 * - Trailing bytes after the last record are REJECTED: a DoH body is exactly one message, so
 *   extra bytes mean broken framing, and accepting them would hide it.
 * - Compression pointers must point strictly below every offset already read for the current
 *   name (and past the 12-byte header), so each hop goes further back: loops are impossible and
 *   the hop count is also capped.
 * - A response with RCODE ≠ 0 may omit the question (some servers do for FORMERR/REFUSED);
 *   a NOERROR response must echo our question exactly (name case-insensitively).
 * - TTLs with the top bit set are read as 0 (RFC 2181 §8).
 */
import type { Ipv4Address, Ipv6Address } from '../ip/types';
import { formatIpv4, formatIpv6Words } from '../ip/parse';

/** RR type numbers this module understands. */
export const RR_TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  AAAA: 28,
  OPT: 41,
} as const;

/** The only class we query. */
export const CLASS_IN = 1;

/** RCODE values we name (RFC 1035 §4.1.1, RFC 6895). */
export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
} as const;

/** EDNS(0) advertised UDP payload size: the DNS Flag Day 2020 value. */
export const EDNS_UDP_PAYLOAD_SIZE = 1232;

/** EDNS option code for Padding (RFC 7830). */
export const EDNS_OPTION_PADDING = 12;

/** EDNS option code for Client Subnet (RFC 7871); we never send it. */
export const EDNS_OPTION_CLIENT_SUBNET = 8;

/** RFC 8467 block-length padding for queries. */
export const QUERY_PADDING_BLOCK = 128;

/** Address record types the client asks for. */
export type AddressType = 'A' | 'AAAA';

const MAX_NAME_TEXT_LENGTH = 253;
const MAX_NAME_WIRE_LENGTH = 255;
const MAX_LABEL_LENGTH = 63;
const MAX_POINTER_HOPS = 64;
const HEADER_LENGTH = 12;
/** Smallest possible RR: a 1-byte name (root or part of a pointer) + type, class, ttl, rdlength. */
const MIN_RR_LENGTH = 11;
/** Smallest possible question: root name + type + class. */
const MIN_QUESTION_LENGTH = 5;
const LABEL_PATTERN = /^[a-z0-9_-]{1,63}$/;

export type MessageErrorKind = 'invalid-name' | 'malformed' | 'truncated' | 'mismatch';

/** Why a name could not be encoded or a response could not be accepted. */
export interface MessageError {
  readonly kind: MessageErrorKind;
  readonly message: string;
}

export type EncodeQueryResult =
  { ok: true; bytes: Uint8Array } | { ok: false; error: MessageError };

export interface Question {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

interface RecordBase {
  /** Owner name in presentation form, without the trailing dot ('' for the root). */
  readonly name: string;
  readonly type: number;
  readonly class: number;
  /** Seconds, 0..2^31-1. */
  readonly ttl: number;
}

export interface EdnsOption {
  readonly code: number;
  readonly length: number;
}

export type ResourceRecord =
  | (RecordBase & { readonly kind: 'A'; readonly address: string; readonly ip: Ipv4Address })
  | (RecordBase & { readonly kind: 'AAAA'; readonly address: string; readonly ip: Ipv6Address })
  | (RecordBase & { readonly kind: 'CNAME'; readonly target: string })
  | (RecordBase & {
      readonly kind: 'SOA';
      readonly mname: string;
      readonly rname: string;
      readonly serial: number;
      readonly refresh: number;
      readonly retry: number;
      readonly expire: number;
      readonly minimum: number;
    })
  | (RecordBase & {
      readonly kind: 'OPT';
      readonly udpPayloadSize: number;
      /** Upper 8 bits of the 12-bit RCODE (RFC 6891 §6.1.3). */
      readonly extendedRcode: number;
      readonly version: number;
      readonly options: readonly EdnsOption[];
    })
  | (RecordBase & { readonly kind: 'other'; readonly rdataLength: number });

export interface DnsResponse {
  readonly id: number;
  readonly authoritative: boolean;
  readonly recursionAvailable: boolean;
  readonly authenticData: boolean;
  /** Full RCODE: the header's 4 bits plus the OPT record's extended bits. */
  readonly rcode: number;
  /** Absent only when the server omitted it in an error response. */
  readonly question: Question | undefined;
  readonly answers: readonly ResourceRecord[];
  readonly authority: readonly ResourceRecord[];
  readonly additional: readonly ResourceRecord[];
}

export type ParseResponseResult =
  { ok: true; response: DnsResponse } | { ok: false; error: MessageError };

/** Numeric RR type of an address type. */
export function addressTypeCode(type: AddressType): number {
  return type === 'A' ? RR_TYPE.A : RR_TYPE.AAAA;
}

/**
 * Checks that `name` is a normalised query name (lowercase ASCII letters, digits, '-', '_',
 * punycode for IDNs, no trailing dot, labels 1..63, at most 253 characters) and splits it into
 * labels. Normalising is the caller's job (see `checkQueryableName`): we refuse rather than guess.
 */
export function splitQueryName(
  name: string,
): { ok: true; labels: string[] } | { ok: false; reason: string } {
  if (name.length === 0) return { ok: false, reason: 'the name is empty' };
  if (name.length > MAX_NAME_TEXT_LENGTH) {
    return { ok: false, reason: `the name is ${name.length} characters long (at most 253)` };
  }
  const labels = name.split('.');
  for (const label of labels) {
    if (label.length === 0) return { ok: false, reason: 'the name has an empty label' };
    if (label.length > MAX_LABEL_LENGTH) {
      return {
        ok: false,
        reason: `the label "${label.slice(0, 20)}…" is longer than 63 characters`,
      };
    }
    if (!LABEL_PATTERN.test(label)) {
      return {
        ok: false,
        reason: `the label "${label}" has characters other than a-z, 0-9, '-' and '_'`,
      };
    }
  }
  return { ok: true, labels };
}

/**
 * Encodes an RFC 8484 query: ID 0 (cache-friendly), RD set, one IN question, and an EDNS(0) OPT
 * record carrying only a Padding option sized so the message is a multiple of 128 bytes
 * (RFC 8467). No Client Subnet option is sent, so the resolver learns nothing extra about us.
 */
export function encodeQuery(name: string, type: AddressType): EncodeQueryResult {
  const split = splitQueryName(name);
  if (!split.ok) return { ok: false, error: { kind: 'invalid-name', message: split.reason } };
  const qnameLength = split.labels.reduce((sum, label) => sum + label.length + 1, 1);
  // header + qname + qtype/qclass + OPT (root, type, class, ttl, rdlength) + padding option header
  const unpadded = HEADER_LENGTH + qnameLength + 4 + 11 + 4;
  const padding = (QUERY_PADDING_BLOCK - (unpadded % QUERY_PADDING_BLOCK)) % QUERY_PADDING_BLOCK;
  const bytes = new Uint8Array(unpadded + padding);
  const view = new DataView(bytes.buffer);
  let at = 0;
  view.setUint16(at, 0); // ID
  view.setUint16(at + 2, 0x0100); // RD
  view.setUint16(at + 4, 1); // QDCOUNT
  view.setUint16(at + 6, 0); // ANCOUNT
  view.setUint16(at + 8, 0); // NSCOUNT
  view.setUint16(at + 10, 1); // ARCOUNT: the OPT record
  at = HEADER_LENGTH;
  for (const label of split.labels) {
    bytes[at++] = label.length;
    for (let i = 0; i < label.length; i++) bytes[at++] = label.charCodeAt(i);
  }
  bytes[at++] = 0;
  view.setUint16(at, addressTypeCode(type));
  view.setUint16(at + 2, CLASS_IN);
  at += 4;
  bytes[at++] = 0; // OPT owner: root
  view.setUint16(at, RR_TYPE.OPT);
  view.setUint16(at + 2, EDNS_UDP_PAYLOAD_SIZE);
  view.setUint32(at + 4, 0); // extended RCODE 0, version 0, DO clear
  view.setUint16(at + 8, 4 + padding);
  view.setUint16(at + 10, EDNS_OPTION_PADDING);
  view.setUint16(at + 12, padding);
  // the padding bytes are already zero (RFC 7830 §3)
  return { ok: true, bytes };
}

class WireError extends Error {
  constructor(
    readonly kind: MessageErrorKind,
    message: string,
  ) {
    super(message);
  }
}

function fail(message: string): never {
  throw new WireError('malformed', message);
}

/** Reads big-endian integers with a bounds check on every access. */
class Reader {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(at: number, length: number, what: string): void {
    if (at + length > this.bytes.length) {
      fail(`${what} at byte ${at} runs past the end of the ${this.bytes.length}-byte message`);
    }
  }
  u8(at: number, what: string): number {
    this.need(at, 1, what);
    return this.view.getUint8(at);
  }
  u16(at: number, what: string): number {
    this.need(at, 2, what);
    return this.view.getUint16(at);
  }
  u32(at: number, what: string): number {
    this.need(at, 4, what);
    return this.view.getUint32(at);
  }
}

/** Presentation form of one label byte string: printable ASCII as is, the rest as \DDD. */
function labelText(bytes: Uint8Array, start: number, length: number): string {
  let text = '';
  for (let i = start; i < start + length; i++) {
    const c = bytes[i] as number;
    if (c === 0x2e || c === 0x5c) text += `\\${String.fromCharCode(c)}`;
    else if (c > 0x20 && c < 0x7f) text += String.fromCharCode(c);
    else text += `\\${c.toString().padStart(3, '0')}`;
  }
  return text;
}

/** Reads a possibly compressed name at `start`; returns it and the offset just past it in place. */
function readName(reader: Reader, start: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = start;
  let lowestRead = start;
  let end = -1;
  let wireLength = 0;
  let hops = 0;
  for (;;) {
    const length = reader.u8(at, 'a name label');
    const tag = length & 0xc0;
    if (tag === 0xc0) {
      const target = reader.u16(at, 'a compression pointer') & 0x3fff;
      if (end < 0) end = at + 2;
      if (target < HEADER_LENGTH)
        fail(`a compression pointer at byte ${at} points into the header`);
      if (target >= lowestRead) {
        fail(`a compression pointer at byte ${at} points forward or into itself (to ${target})`);
      }
      if (++hops > MAX_POINTER_HOPS) fail(`a name at byte ${start} has too many pointers`);
      at = target;
      lowestRead = target;
      continue;
    }
    if (tag !== 0)
      fail(`a label at byte ${at} uses the unsupported label type 0x${tag.toString(16)}`);
    wireLength += length + 1;
    if (wireLength > MAX_NAME_WIRE_LENGTH) fail(`a name at byte ${start} is longer than 255 bytes`);
    if (length === 0) {
      if (end < 0) end = at + 1;
      return { name: labels.join('.'), end };
    }
    reader.need(at + 1, length, 'a name label');
    labels.push(labelText(reader.bytes, at + 1, length));
    at += 1 + length;
  }
}

/** Lowercases ASCII only: DNS names compare case-insensitively in ASCII (RFC 4343). */
export function asciiLower(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Compares two names as DNS does: ASCII case-insensitively, ignoring one trailing dot. */
export function sameName(a: string, b: string): boolean {
  const strip = (n: string): string => (n.endsWith('.') && !n.endsWith('\\.') ? n.slice(0, -1) : n);
  return asciiLower(strip(a)) === asciiLower(strip(b));
}

function readRecord(
  reader: Reader,
  start: number,
  section: string,
): { rr: ResourceRecord; end: number } {
  const { name, end: nameEnd } = readName(reader, start);
  const type = reader.u16(nameEnd, `the type of a ${section} record`);
  const klass = reader.u16(nameEnd + 2, `the class of a ${section} record`);
  const rawTtl = reader.u32(nameEnd + 4, `the TTL of a ${section} record`);
  const rdlength = reader.u16(nameEnd + 8, `the rdata length of a ${section} record`);
  const rdStart = nameEnd + 10;
  const rdEnd = rdStart + rdlength;
  if (rdEnd > reader.bytes.length) {
    fail(`the rdata of a ${section} record for "${name}" runs past the end of the message`);
  }
  const ttl = rawTtl > 0x7fffffff ? 0 : rawTtl;
  const base = { name, type, class: klass, ttl };
  const where = (): string => `a ${section} ${typeName(type)} record for "${name}"`;
  const expectLength = (wanted: number): void => {
    if (rdlength !== wanted) fail(`${where()} has rdata length ${rdlength}, expected ${wanted}`);
  };
  const expectNameEnd = (at: number): void => {
    if (at !== rdEnd)
      fail(`${where()} has rdata length ${rdlength} that does not match its content`);
  };
  const view = reader.view;
  let rr: ResourceRecord;
  if (type === RR_TYPE.OPT) {
    if (section !== 'additional') fail(`an OPT record appears in the ${section} section`);
    if (name !== '') fail('an OPT record has an owner name other than the root');
    const options: EdnsOption[] = [];
    let at = rdStart;
    while (at < rdEnd) {
      if (at + 4 > rdEnd) fail('an EDNS option header runs past the end of the OPT record');
      const code = view.getUint16(at);
      const length = view.getUint16(at + 2);
      if (at + 4 + length > rdEnd) fail(`EDNS option ${code} runs past the end of the OPT record`);
      options.push({ code, length });
      at += 4 + length;
    }
    rr = {
      ...base,
      ttl: 0,
      kind: 'OPT',
      udpPayloadSize: klass,
      extendedRcode: rawTtl >>> 24,
      version: (rawTtl >>> 16) & 0xff,
      options,
    };
  } else if (klass !== CLASS_IN) {
    rr = { ...base, kind: 'other', rdataLength: rdlength };
  } else if (type === RR_TYPE.A) {
    expectLength(4);
    const value = view.getUint32(rdStart);
    rr = { ...base, kind: 'A', address: formatIpv4(value), ip: { family: 4, value } };
  } else if (type === RR_TYPE.AAAA) {
    expectLength(16);
    const words = [0, 4, 8, 12].map((o) => view.getUint32(rdStart + o)) as [
      number,
      number,
      number,
      number,
    ];
    rr = { ...base, kind: 'AAAA', address: formatIpv6Words(...words), ip: { family: 6, words } };
  } else if (type === RR_TYPE.CNAME) {
    const target = readName(reader, rdStart);
    expectNameEnd(target.end);
    rr = { ...base, kind: 'CNAME', target: target.name };
  } else if (type === RR_TYPE.SOA) {
    const mname = readName(reader, rdStart);
    const rname = readName(reader, mname.end);
    expectNameEnd(rname.end + 20);
    const at = rname.end;
    rr = {
      ...base,
      kind: 'SOA',
      mname: mname.name,
      rname: rname.name,
      serial: view.getUint32(at),
      refresh: view.getUint32(at + 4),
      retry: view.getUint32(at + 8),
      expire: view.getUint32(at + 12),
      minimum: view.getUint32(at + 16),
    };
  } else {
    rr = { ...base, kind: 'other', rdataLength: rdlength };
  }
  return { rr, end: rdEnd };
}

/** Short text name of an RR type, for messages. */
export function typeName(type: number): string {
  const entry = Object.entries(RR_TYPE).find(([, code]) => code === type);
  return entry ? entry[0] : `TYPE${type}`;
}

/** Short text name of an RCODE, for messages. */
export function rcodeName(rcode: number): string {
  const entry = Object.entries(RCODE).find(([, code]) => code === rcode);
  return entry ? entry[0] : `RCODE${rcode}`;
}

function parseOrThrow(bytes: Uint8Array, expected: Question): DnsResponse {
  const reader = new Reader(bytes);
  if (bytes.length < HEADER_LENGTH) {
    fail(`the message is ${bytes.length} bytes, shorter than a 12-byte DNS header`);
  }
  const id = reader.u16(0, 'the ID');
  const flags = reader.u16(2, 'the flags');
  const counts = [4, 6, 8, 10].map((at) => reader.u16(at, 'a count')) as [
    number,
    number,
    number,
    number,
  ];
  const [qdcount, ancount, nscount, arcount] = counts;
  if (id !== 0) throw new WireError('mismatch', `the response has ID ${id}, but we sent ID 0`);
  if ((flags & 0x8000) === 0)
    throw new WireError('mismatch', 'the message is a query, not a response (QR clear)');
  const opcode = (flags >>> 11) & 0xf;
  if (opcode !== 0) throw new WireError('mismatch', `the response has opcode ${opcode}, not QUERY`);
  if ((flags & 0x0200) !== 0) {
    throw new WireError(
      'truncated',
      'the response is truncated (TC set); DoH answers must be complete',
    );
  }
  const headerRcode = flags & 0xf;
  if (qdcount > 1) fail(`the response has ${qdcount} questions, but we asked one`);
  if (qdcount === 0 && headerRcode === RCODE.NOERROR) {
    throw new WireError('mismatch', 'the NOERROR response does not echo our question');
  }
  const rrCount = ancount + nscount + arcount;
  const room = bytes.length - HEADER_LENGTH - qdcount * MIN_QUESTION_LENGTH;
  if (rrCount * MIN_RR_LENGTH > room) {
    fail(`the header claims ${rrCount} records, more than ${bytes.length} bytes can hold`);
  }

  let at = HEADER_LENGTH;
  let question: Question | undefined;
  if (qdcount === 1) {
    const q = readName(reader, at);
    question = {
      name: q.name,
      type: reader.u16(q.end, 'the question type'),
      class: reader.u16(q.end + 2, 'the question class'),
    };
    at = q.end + 4;
    if (!sameName(question.name, expected.name)) {
      throw new WireError(
        'mismatch',
        `the response is for "${question.name}", not "${expected.name}"`,
      );
    }
    if (question.type !== expected.type || question.class !== expected.class) {
      throw new WireError(
        'mismatch',
        `the response is for type ${typeName(question.type)} class ${question.class}, ` +
          `not ${typeName(expected.type)} class ${expected.class}`,
      );
    }
  }

  const readSection = (count: number, section: string): ResourceRecord[] => {
    const records: ResourceRecord[] = [];
    for (let i = 0; i < count; i++) {
      const { rr, end } = readRecord(reader, at, section);
      records.push(rr);
      at = end;
    }
    return records;
  };
  const answers = readSection(ancount, 'answer');
  const authority = readSection(nscount, 'authority');
  const additional = readSection(arcount, 'additional');
  if (at !== bytes.length) fail(`${bytes.length - at} unexpected bytes follow the last record`);

  let extendedRcode = 0;
  let optCount = 0;
  for (const rr of additional) {
    if (rr.kind !== 'OPT') continue;
    optCount++;
    extendedRcode = rr.extendedRcode;
  }
  if (optCount > 1) fail(`the response has ${optCount} OPT records (at most one)`);
  const rcode = (extendedRcode << 4) | headerRcode;
  return {
    id,
    authoritative: (flags & 0x0400) !== 0,
    recursionAvailable: (flags & 0x0080) !== 0,
    authenticData: (flags & 0x0020) !== 0,
    rcode,
    question,
    answers,
    authority,
    additional,
  };
}

/**
 * Parses a DoH response to our query for `expected` and checks that it answers it (ID 0, QR set,
 * opcode QUERY, TC clear, same question). Never throws: any defect is a typed error.
 */
export function parseResponse(bytes: Uint8Array, expected: Question): ParseResponseResult {
  try {
    return { ok: true, response: parseOrThrow(bytes, expected) };
  } catch (error) {
    if (error instanceof WireError)
      return { ok: false, error: { kind: error.kind, message: error.message } };
    return {
      ok: false,
      error: { kind: 'malformed', message: `unreadable response: ${String(error)}` },
    };
  }
}
