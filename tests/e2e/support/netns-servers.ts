/**
 * unbound (DoH) and the web server inside a network namespace (netns.ts), for a browser that runs
 * there too. Node cannot move its own servers into another namespace, so a child process started
 * inside (netns-servers-main.ts) runs them, and the handles here pass the calls a test makes to it
 * over its stdin/stdout. They are the fixtures' UnboundDoh and WebServer, except that the web
 * server's request log is not carried across (requests(), held() and release() throw).
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DohRecord, QueryLogEntry, UnboundDoh } from './doh-server';
import type { Netns } from './netns';
import type { WebServer } from './web-server';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = 'tests/e2e/support/netns-servers-main.ts';
/** Bundling the child and starting unbound on a loaded machine: a ceiling, not an expectation. */
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

export interface NetnsServersConfig {
  records: readonly DohRecord[];
  servfailZones?: readonly string[];
}

/** A call to the child: one JSON line on its stdin. */
export type NetnsServerCall = {
  id: number;
  call: 'queries' | 'clearQueries' | 'setRecords' | 'clearRequests';
  args: unknown[];
};

/** One JSON line on the child's stdout: where the servers are, or the answer to a call. */
export type NetnsServersReply =
  | {
      ready: {
        doh: Pick<UnboundDoh, 'url' | 'port' | 'spkiHash' | 'certPem'>;
        web: { port: number };
      };
    }
  | { id: number; result: unknown }
  | { id: number; error: string };

export interface NetnsServers {
  doh: UnboundDoh;
  web: WebServer;
  /** Stops both servers and waits for the child to exit (killed if it does not). Safe twice. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts unbound and the web server inside `ns` and waits until both answer there. */
export async function startNetnsServers(
  ns: Netns,
  config: NetnsServersConfig,
): Promise<NetnsServers> {
  const child = ns.spawn(process.execPath, ['scripts/run-ts.mjs', MAIN, JSON.stringify(config)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 0;
  let stopped = false;

  const ready = new Promise<Extract<NetnsServersReply, { ready: unknown }>['ready']>(
    (resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the servers in ${ns.name} did not start:\n${stderr}`)),
        READY_TIMEOUT_MS,
      );
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const error = new Error(`the servers in ${ns.name} exited (${code ?? signal}):\n${stderr}`);
        reject(error);
        for (const call of pending.values()) call.reject(error);
        pending.clear();
      });
      createInterface({ input: child.stdout! }).on('line', (line) => {
        let reply: NetnsServersReply;
        try {
          reply = JSON.parse(line) as NetnsServersReply;
        } catch {
          // Not ours (a stray print): keep it for the error message.
          stderr += `${line}\n`;
          return;
        }
        if ('ready' in reply) {
          clearTimeout(timer);
          resolve(reply.ready);
          return;
        }
        const call = pending.get(reply.id);
        pending.delete(reply.id);
        if ('error' in reply) call?.reject(new Error(reply.error));
        else call?.resolve(reply.result);
      });
    },
  );

  const call = (name: NetnsServerCall['call'], ...args: unknown[]): Promise<unknown> => {
    if (stopped) return Promise.reject(new Error(`the servers in ${ns.name} are stopped`));
    const id = ++nextId;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      child.stdin!.write(`${JSON.stringify({ id, call: name, args } satisfies NetnsServerCall)}\n`);
    });
  };

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    child.stdin?.end();
    if (!(await exited(child, STOP_TIMEOUT_MS))) {
      child.kill('SIGKILL');
      await exited(child, 1000);
    }
  };

  let where: Awaited<typeof ready>;
  try {
    where = await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  const notCarried = (what: string) => () => {
    throw new Error(`${what}: the web server runs in namespace ${ns.name}; its log stays there`);
  };
  const doh: UnboundDoh = {
    ...where.doh,
    queries: async () => (await call('queries')) as QueryLogEntry[],
    clearQueries: async () => void (await call('clearQueries')),
    setRecords: async (records) => void (await call('setRecords', records)),
    ask() {
      throw new Error(`ask: unbound runs in namespace ${ns.name}, out of this process's reach`);
    },
    stop,
  };
  const web: WebServer = {
    port: where.web.port,
    urlFor: (host, urlPath = '/') => `http://${host}:${where.web.port}${urlPath}`,
    requests: notCarried('requests()'),
    held: notCarried('held()'),
    release: notCarried('release()'),
    // The fixtures clear the log before each test without waiting: keep that shape.
    clearRequests: () => void call('clearRequests').catch(() => undefined),
    stop,
  };
  return { doh, web, stop };
}
