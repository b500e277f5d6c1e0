/**
 * A routing data server for the update tests: the two `-num` CSVs of the pinned data
 * (node_modules/@ip-location-db/asn), in the real format, with one range moved so that an address
 * clean in the pinned data (1.1.1.1, Cloudflare's AS13335) becomes China Telecom's (AS4134,
 * Chinanet). Plain http on 127.0.0.1: the Routing data URL setting accepts http on loopback only.
 *
 * `mode` picks what the next requests get: the good files (with ETag / Last-Modified, and 304 for
 * a matching If-None-Match), or one of the bad downloads the extension must refuse;
 * `publishNewer` replaces the good files with a newer version.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { closeServer } from './ports';

// Found by Node's resolution, not a path relative to this file: the bench runs it bundled.
const PINNED = path.dirname(
  createRequire(import.meta.url).resolve('@ip-location-db/asn/package.json'),
);
export const V4_FILE = 'asn-ipv4-num.csv';
export const V6_FILE = 'asn-ipv6-num.csv';

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
  | 'half';

export interface RoutingDataServer {
  /** The folder URL to type into "Routing data URL". */
  readonly url: string;
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
  const gzipCache = new Map<Buffer, Buffer>();
  const gzipped = (body: Buffer): Buffer => {
    let packed = gzipCache.get(body);
    if (!packed) gzipCache.set(body, (packed = gzipSync(body, { level: 6 })));
    return packed;
  };
  const state = {
    mode: 'good' as RoutingMode,
    generation: 0,
    moved: true,
    publishedAt: firstPublishedAt,
  };
  const served = () => ({
    v4: state.moved ? v4 : v4Unmoved,
    lastModified: new Date(state.publishedAt).toUTCString(),
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
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.split('/').pop() ?? '';
    const { v4: v4Served, lastModified, etags } = served();
    const body = name === V4_FILE ? v4Served : name === V6_FILE ? v6 : undefined;
    if (!body) return send(res, name, 404, 'not found', 'text/plain');
    const mode = state.mode;
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
      send(res, name, 200, gzipped(sent), 'text/csv; charset=utf-8', {
        ...headers,
        'content-encoding': 'gzip',
      });
      log[log.length - 1]!.rawBytes = sent.length;
      return;
    }
    return send(res, name, 200, sent, 'text/csv; charset=utf-8', headers);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ip-location-db/asn/`,
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
