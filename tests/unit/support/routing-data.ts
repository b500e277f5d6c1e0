// Routing data for the update tests: small CSV pairs in the real ip-location-db `-num` format, a
// loopback HTTP server that serves them (or misbehaves on request), and the pinned data's files.
import { gzipSync } from 'node:zlib';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CsvRow {
  start: bigint;
  end: bigint;
  asn: number;
  org: string;
}

const quote = (org: string) => (/[",\n]/.test(org) ? `"${org.replace(/"/g, '""')}"` : org);

/** Rows as the upstream writes them: `start,end,asn,org`, one per line, LF, a final line break. */
export function toCsv(rows: readonly CsvRow[]): string {
  return rows.map((r) => `${r.start},${r.end},${r.asn},${quote(r.org)}\n`).join('');
}

/**
 * A synthetic data set: `v4` IPv4 /24s (every tenth is China Telecom's AS4134, every 17th China
 * Mobile's AS9808) and `v6` IPv6 /32s, in address order. Enough ranges that halving is visible.
 */
export function syntheticData(v4 = 400, v6 = 100): { v4: CsvRow[]; v6: CsvRow[] } {
  const v4Rows: CsvRow[] = [];
  for (let i = 0; i < v4; i++) {
    const start = BigInt(0x01000000 + i * 512);
    const asn = i % 10 === 0 ? 4134 : i % 17 === 0 ? 9808 : 64500 + (i % 20);
    const org =
      asn === 4134 ? 'Chinanet' : asn === 9808 ? 'China Mobile' : `Example Net ${i % 20}, Inc.`;
    v4Rows.push({ start, end: start + 255n, asn, org });
  }
  const v6Rows: CsvRow[] = [];
  for (let i = 0; i < v6; i++) {
    const start = (0x2001n << 112n) + (BigInt(i * 2 + 0x400) << 96n);
    const asn = i % 10 === 0 ? 4134 : 64600 + (i % 7);
    v6Rows.push({
      start,
      end: start + (1n << 96n) - 1n,
      asn,
      org: asn === 4134 ? 'Chinanet' : `Example V6 ${i % 7}`,
    });
  }
  return { v4: v4Rows, v6: v6Rows };
}

/** What the server answers for one file; `hang` sends nothing at all, `hangBody` headers then nothing. */
export type FileBehaviour =
  | {
      kind: 'file';
      body: string | Uint8Array;
      contentType?: string;
      /** Sent gzip-compressed with Content-Encoding: gzip (fetch unpacks it). */
      gzipEncoding?: boolean;
      etag?: string;
      lastModified?: string;
    }
  | { kind: 'status'; status: number; body?: string; contentType?: string }
  /** A redirect (302 unless given) to `location`, absolute or relative. */
  | { kind: 'redirect'; location: string; status?: number }
  | { kind: 'hang' }
  | { kind: 'hangBody' };

export interface RoutingServer {
  /** The folder URL (ends in '/'). */
  url: string;
  /** The same server under a second loopback name (localhost), as an asset host would be. */
  otherHostUrl: string;
  /** Sets what `name` (a file name, or a whole path such as '/assets/x.csv') answers from now on. */
  serve(name: string, behaviour: FileBehaviour): void;
  /** Every request seen: path and the conditional headers it carried. */
  requests: { path: string; ifNoneMatch?: string; ifModifiedSince?: string }[];
  close(): Promise<void>;
}

/** A plain-http server on 127.0.0.1 (the loopback exception to https-only) serving routing files. */
export async function startRoutingServer(): Promise<RoutingServer> {
  const behaviours = new Map<string, FileBehaviour>();
  const requests: RoutingServer['requests'] = [];
  const hanging = new Set<ServerResponse>();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const name = path.slice(path.lastIndexOf('/') + 1);
    const ifNoneMatch = req.headers['if-none-match'];
    const ifModifiedSince = req.headers['if-modified-since'];
    requests.push({
      path,
      ...(typeof ifNoneMatch === 'string' ? { ifNoneMatch } : {}),
      ...(typeof ifModifiedSince === 'string' ? { ifModifiedSince } : {}),
    });
    const b = behaviours.get(name) ?? behaviours.get(path);
    if (!b) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (b.kind === 'hang') {
      hanging.add(res);
      return;
    }
    if (b.kind === 'hangBody') {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.flushHeaders();
      hanging.add(res);
      return;
    }
    if (b.kind === 'redirect') {
      res.writeHead(b.status ?? 302, { location: b.location }).end();
      return;
    }
    if (b.kind === 'status') {
      res.writeHead(b.status, { 'content-type': b.contentType ?? 'text/plain' }).end(b.body ?? '');
      return;
    }
    if (b.etag && ifNoneMatch === b.etag) {
      res.writeHead(304, { etag: b.etag }).end();
      return;
    }
    const raw = typeof b.body === 'string' ? Buffer.from(b.body) : Buffer.from(b.body);
    const body = b.gzipEncoding ? gzipSync(raw) : raw;
    res.writeHead(200, {
      ...(b.gzipEncoding ? { 'content-encoding': 'gzip' } : {}),
      'content-type': b.contentType ?? 'text/csv; charset=utf-8',
      'content-length': String(body.length),
      ...(b.etag ? { etag: b.etag } : {}),
      ...(b.lastModified ? { 'last-modified': b.lastModified } : {}),
    });
    res.end(body);
  };
  const server: Server = createServer(handler);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/data/`,
    otherHostUrl: `http://localhost:${port}/`,
    serve: (name, behaviour) => void behaviours.set(name, behaviour),
    requests,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
