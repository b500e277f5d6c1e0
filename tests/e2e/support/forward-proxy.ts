/**
 * A tiny forward HTTP proxy for the proxy e2e test, on a second loopback address (127.0.0.2) so
 * the address the browser connects to is visibly not the web server's (127.0.0.1).
 *
 * It speaks the two forms a browser uses: an absolute-URI request (`GET http://host:port/path`)
 * for plain http, and `CONNECT host:port` for a tunnel (https, or anything the browser tunnels).
 * With a proxy configured the browser no longer resolves names itself (the proxy does), so
 * Chromium's --host-resolver-rules no longer apply: the proxy maps names itself (`resolve`).
 * Every request is recorded, so a test can prove the traffic went through it.
 */
import http from 'node:http';
import net from 'node:net';
import { closeServer } from './ports';

export interface ProxyRequestLogEntry {
  method: string;
  /** `host:port` as the browser asked for it (before mapping). */
  target: string;
}

export interface ForwardProxy {
  /** Always 127.0.0.2. */
  host: string;
  port: number;
  /** `http://127.0.0.2:PORT`, for --proxy-server. */
  url: string;
  requests(): ProxyRequestLogEntry[];
  clearRequests(): void;
  stop(): Promise<void>;
}

export interface ForwardProxyOptions {
  /** The address to connect to for a requested host name; default: the name itself. */
  resolve?: (hostname: string) => string;
  /** Listening address; default 127.0.0.2. */
  host?: string;
}

/** Splits `host:port` / `[v6]:port`; the port defaults to `fallbackPort`. */
function splitTarget(target: string, fallbackPort: number): { hostname: string; port: number } {
  const match = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(target);
  const hostname = match?.[1] ?? target;
  const port = match?.[2] ? Number(match[2]) : fallbackPort;
  return { hostname, port };
}

/** Starts the proxy on a free port of 127.0.0.2 (or `options.host`). */
export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const listenHost = options.host ?? '127.0.0.2';
  const resolve = options.resolve ?? ((name: string) => name);
  let log: ProxyRequestLogEntry[] = [];
  const tunnels = new Set<net.Socket>();

  const server = http.createServer((request, response) => {
    let url: URL;
    try {
      url = new URL(request.url ?? '');
    } catch {
      // Not an absolute URI: a client talking to the proxy as if it were the server.
      response.writeHead(400, { 'content-type': 'text/plain' }).end('absolute URI required');
      return;
    }
    log.push({ method: request.method ?? 'GET', target: url.host });
    const upstream = http.request(
      {
        host: resolve(url.hostname),
        port: Number(url.port || 80),
        method: request.method,
        path: `${url.pathname}${url.search}`,
        // The Host header (with the original name) goes through unchanged.
        headers: request.headers,
      },
      (reply) => {
        response.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(response);
      },
    );
    upstream.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`proxy: ${error.message}`);
    });
    request.pipe(upstream);
  });

  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = request.url ?? '';
    log.push({ method: 'CONNECT', target });
    const { hostname, port } = splitTarget(target, 443);
    const upstream = net.connect(port, resolve(hostname), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    tunnels.add(client).add(upstream);
    const forget = () => {
      tunnels.delete(client);
      tunnels.delete(upstream);
    };
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
    client.on('error', () => upstream.destroy());
    upstream.on('close', forget);
    client.on('close', forget);
  });

  server.keepAliveTimeout = 1000;
  await new Promise<void>((ready, reject) => {
    server.once('error', reject);
    server.listen(0, listenHost, () => ready());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('forward proxy: no port');
  const port = address.port;
  let stopped = false;
  return {
    host: listenHost,
    port,
    url: `http://${listenHost}:${port}`,
    requests: () => [...log],
    clearRequests() {
      log = [];
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const socket of tunnels) socket.destroy();
      await closeServer(server);
    },
  };
}
