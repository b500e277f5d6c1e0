/**
 * A routing data server for the update tests: the two `-num` CSVs of the pinned data
 * (node_modules/@ip-location-db/asn), in the real format, with one range moved so that an address
 * clean in the pinned data (1.1.1.1, Cloudflare's AS13335) becomes China Telecom's (AS4134,
 * Chinanet). Plain http on 127.0.0.1: the Routing data sources setting accepts http on loopback only.
 *
 * `mode` picks what the next requests get: the good files (with ETag / Last-Modified, and 304 for
 * a matching If-None-Match), or one of the bad downloads the extension must refuse;
 * `publishNewer` replaces the good files with a newer version.
 *
 * Three sources on one server, as the extension's defaults are laid out:
 * - `url`, a folder: any file whose name ends in ipv4-num.csv / ipv6-num.csv (the npm package's
 *   `asn-…` and the release's `origin-asn-…` names alike);
 * - `releaseUrl`, like GitHub's release download: each file answers 302 to the same server under a
 *   second loopback host name (`localhost`, as GitHub's asset host is another host), with a signed
 *   query, where it is served with the same validators;
 * - `iptoasnUrl`, iptoasn.com's combined file: the same data as gzip-packed TSV (made on first use).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { closeServer } from './ports';

// Found by Node's resolution, not a path relative to this file: the bench runs it bundled.
const PINNED = path.dirname(
  createRequire(import.meta.url).resolve('@ip-location-db/asn/package.json'),
);
export const V4_FILE = 'asn-ipv4-num.csv';
export const V6_FILE = 'asn-ipv6-num.csv';

const RELEASE_PATH = '/sapics/ip-location-db/releases/download/latest/';
const IPTOASN_FILE = 'ip2asn-combined.tsv.gz';
/** Redirects after the release's own in 'redirect-chain' mode: 8 in all, more than the 5 allowed. */
const CHAIN_HOPS = 7;

/** An address of `family` given as a decimal number, as text (iptoasn writes text). */
function addressText(family: 4 | 6, decimal: string): string {
  if (family === 4) {
    const value = Number(decimal);
    return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
  }
  const value = BigInt(decimal);
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n)
    groups.push(((value >> shift) & 0xffffn).toString(16));
  return groups.join(':');
}

/**
 * The ip-location-db `-num` CSVs as iptoasn.com's combined TSV (`start end asn country org`,
 * textual addresses): the same ranges, so the two sources agree wherever the data does. In
 * pieces of a few thousand rows, so a server can send each as it is made.
 */
function* iptoasnTsvPieces(v4Csv: string, v6Csv: string): Generator<string> {
  const ROWS_PER_PIECE = 4096;
  let out: string[] = [];
  for (const [family, csv] of [
    [4, v4Csv],
    [6, v6Csv],
  ] as const) {
    for (const line of csv.split('\n')) {
      if (line === '') continue;
      const [start, end, asn, ...org] = line.split(',');
      const name = org.join(',').replace(/^"|"$/g, '').replace(/""/g, '"');
      out.push(
        `${addressText(family, start!)}\t${addressText(family, end!)}\t${asn}\tZZ\t${name}\n`,
      );
      if (out.length === ROWS_PER_PIECE) {
        yield out.join('');
        out = [];
      }
    }
  }
  if (out.length > 0) yield out.join('');
}

/** `body` in pieces of 256 KiB. */
function* bufferPieces(body: Buffer): Generator<Buffer> {
  for (let at = 0; at < body.length; at += 256 * 1024) yield body.subarray(at, at + 256 * 1024);
}

/**
 * Gzip-packs what `pieces` makes, once per `key`: the first request gets the packed bytes as they
 * come out of zlib (with a turn of the event loop between pieces), later ones the kept result.
 * Packing a whole file before the first byte took longer than the client's 20 s stall limit on a
 * loaded 2-core machine, and blocked every other request of the server meanwhile.
 */
function createGzipCache() {
  const done = new Map<string, Buffer>();
  /** Packing under way: the bytes made so far and the responses that take the rest. */
  const making = new Map<string, { chunks: Buffer[]; takers: Set<ServerResponse> }>();
  return async function sendGzipped(
    res: ServerResponse,
    key: string,
    pieces: () => Iterable<string | Buffer>,
    headers: Record<string, string>,
  ): Promise<number> {
    const kept = done.get(key);
    if (kept) {
      res.writeHead(200, { ...headers, 'content-length': String(kept.length) }).end(kept);
      return kept.length;
    }
    res.writeHead(200, headers);
    const running = making.get(key);
    if (running) {
      for (const chunk of running.chunks) res.write(chunk);
      running.takers.add(res);
      await once(res, 'close');
      return done.get(key)?.length ?? 0;
    }
    const job = { chunks: [] as Buffer[], takers: new Set([res]) };
    making.set(key, job);
    const gzip = createGzip({ level: 6 });
    gzip.on('data', (chunk: Buffer) => {
      job.chunks.push(chunk);
      for (const taker of job.takers) taker.write(chunk);
    });
    const ended = once(gzip, 'end');
    for (const piece of pieces()) {
      if (!gzip.write(piece)) await once(gzip, 'drain');
      await new Promise((turn) => setImmediate(turn));
    }
    gzip.end();
    await ended;
    const body = Buffer.concat(job.chunks);
    done.set(key, body);
    making.delete(key);
    for (const taker of job.takers) taker.end();
    return body.length;
  };
}

/** The address that moves: Cloudflare's in the pinned data, China Telecom's in the served data. */
export const MOVED_ADDRESS = '1.1.1.1';
const MOVED_ROW = '16843008,16843263,13335,"Cloudflare, Inc."\n';
const MOVED_TO = '16843008,16843263,4134,Chinanet\n';

export type RoutingMode =
  /** The newer data, 200 with validators; 304 when If-None-Match matches. */
  | 'good'
  /** The IPv4 file cut off in the middle of a line. */
  | 'truncated'
  /** An HTML error page with status 200. */
  | 'html'
  | '404'
  | '500'
  /** Accepts the request and never answers. */
  | 'hang'
  /** The first half of the IPv4 file's lines: a table shrunk by half. */
  | 'half'
  /** The release's files redirect to plain http on a host that is not loopback. */
  | 'redirect-http'
  /** The release's files redirect to the asset host, which redirects back, for ever. */
  | 'redirect-loop'
  /** The release's files go through seven redirects before the asset host (one limit is 5). */
  | 'redirect-chain'
  /** The good files, with a Last-Modified in 2099. */
  | 'future'
  /** The release answers 404 (the iptoasn file stays good: the fallback takes over). */
  | 'release-404';

export interface RoutingDataServer {
  /** The folder URL to type into "Routing data sources". */
  readonly url: string;
  /** The GitHub-like release folder (its files redirect to `localhost`). */
  readonly releaseUrl: string;
  /** The iptoasn-like `ip2asn-combined.tsv.gz`. */
  readonly iptoasnUrl: string;
  /** The host (with port) the release's files are served from after the redirect. */
  readonly assetHost: string;
  /** When the served data says it was published (Last-Modified), as a time. */
  readonly publishedAt: number;
  mode: RoutingMode;
  /**
   * Publishes a newer version of the good files, an hour after the one served so far (new ETags
   * and Last-Modified), with the address moved to China Telecom or, `moved: false`, back with
   * Cloudflare as in the pinned data. Returns its publication time.
   */
  publishNewer(options: { moved: boolean }): number;
  /** Requests seen: file name, status sent, body bytes sent (on the wire, after any gzip). */
  readonly log: {
    file: string;
    status: number | 'hang';
    ifNoneMatch?: string;
    bytes?: number;
    /** The file's size before gzip, when it was sent gzipped. */
    rawBytes?: number;
  }[];
  close(): Promise<void>;
}

export interface RoutingDataServerOptions {
  /**
   * Sends the good files gzip-encoded (level 6, as a CDN would) to a client that accepts it, as
   * the upstream's CDN compresses them; the tests' default is the plain bytes.
   */
  gzip?: boolean;
}

export async function startRoutingDataServer(
  options: RoutingDataServerOptions = {},
): Promise<RoutingDataServer> {
  const v4Pinned = readFileSync(path.join(PINNED, V4_FILE), 'utf8');
  if (!v4Pinned.includes(MOVED_ROW)) {
    throw new Error(
      `the pinned data no longer has the row ${MOVED_ROW.trim()}: pick another address`,
    );
  }
  const v4 = Buffer.from(v4Pinned.replace(MOVED_ROW, MOVED_TO));
  const v4Unmoved = Buffer.from(v4Pinned);
  const v6 = readFileSync(path.join(PINNED, V6_FILE));
  const cut = v4.indexOf('\n', Math.floor(v4.length * 0.9)) + 7;
  const truncated = v4.subarray(0, cut);
  const half = v4.subarray(0, v4.indexOf('\n', Math.floor(v4.length / 2)) + 1);
  // Published yesterday, on the hour: newer than the pinned data, and a date the popup shows.
  const firstPublishedAt = Math.floor((Date.now() - 24 * 3600_000) / 3600_000) * 3600_000;
  const sendGzipped = createGzipCache();
  const bodyKeys = new Map<Buffer, string>();
  const keyOf = (body: Buffer) => {
    if (!bodyKeys.has(body)) bodyKeys.set(body, `body-${bodyKeys.size}`);
    return bodyKeys.get(body)!;
  };
  const state = {
    mode: 'good' as RoutingMode,
    generation: 0,
    moved: true,
    publishedAt: firstPublishedAt,
  };
  const served = () => ({
    v4: state.moved ? v4 : v4Unmoved,
    lastModified:
      state.mode === 'future'
        ? 'Thu, 31 Dec 2099 00:00:00 GMT'
        : new Date(state.publishedAt).toUTCString(),
    etags: {
      [V4_FILE]: `"v4-${state.moved ? 'moved' : 'pinned'}-${state.generation}"`,
      [V6_FILE]: `"v6-pinned-${state.generation}"`,
    } as Record<string, string>,
  });
  const log: RoutingDataServer['log'] = [];
  const hanging = new Set<ServerResponse>();
  const send = (
    res: ServerResponse,
    file: string,
    status: number,
    body: Buffer | string,
    type: string,
    extra: Record<string, string> = {},
  ) => {
    log.push({ file, status, bytes: Buffer.byteLength(body) });
    res.writeHead(status, {
      'content-type': type,
      'content-length': String(Buffer.byteLength(body)),
      ...extra,
    });
    res.end(body);
  };
  let port = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const fileName = pathname.split('/').pop() ?? '';
    // Any ip-location-db name ending in ipv4-num.csv / ipv6-num.csv is the matching file.
    const name = fileName.endsWith('ipv4-num.csv')
      ? V4_FILE
      : fileName.endsWith('ipv6-num.csv')
        ? V6_FILE
        : fileName;
    const { v4: v4Served, lastModified, etags } = served();
    const mode = state.mode;
    if (pathname.startsWith(RELEASE_PATH) && (name === V4_FILE || name === V6_FILE)) {
      log.push({ file: fileName, status: mode === 'release-404' ? 404 : 302 });
      if (mode === 'release-404') return send(res, fileName, 404, 'Not Found', 'text/plain');
      const location =
        mode === 'redirect-http'
          ? `http://objects.test:${port}/assets/${fileName}`
          : mode === 'redirect-chain'
            ? `http://127.0.0.1:${port}/hop/1/${fileName}`
            : `http://localhost:${port}/assets/${fileName}?sig=${state.generation}`;
      res.writeHead(302, { location }).end();
      return;
    }
    const hop = /^\/hop\/(\d+)\//.exec(pathname);
    if (hop) {
      const n = Number(hop[1]);
      log.push({ file: fileName, status: 302 });
      const next =
        n < CHAIN_HOPS
          ? `http://127.0.0.1:${port}/hop/${n + 1}/${fileName}`
          : `http://localhost:${port}/assets/${fileName}`;
      res.writeHead(302, { location: next }).end();
      return;
    }
    if (mode === 'redirect-loop' && pathname.startsWith('/assets/')) {
      log.push({ file: fileName, status: 302 });
      res.writeHead(302, { location: `http://127.0.0.1:${port}${RELEASE_PATH}${fileName}` }).end();
      return;
    }
    if (name === IPTOASN_FILE) {
      const entry: RoutingDataServer['log'][number] = { file: name, status: 200, bytes: 0 };
      log.push(entry);
      void sendGzipped(
        res,
        `iptoasn-${state.moved}`,
        () => iptoasnTsvPieces(v4Served.toString(), v6.toString()),
        { 'content-type': 'application/gzip', 'last-modified': lastModified },
      ).then((bytes) => (entry.bytes = bytes));
      return;
    }
    const body = name === V4_FILE ? v4Served : name === V6_FILE ? v6 : undefined;
    if (!body) return send(res, name, 404, 'not found', 'text/plain');
    if (mode === 'hang') {
      log.push({ file: name, status: 'hang' });
      hanging.add(res);
      return;
    }
    if (mode === '404') return send(res, name, 404, 'Not Found', 'text/plain');
    if (mode === '500') return send(res, name, 500, 'Internal Server Error', 'text/plain');
    if (mode === 'html') {
      return send(
        res,
        name,
        200,
        '<!DOCTYPE html><html><body><h1>Service unavailable</h1></body></html>\n',
        'text/html; charset=utf-8',
      );
    }
    const validators = { etag: etags[name]!, 'last-modified': lastModified };
    if (mode === 'good' && req.headers['if-none-match'] === etags[name]) {
      log.push({ file: name, status: 304, ifNoneMatch: etags[name]! });
      res.writeHead(304, validators).end();
      return;
    }
    const sent =
      name === V4_FILE && mode === 'truncated'
        ? truncated
        : name === V4_FILE && mode === 'half'
          ? half
          : body;
    const headers = mode === 'good' ? validators : { 'last-modified': lastModified };
    if (options.gzip && mode === 'good' && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      const entry: RoutingDataServer['log'][number] = {
        file: name,
        status: 200,
        bytes: 0,
        rawBytes: sent.length,
      };
      log.push(entry);
      void sendGzipped(res, keyOf(sent), () => bufferPieces(sent), {
        ...headers,
        'content-type': 'text/csv; charset=utf-8',
        'content-encoding': 'gzip',
      }).then((bytes) => (entry.bytes = bytes));
      return;
    }
    return send(res, name, 200, sent, 'text/csv; charset=utf-8', headers);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/ip-location-db/asn/`,
    releaseUrl: `http://127.0.0.1:${port}${RELEASE_PATH}`,
    iptoasnUrl: `http://127.0.0.1:${port}/iptoasn/${IPTOASN_FILE}`,
    assetHost: `localhost:${port}`,
    get publishedAt() {
      return state.publishedAt;
    },
    publishNewer({ moved }) {
      state.generation++;
      state.moved = moved;
      state.publishedAt += 3600_000;
      return state.publishedAt;
    },
    get mode() {
      return state.mode;
    },
    set mode(next: RoutingMode) {
      state.mode = next;
    },
    log,
    async close() {
      for (const res of hanging) res.destroy();
      await closeServer(server);
    },
  };
}
