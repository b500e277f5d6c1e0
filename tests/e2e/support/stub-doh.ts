/**
 * A stand-in DoH endpoint for the failures unbound cannot produce: a 200 reply that is not DNS,
 * a server that never answers, and an HTTP error. Plain http on 127.0.0.1, which the extension
 * accepts for loopback resolvers.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { closeServer } from './ports';

export type StubMode = 'garbage' | 'hang' | 'http-error';

export interface StubRequest {
  method: string;
  path: string;
}

export interface StubDoh {
  /** `http://127.0.0.1:PORT/dns-query` */
  url: string;
  mode: StubMode;
  /** Switches the behaviour for the following requests. */
  setMode(mode: StubMode): void;
  /** Requests received since start or the last clearRequests(), oldest first. */
  requests(): StubRequest[];
  clearRequests(): void;
  /** Closes the server and every connection, hanging ones included. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Random bytes that can never parse as a DNS response: the header claims 65535 questions in a
 * 48-byte body, so a parser that accepted it would be reading past the end, not getting lucky.
 */
export function garbageMessage(): Buffer {
  const body = randomBytes(48);
  body.writeUInt16BE(0xffff, 4);
  return body;
}

/** Starts a stub DoH server on a free loopback port. */
export async function startStubDoh(mode: StubMode): Promise<StubDoh> {
  let current = mode;
  let log: StubRequest[] = [];
  const server = http.createServer((request, response) => {
    log.push({ method: request.method ?? '', path: request.url ?? '' });
    // Drain the body so a POST does not stall the socket.
    request.resume();
    response.setHeader('access-control-allow-origin', '*');
    if (request.method === 'OPTIONS') {
      response.setHeader('access-control-allow-headers', 'content-type, accept');
      response.writeHead(204).end();
      return;
    }
    switch (current) {
      case 'garbage':
        request.on('end', () => {
          response.writeHead(200, { 'content-type': 'application/dns-message' });
          response.end(garbageMessage());
        });
        return;
      case 'http-error':
        response.writeHead(503, { 'content-type': 'text/plain' }).end('stub: unavailable');
        return;
      case 'hang':
        // Never answer; stop() closes the socket.
        return;
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('stub DoH: no port');
  let stopped = false;
  return {
    url: `http://127.0.0.1:${address.port}/dns-query`,
    get mode() {
      return current;
    },
    setMode(next) {
      current = next;
    },
    requests() {
      return [...log];
    },
    clearRequests() {
      log = [];
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await closeServer(server);
    },
  };
}
