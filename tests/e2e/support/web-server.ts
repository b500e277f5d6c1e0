/**
 * The sites the browser visits. Chromium maps every `*.test` name to 127.0.0.1
 * (--host-resolver-rules), so one server answers for all of them; each page's title is the host it
 * was asked for, which lets a test tell pages apart. `/no-content` answers HTTP 204 on any host;
 * `/link?to=URL` is a page with one link, "follow", to URL; any `*.gif` is a 1×1 image. `/hold?id=ID` is answered only when the
 * test calls `release(ID)` (or never, if the browser gives up first): a request the test holds open.
 * `/load-later?onload=URL&onclick=URL` is a page that requests the image `onload` once it has loaded
 * and the image `onclick` when its link "load" is clicked (each optional): requests the page makes
 * after its load, so a navigation can overtake them.
 * `/redirect?to=URL` answers 302 to URL. `/sw-page?fetch=URL` registers the service worker
 * `/sw.js?fetch=URL` (its whole query: add a unique parameter for a fresh install), which fetches
 * URL itself when it installs and passes every request of the pages it controls through to the
 * network; the page's title turns to `sw ready` once the worker controls it (a service worker
 * needs a secure context: use it on a `*.localhost` host, which is one over http).
 * `/ws-page?to=URL` opens a WebSocket to URL; any path upgrades to a WebSocket that sends `hello`.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { closeServer } from './ports';

export interface WebRequestLogEntry {
  host: string;
  path: string;
}

/** A `/hold` request: open until released, or aborted by the browser. */
export interface HeldRequest {
  id: string;
  host: string;
  state: 'open' | 'released' | 'aborted';
}

export interface WebServer {
  port: number;
  /** `http://<host>:PORT<path>`: the URL a test visits for a made-up host such as `site.test`. */
  urlFor(host: string, path?: string): string;
  /** Requests received since start or the last clearRequests(). */
  requests(): WebRequestLogEntry[];
  clearRequests(): void;
  /** The `/hold` requests received since start or the last clearRequests(). */
  held(): HeldRequest[];
  /** Answers the held request `id` (an empty image), if it is still open. */
  release(id: string): void;
  stop(): Promise<void>;
}

/** A 1×1 transparent GIF. */
const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A page titled `host` whose body is `body` then `script`, never cached. Every '<' in the script
 * is escaped, so nothing in it (a URL from the query) can close the script element.
 */
function sendScriptPage(
  response: http.ServerResponse,
  host: string,
  script: string,
  body = '',
): void {
  response.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(host)}</title>` +
      `</head><body>${body}<script>${script.replace(/</g, '\\u003c')}</script></body></html>`,
  );
}

/**
 * Starts the web server on a free loopback port. `listenOn: '0.0.0.0'` answers on every address of
 * the machine instead: inside a network namespace whose loopback carries public test addresses
 * (support/netns.ts), the browser then connects to those addresses.
 */
export async function startWebServer(options: { listenOn?: string } = {}): Promise<WebServer> {
  let log: WebRequestLogEntry[] = [];
  let held: { request: HeldRequest; answer: () => void }[] = [];
  /** Open WebSockets, ended when the server stops (close() would wait for them). */
  const sockets = new Set<Duplex>();
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
    if (url.pathname === '/hold') {
      const entry: HeldRequest = { id: url.searchParams.get('id') ?? '', host, state: 'open' };
      response.on('close', () => {
        if (entry.state === 'open') entry.state = 'aborted';
      });
      held.push({
        request: entry,
        answer: () => {
          entry.state = 'released';
          response.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store' });
          response.end(PIXEL_GIF);
        },
      });
      return;
    }
    if (url.pathname === '/redirect') {
      response.writeHead(302, {
        location: url.searchParams.get('to') ?? '/',
        'cache-control': 'no-store',
      });
      response.end();
      return;
    }
    if (url.pathname === '/sw.js') {
      const target = JSON.stringify(url.searchParams.get('fetch') ?? '/');
      response.writeHead(200, {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'no-store',
      });
      response.end(
        `self.addEventListener('install',function(e){self.skipWaiting();` +
          `e.waitUntil(fetch(${target},{mode:'no-cors',cache:'no-store'}).catch(function(){}));});` +
          `self.addEventListener('activate',function(e){e.waitUntil(self.clients.claim());});` +
          `self.addEventListener('fetch',function(e){e.respondWith(fetch(e.request));});`,
      );
      return;
    }
    if (url.pathname === '/sw-page' || url.pathname === '/ws-page') {
      const script =
        url.pathname === '/sw-page'
          ? `navigator.serviceWorker.register('/sw.js'+location.search);` +
            `navigator.serviceWorker.ready.then(function(){` +
            `if(navigator.serviceWorker.controller)document.title='sw ready';` +
            `else navigator.serviceWorker.addEventListener('controllerchange',function(){` +
            `document.title='sw ready';});});`
          : `var ws=new WebSocket(${JSON.stringify(url.searchParams.get('to') ?? '')});` +
            `ws.onmessage=function(m){document.title='ws '+m.data;};`;
      sendScriptPage(response, host, script);
      return;
    }
    if (url.pathname === '/load-later') {
      const image = (src: string) => `var i=new Image();i.src=${JSON.stringify(src)};`;
      const onload = url.searchParams.get('onload');
      const onclick = url.searchParams.get('onclick');
      const script =
        (onload ? `addEventListener('load',function(){${image(onload)}});` : '') +
        (onclick
          ? `document.getElementById('load').addEventListener('click',function(e){` +
            `e.preventDefault();${image(onclick)}});`
          : '');
      // The script sits after the link it wires up.
      sendScriptPage(response, host, script, '<a id="load" href="#">load</a>');
      return;
    }
    if (url.pathname === '/keep-requesting') {
      // `/keep-requesting?to=URL`: a page that requests URL?n=1, 2, … every 2 ms for as long as it
      // is shown, so some of its requests start while the tab is already navigating elsewhere.
      const to = JSON.stringify(url.searchParams.get('to') ?? '/');
      const script =
        `var n=0;setInterval(function(){var i=new Image();` + `i.src=${to}+'?n='+(++n);},2);`;
      sendScriptPage(response, host, script);
      return;
    }
    if (url.pathname === '/link') {
      const to = escapeHtml(url.searchParams.get('to') ?? '/');
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(host)}</title>` +
          `</head><body><a href="${to}">follow</a></body></html>`,
      );
      return;
    }
    if (url.pathname.endsWith('.gif')) {
      response.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store' });
      response.end(PIXEL_GIF);
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
      // `&after=c.test,…`: scripts from these hosts too, added by a script that runs only once
      // every one above has loaded (they block the parser), so they are the page's last requests.
      const after = (url.searchParams.get('after') ?? '')
        .split(',')
        .filter((h) => /^[a-z0-9.-]+$/.test(h));
      const late =
        after.length === 0
          ? ''
          : `<script>for (const h of ${JSON.stringify(after)}) {` +
            `const s = document.createElement('script'); s.src = 'http://' + h + ':${port}/late.js';` +
            `document.head.append(s); }</script>`;
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      response.end(
        `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(host)}</title>` +
          `${scripts}${late}</head><body><h1>${escapeHtml(host)}</h1></body></html>`,
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
  // A WebSocket on any path (RFC 6455 handshake): sends one text frame, `hello`, and stays open.
  server.on('upgrade', (request: http.IncomingMessage, socket: Duplex) => {
    log.push({ host: (request.headers.host ?? '').replace(/:\d+$/, ''), path: request.url ?? '/' });
    const key = request.headers['sec-websocket-key'];
    if (typeof key !== 'string') {
      socket.destroy();
      return;
    }
    const accept = createHash('sha1')
      .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.on('error', () => undefined);
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.write(Buffer.concat([Buffer.from([0x81, 5]), Buffer.from('hello')]));
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // Keep-alive sockets would make close() wait; the browser reconnects when it needs to.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.listenOn ?? '127.0.0.1', () => resolve());
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
      held = held.filter((h) => h.request.state === 'open');
    },
    held() {
      return held.map((h) => ({ ...h.request }));
    },
    release(id) {
      for (const h of held) if (h.request.id === id && h.request.state === 'open') h.answer();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
}
