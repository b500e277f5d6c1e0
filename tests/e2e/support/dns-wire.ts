/**
 * A deliberately small RFC 1035 / RFC 8484 client used only by the test infrastructure: to tell when
 * unbound is ready and to check the servers themselves. It does not reuse lib/dns on purpose, so a
 * bug in the product's DNS code cannot hide a broken test server (or the reverse).
 */
import http2 from 'node:http2';

export type WireRecordType = 'A' | 'AAAA' | 'CNAME' | 'SOA';

const TYPE_CODES: Record<WireRecordType, number> = { A: 1, CNAME: 5, SOA: 6, AAAA: 28 };
const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export interface WireAnswer {
  name: string;
  type: string;
  ttl: number;
  /** Dotted quad, compressed-free IPv6 text from the raw words, or a domain name without the final dot. */
  data: string;
}

export interface WireResponse {
  httpStatus: number;
  contentType: string | undefined;
  rcode: string;
  answers: WireAnswer[];
}

/** Encodes a query (ID 0 as RFC 8484 asks, RD set) for one name and type. */
export function encodeQuery(name: string, type: WireRecordType): Buffer {
  const header = Buffer.from([0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  const parts: Buffer[] = [header];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length === 0 || bytes.length > 63) throw new Error(`bad DNS label in ${name}`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(TYPE_CODES[type], 1);
  tail.writeUInt16BE(1, 3);
  parts.push(tail);
  return Buffer.concat(parts);
}

function readName(msg: Buffer, start: number): { name: string; next: number } {
  const labels: string[] = [];
  let offset = start;
  let next = -1;
  for (let hops = 0; hops < 64; hops++) {
    const len = msg.readUInt8(offset);
    if (len === 0) {
      return { name: labels.join('.'), next: next === -1 ? offset + 1 : next };
    }
    if ((len & 0xc0) === 0xc0) {
      if (next === -1) next = offset + 2;
      offset = msg.readUInt16BE(offset) & 0x3fff;
      continue;
    }
    labels.push(msg.toString('ascii', offset + 1, offset + 1 + len));
    offset += 1 + len;
  }
  throw new Error('DNS name compression loop');
}

/** Parses a response's rcode and answer section; throws on a message too short to be DNS. */
export function parseResponse(msg: Buffer): Omit<WireResponse, 'httpStatus' | 'contentType'> {
  if (msg.length < 12) throw new Error(`DNS message too short (${msg.length} bytes)`);
  const rcode = RCODE_NAMES[msg.readUInt8(3) & 0x0f] ?? `RCODE${msg.readUInt8(3) & 0x0f}`;
  const qdcount = msg.readUInt16BE(4);
  const ancount = msg.readUInt16BE(6);
  let offset = 12;
  for (let i = 0; i < qdcount; i++) offset = readName(msg, offset).next + 4;
  const answers: WireAnswer[] = [];
  for (let i = 0; i < ancount; i++) {
    const { name, next } = readName(msg, offset);
    const typeCode = msg.readUInt16BE(next);
    const ttl = msg.readUInt32BE(next + 4);
    const rdlength = msg.readUInt16BE(next + 8);
    const rdata = next + 10;
    let type = `TYPE${typeCode}`;
    let data = msg.subarray(rdata, rdata + rdlength).toString('hex');
    if (typeCode === 1) {
      type = 'A';
      data = [...msg.subarray(rdata, rdata + 4)].join('.');
    } else if (typeCode === 28) {
      type = 'AAAA';
      const words: string[] = [];
      for (let w = 0; w < 8; w++) words.push(msg.readUInt16BE(rdata + 2 * w).toString(16));
      data = words.join(':');
    } else if (typeCode === 5) {
      type = 'CNAME';
      data = readName(msg, rdata).name;
    }
    answers.push({ name, type, ttl, data });
    offset = rdata + rdlength;
  }
  return { rcode, answers };
}

/** Sends one RFC 8484 POST over HTTP/2 (unbound speaks nothing else) trusting the given CA. */
export async function dohQuery(
  url: string,
  name: string,
  type: WireRecordType,
  options: { ca: string; timeoutMs?: number },
): Promise<WireResponse> {
  const target = new URL(url);
  const session = http2.connect(target.origin, { ca: options.ca });
  try {
    return await new Promise<WireResponse>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`DoH query ${name} ${type} timed out`)),
        options.timeoutMs ?? 3000,
      );
      session.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      const request = session.request({
        ':method': 'POST',
        ':path': target.pathname + target.search,
        'content-type': 'application/dns-message',
        accept: 'application/dns-message',
      });
      let status = 0;
      let contentType: string | undefined;
      const chunks: Buffer[] = [];
      request.on('response', (headers) => {
        status = Number(headers[':status']);
        const header = headers['content-type'];
        contentType = Array.isArray(header) ? header[0] : header;
      });
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.on('end', () => {
        clearTimeout(timer);
        try {
          const body = Buffer.concat(chunks);
          resolve({ httpStatus: status, contentType, ...parseResponse(body) });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      request.end(encodeQuery(name, type));
    });
  } finally {
    session.close();
  }
}
