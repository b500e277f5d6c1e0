/**
 * A stand-in DoH endpoint for the transport faults of issue 6 §2, which neither unbound nor the
 * other stubs produce: a redirect to another resolver, an endless body, and a first request per
 * question that is lost (never answered, or broken off mid-body) while the next one is answered.
 * Plain http on 127.0.0.1, which the extension accepts for loopback resolvers. Answers are built
 * here from `addresses` (A records only; AAAA is NODATA), the way tests/unit/cli/doh-server.ts does.
 */
import http from 'node:http';
import { closeServer } from './ports';

export type TransportFaultMode =
  | 'redirect'
  | 'endless-body'
  | 'hang-first'
  | 'break-first'
  /** Names matching `slow` are answered after `delayMs`, others at once: a resolver under load. */
  | 'slow';

export interface TransportFaultOptions {
  mode: TransportFaultMode;
  /** Where 'redirect' points, the query string kept (e.g. the real unbound server's URL). */
  redirectTo?: string;
  /** Host name → IPv4 address, answered by the 'hang-first' and 'break-first' modes. */
  addresses?: Readonly<Record<string, string>>;
  /** 'slow': which names are slow, and by how much. */
  slow?: RegExp;
  delayMs?: number;
}

export interface TransportFaultDoh {
  /** `http://127.0.0.1:PORT/dns-query` */
  url: string;
  /** Every question asked, as `name TYPE`, oldest first (repeats included). */
  questions(): string[];
  /** The same, each with when it arrived (Date.now()). */
  questionsWithTimes(): { question: string; at: number }[];
  /** 'slow': questions received and not answered yet. */
  unanswered(): number;
  /** Bytes of body written per 'endless-body' response by the time the client closed it. */
  bodyBytesAtClose(): number[];
  /** Resolves once `count` 'endless-body' responses have been closed by the client. */
  closedBodies(count: number): Promise<void>;
  clear(): void;
  stop(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;
/** The most an 'endless-body' answer sends; a client that reads it all never cancelled. */
export const ENDLESS_LIMIT = 512 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024);

function readQuestion(query: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let offset = 12;
  for (let length = query[offset] ?? 0; length !== 0; length = query[offset] ?? 0) {
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('latin1'));
    offset += 1 + length;
  }
  offset += 1;
  return {
    name: labels.join('.').toLowerCase(),
    type: query.readUInt16BE(offset),
    end: offset + 4,
  };
}

/** The answer to `query`: NOERROR with an A record when `ipv4` is given, else NODATA. */
function answer(query: Buffer, question: { type: number; end: number }, ipv4?: string): Buffer {
  const records: Buffer[] = [];
  if (ipv4 && question.type === TYPE_A) {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // the question's name
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(1, 4); // class IN
    rr.writeUInt32BE(300, 6);
    rr.writeUInt16BE(4, 10);
    Buffer.from(ipv4.split('.').map(Number)).copy(rr, 12);
    records.push(rr);
  }
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8180, 2); // QR, RD, RA, NOERROR
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  return Buffer.concat([header, query.subarray(12, question.end), ...records]);
}

/** Starts the stub on a free loopback port. */
export async function startTransportFaultDoh(
  options: TransportFaultOptions,
): Promise<TransportFaultDoh> {
  let questions: string[] = [];
  let arrivals: number[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let closedAt: number[] = [];
  let waiters: { count: number; done: () => void }[] = [];
  const notify = () => {
    waiters = waiters.filter((w) => (closedAt.length >= w.count ? (w.done(), false) : true));
  };

  const server = http.createServer((request, response) => {
    request.resume();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const dns = url.searchParams.get('dns');
    if (!dns) {
      response.writeHead(400).end();
      return;
    }
    const query = Buffer.from(dns, 'base64url');
    const question = readQuestion(query);
    const label = `${question.name} ${question.type === TYPE_AAAA ? 'AAAA' : question.type === TYPE_A ? 'A' : question.type}`;
    const first = !questions.includes(label);
    questions.push(label);
    arrivals.push(Date.now());
    const body = answer(query, question, options.addresses?.[question.name]);

    switch (options.mode) {
      case 'redirect':
        response.writeHead(307, { location: `${options.redirectTo ?? ''}${url.search}` }).end();
        return;
      case 'endless-body': {
        response.writeHead(200, { 'content-type': 'application/dns-message' });
        let sent = 0;
        let closed = false;
        const pump = () => {
          while (!closed && sent < ENDLESS_LIMIT) {
            sent += CHUNK.length;
            if (!response.write(CHUNK)) return; // resumed on 'drain'
          }
          if (!closed) response.end();
        };
        response.on('drain', pump);
        response.on('close', () => {
          closed = true;
          closedAt.push(sent);
          notify();
        });
        pump();
        return;
      }
      case 'hang-first':
        if (first) return; // never answered; stop() closes the socket
        break;
      case 'break-first':
        if (first) {
          // Headers and half the body, then the connection drops: fetch fails while reading.
          response.writeHead(200, {
            'content-type': 'application/dns-message',
            'content-length': String(body.length),
          });
          response.write(body.subarray(0, 6));
          setTimeout(() => response.destroy(), 20);
          return;
        }
        break;
      case 'slow':
        if (options.slow?.test(question.name)) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            response.writeHead(200, { 'content-type': 'application/dns-message' }).end(body);
          }, options.delayMs ?? 1000);
          timers.add(timer);
          return;
        }
        break;
    }
    response.writeHead(200, { 'content-type': 'application/dns-message' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('transport-fault DoH: no port');
  let stopped = false;
  return {
    url: `http://127.0.0.1:${address.port}/dns-query`,
    questions: () => [...questions],
    questionsWithTimes: () => questions.map((question, i) => ({ question, at: arrivals[i]! })),
    unanswered: () => timers.size,
    bodyBytesAtClose: () => [...closedAt],
    closedBodies: (count) =>
      new Promise<void>((done) => {
        waiters.push({ count, done });
        notify();
      }),
    clear() {
      questions = [];
      arrivals = [];
      closedAt = [];
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await closeServer(server);
    },
  };
}
