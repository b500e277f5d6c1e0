/**
 * A tiny RFC 8484 server for tests: GET /dns-query?dns=<base64url query> on 127.0.0.1, answering
 * A/AAAA from a fixed zone in DNS wire format. Names not in the zone get NXDOMAIN; a name mapped
 * to 'servfail' gets SERVFAIL. It records every name asked so tests can prove nothing leaked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** `cname`: the name is an alias; the answer holds the CNAME and then the target's records. */
export type ZoneEntry =
  { a?: string[]; aaaa?: string[]; cname?: string; delayMs?: number } | 'servfail';

export interface TestDohServer {
  url: string;
  queries: string[];
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;

/** Starts the server on a free loopback port. */
export async function startDohServer(zone: Record<string, ZoneEntry>): Promise<TestDohServer> {
  const queries: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const dns = url.searchParams.get('dns');
    if (req.method !== 'GET' || url.pathname !== '/dns-query' || !dns) {
      res.writeHead(400).end();
      return;
    }
    const query = Buffer.from(dns, 'base64url');
    const question = readQuestion(query);
    queries.push(
      `${question.name} ${question.type === TYPE_A ? 'A' : question.type === TYPE_AAAA ? 'AAAA' : question.type}`,
    );
    const entry = zone[question.name];
    let rcode = 0;
    let answers: Buffer[] = [];
    if (entry === undefined) rcode = 3;
    else if (entry === 'servfail') rcode = 2;
    else answers = recordsFor(zone, question.name, question.type, true);
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0); // same ID
    header.writeUInt16BE(0x8180 | rcode, 2); // QR, RD, RA
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const body = Buffer.concat([header, query.subarray(12, question.end), ...answers]);
    const send = () => res.writeHead(200, { 'content-type': 'application/dns-message' }).end(body);
    const delay = typeof entry === 'object' ? (entry.delayMs ?? 0) : 0;
    if (delay > 0) setTimeout(send, delay);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/dns-query`,
    queries,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function readQuestion(query: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let offset = 12;
  for (let length = query[offset]!; length !== 0; length = query[offset]!) {
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('latin1'));
    offset += 1 + length;
  }
  offset += 1;
  const type = query.readUInt16BE(offset);
  return { name: labels.join('.').toLowerCase(), type, end: offset + 4 };
}

const TYPE_CNAME = 5;

/** The answer records for `name`, following CNAMEs through the zone as a recursive resolver does. */
function recordsFor(
  zone: Record<string, ZoneEntry>,
  name: string,
  type: number,
  isQuestion: boolean,
): Buffer[] {
  const entry = zone[name];
  if (entry === undefined || entry === 'servfail') return [];
  // The question's name is a pointer to offset 12; names further down the chain are written out.
  const owner = isQuestion ? Buffer.from([0xc0, 0x0c]) : encodeName(name);
  if (entry.cname) {
    return [
      answer(owner, TYPE_CNAME, encodeName(entry.cname)),
      ...recordsFor(zone, entry.cname, type, false),
    ];
  }
  if (type === TYPE_A) return (entry.a ?? []).map((ip) => answer(owner, TYPE_A, ipv4Bytes(ip)));
  if (type === TYPE_AAAA) {
    return (entry.aaaa ?? []).map((ip) => answer(owner, TYPE_AAAA, ipv6Bytes(ip)));
  }
  return [];
}

function encodeName(name: string): Buffer {
  const parts = name.split('.').map((label) => {
    const bytes = Buffer.from(label, 'latin1');
    return Buffer.concat([Buffer.from([bytes.length]), bytes]);
  });
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function answer(owner: Buffer, type: number, rdata: Buffer): Buffer {
  const rr = Buffer.alloc(10);
  rr.writeUInt16BE(type, 0);
  rr.writeUInt16BE(1, 2); // class IN
  rr.writeUInt32BE(300, 4);
  rr.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([owner, rr, rdata]);
}

function ipv4Bytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

function ipv6Bytes(ip: string): Buffer {
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
