/**
 * The sites the browser visits. Chromium maps every `*.test` name to 127.0.0.1
 * (--host-resolver-rules), so one server answers for all of them; each page's title is the host it
 * was asked for, which lets a test tell pages apart. `/no-content` answers HTTP 204 on any host;
 * `/link?to=URL` is a page with one link, "follow", to URL.
 */
import http from 'node:http';
import { closeServer } from './ports';

export interface WebRequestLogEntry {
  host: string;
  path: string;
}

export interface WebServer {
  port: number;
  /** `http://<host>:PORT<path>`: the URL a test visits for a made-up host such as `site.test`. */
  urlFor(host: string, path?: string): string;
  /** Requests received since start or the last clearRequests(). */
  requests(): WebRequestLogEntry[];
  clearRequests(): void;
  stop(): Promise<void>;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Starts the web server on a free loopback port. */
export async function startWebServer(): Promise<WebServer> {
  let log: WebRequestLogEntry[] = [];
  const server = http.createServer((request, response) => {
    const hostHeader = request.headers.host ?? '';
    const host = hostHeader.replace(/:\d+$/, '');
    const path = request.url ?? '/';
    log.push({ host, path });
    if (path === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    // A navigation that never commits: the browser keeps showing the page it came from.
    if (path === '/no-content') {
      response.writeHead(204, { 'cache-control': 'no-store' }).end();
      return;
    }
    const url = new URL(path, 'http://web.test');
    if (url.pathname === '/link') {
      const to = escapeHtml(url.searchParams.get('to') ?? '/');
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(host)}</title>` +
          `</head><body><a href="${to}">follow</a></body></html>`,
      );
      return;
    }
    if (url.pathname.endsWith('.js')) {
      // A third-party script for /page-with: empty, but a real script the page waits for.
      response.writeHead(200, {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'no-store',
      });
      response.end(`/* ${host}${url.pathname} */\n`);
      return;
    }
    if (url.pathname === '/page-with') {
      // `/page-with?hosts=a.test,b.test`: a page that loads one script from each host, this port.
      const port = (server.address() as { port: number }).port;
      const hosts = (url.searchParams.get('hosts') ?? '').split(',').filter(Boolean);
      const scripts = hosts
        .map((h) => `<script src="http://${escapeHtml(h)}:${port}/x.js"></script>`)
        .join('');
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      response.end(
        `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(host)}</title>` +
          `${scripts}</head><body><h1>${escapeHtml(host)}</h1></body></html>`,
      );
      return;
    }
    const title = escapeHtml(host);
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
    });
    response.end(
      `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
        `<body><h1>${title}</h1><p>${escapeHtml(path)}</p></body></html>`,
    );
  });
  // Keep-alive sockets would make close() wait; the browser reconnects when it needs to.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('web server: no port');
  const port = address.port;
  let stopped = false;
  return {
    port,
    urlFor(host, path = '/') {
      return `http://${host}:${port}${path}`;
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
