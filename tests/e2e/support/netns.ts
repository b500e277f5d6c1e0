/**
 * A throwaway Linux network namespace whose loopback interface carries public addresses, so a
 * browser started inside it connects to, say, 1.1.1.1 or 1.48.0.1 and reports that address to the
 * extension (webRequest's `ip`), while no packet ever leaves the namespace. Servers bound inside
 * answer there; the host's own network is not touched.
 *
 * Needs root (`ip netns add`). The `dummy` link type is not available on these machines, but
 * addresses added to `lo` inside the namespace work: a server bound to 0.0.0.0 there answers on
 * every one of them and the client sees the public address as the remote end.
 *
 * Node's in-process servers cannot move into another namespace, so a caller runs a whole process
 * inside (`spawn`): the bench re-executes itself under `ip netns exec` (bench/e2e/main.ts); the
 * connected-witness e2e spec runs its servers in a child (netns-servers.ts) and Chromium through a
 * wrapper (`launcher`). The namespace, and every process still inside it, is removed by
 * `remove()`, and also when this process exits or is stopped by SIGINT, SIGTERM or SIGHUP before that.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p));

export interface Netns {
  /** The namespace's name, unique per call (`carrierflag-<pid>-<n>`). */
  readonly name: string;
  /** The addresses its loopback interface carries (127.0.0.1 and ::1 besides). */
  readonly addresses: readonly string[];
  /** Spawns `command` inside the namespace (`ip netns exec <name> command …args`). */
  spawn(command: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /**
   * Writes an executable that runs `command` inside the namespace with the arguments and open file
   * descriptors it is given (a browser's executablePath: Playwright's pipe to Chromium crosses
   * into the namespace); returns its path. Deleted by `remove()`.
   */
  launcher(command: string): string;
  /** Runs `command` inside the namespace and returns its stdout (throws on a non-zero exit). */
  run(command: string, args: readonly string[]): string;
  /** Ends every process still inside, then deletes the namespace. Safe to call twice. */
  remove(): void;
}

/** Why a namespace cannot be made here, or undefined when it can (root and `ip` present). */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (ip netns add needs root)';
  if (!IP) return 'no `ip` command (iproute2)';
  return undefined;
}

let counter = 0;
const live = new Set<Netns>();
let hooked = false;

/** Deletes every namespace still alive when the process ends, however it ends. */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const ns of [...live]) ns.remove();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      for (const ns of [...live]) ns.remove();
      // Only when nobody else handles the signal: then ending the process is ours to do.
      if (process.listenerCount(signal) === 1) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
}

/**
 * Creates a namespace, brings its `lo` up and adds `addresses` (IPv4 as /32, IPv6 as /128) to it.
 * Throws, leaving nothing behind, when any step fails.
 */
export function createNetns(addresses: readonly string[]): Netns {
  const why = netnsUnavailable();
  if (why) throw new Error(`cannot create a network namespace: ${why}`);
  for (const address of addresses) {
    if (!isIPv4(address) && !isIPv6(address)) throw new TypeError(`not an IP address: ${address}`);
  }
  const ip = IP!;
  const name = `carrierflag-${process.pid}-${++counter}`;
  const exec = (...args: string[]) => execFileSync(ip, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let removed = false;
  let launcherDir: string | undefined;
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const ns: Netns = {
    name,
    addresses: [...addresses],
    spawn(command, args, options = {}) {
      return spawn(ip, ['netns', 'exec', name, command, ...args], options);
    },
    launcher(command) {
      launcherDir ??= mkdtempSync(path.join(os.tmpdir(), 'carrierflag-netns-'));
      const file = path.join(launcherDir, path.basename(command));
      writeFileSync(
        file,
        `#!/bin/sh\nexec ${quote(ip)} netns exec ${name} ${quote(command)} "$@"\n`,
      );
      chmodSync(file, 0o755);
      return file;
    },
    run(command, args) {
      return execFileSync(ip, ['netns', 'exec', name, command, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
    remove() {
      if (removed) return;
      removed = true;
      live.delete(ns);
      if (launcherDir) rmSync(launcherDir, { recursive: true, force: true });
      try {
        // A process left inside (a browser or server whose owner died first) would keep the
        // namespace alive unnamed: end it. Only processes started in this namespace are listed.
        for (const pid of exec('netns', 'pids', name).toString().split(/\s+/).filter(Boolean)) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // Exited meanwhile.
          }
        }
        exec('netns', 'delete', name);
      } catch {
        // Already gone (deleted by hand): nothing left to clean.
      }
    },
  };
  hookExit();
  exec('netns', 'add', name);
  live.add(ns);
  try {
    exec('-n', name, 'link', 'set', 'lo', 'up');
    for (const address of addresses) {
      const prefix = isIPv4(address) ? '32' : '128';
      exec('-n', name, 'addr', 'add', `${address}/${prefix}`, 'dev', 'lo');
    }
  } catch (error) {
    ns.remove();
    throw error;
  }
  return ns;
}
