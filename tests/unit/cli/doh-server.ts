/**
 * A tiny RFC 8484 server for tests: GET /dns-query?dns=<base64url query> on 127.0.0.1, answering
 * A/AAAA from a fixed zone in DNS wire format. Names not in the zone get NXDOMAIN; a name mapped
 * to 'servfail' gets SERVFAIL. It records every name asked so tests can prove nothing leaked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ZoneEntry = { a?: string[]; aaaa?: string[]; delayMs?: number } | 'servfail';

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
    else if (question.type === TYPE_A)
      answers = (entry.a ?? []).map((ip) => answer(TYPE_A, ipv4Bytes(ip)));
    else if (question.type === TYPE_AAAA) {
      answers = (entry.aaaa ?? []).map((ip) => answer(TYPE_AAAA, ipv6Bytes(ip)));
    }
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

function answer(type: number, rdata: Buffer): Buffer {
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question
  rr.writeUInt16BE(type, 2);
  rr.writeUInt16BE(1, 4); // class IN
  rr.writeUInt32BE(300, 6);
  rr.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([rr, rdata]);
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
