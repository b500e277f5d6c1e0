/**
 * A real DNS-over-HTTPS server for the e2e tests: Debian's unbound in the foreground on loopback,
 * serving RFC 8484 over HTTP/2 + TLS with a throwaway self-signed certificate.
 *
 * Zones: every record lives in an authoritative zone for "." (so names anywhere, and in particular
 * under `test.`, answer from our data; anything else is NXDOMAIN, and unbound never sends a packet
 * out). unbound follows CNAME chains inside an auth zone, which local-data does not. Each
 * SERVFAIL zone is an auth zone with no data and fallback disabled: unbound answers SERVFAIL at
 * once (measured ~1 ms) instead of timing out on an unreachable upstream (~15 s).
 *
 * Queries are read back from unbound's own log (`log-queries`/`log-replies`), so a test sees
 * exactly what reached the server, and nothing is mocked.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { dohQuery, type WireRecordType, type WireResponse } from './dns-wire';
import { delay, freePort } from './ports';

const run = promisify(execFile);

export type DohRecordType = 'A' | 'AAAA' | 'CNAME';

/** One resource record served by the test resolver. */
export interface DohRecord {
  /** Any domain name; a trailing dot is optional. Compared case-insensitively by DNS. */
  name: string;
  type: DohRecordType;
  /** An IPv4 address (A), an IPv6 address (AAAA) or a target name (CNAME). */
  value: string;
  /** Seconds; defaults to `defaultTtl`. */
  ttl?: number;
}

export interface UnboundDohOptions {
  records: readonly DohRecord[];
  /** Zones whose every name (the apex and below) answers SERVFAIL, e.g. `['fail.test']`. */
  servfailZones?: readonly string[];
  /** TTL for records without one, and the negative-caching TTL (SOA minimum). Default 300. */
  defaultTtl?: number;
  /** Path of the unbound binary; default /usr/sbin/unbound. */
  unboundPath?: string;
  /**
   * A fixed port (the screenshots: an error message names the resolver, port included, and must
   * read the same on every run); default a free one, picked again if taken before unbound binds.
   */
  port?: number;
}

/** One query as unbound logged it: the name (lower case, no final dot), type and the reply code. */
export interface QueryLogEntry {
  name: string;
  type: string;
  /** NOERROR, NXDOMAIN, SERVFAIL…; undefined while unbound has not answered yet. */
  rcode?: string;
}

export interface UnboundDoh {
  /** `https://127.0.0.1:PORT/dns-query` */
  url: string;
  port: number;
  /** base64 SHA-256 of the certificate's SPKI, for Chromium's --ignore-certificate-errors-spki-list. */
  spkiHash: string;
  /** The self-signed certificate (PEM), to trust it from Node. */
  certPem: string;
  /** Queries logged since start or the last clearQueries(), oldest first. */
  queries(): Promise<QueryLogEntry[]>;
  /** Forgets the queries logged so far. */
  clearQueries(): Promise<void>;
  /** Replaces the served records (zone reload through unbound-control; answers change at once). */
  setRecords(records: readonly DohRecord[]): Promise<void>;
  /** Asks the server one question itself (HTTP/2 wire POST); for checks and debugging. */
  ask(name: string, type: WireRecordType): Promise<WireResponse>;
  /** Stops unbound and deletes its temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

const UNBOUND = '/usr/sbin/unbound';
const UNBOUND_CONTROL = '/usr/sbin/unbound-control';
const READY_TIMEOUT_MS = 5000;

function fqdn(name: string): string {
  const trimmed = name.trim().replace(/\.+$/, '');
  return trimmed === '' ? '.' : `${trimmed}.`;
}

function checkName(name: string, what: string): void {
  const labels = name.replace(/\.$/, '').split('.');
  const ok =
    name.length > 0 &&
    name.length <= 253 &&
    labels.every((label) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(label));
  if (!ok) throw new TypeError(`${what}: not a valid domain name: ${JSON.stringify(name)}`);
}

/** Renders and validates records as zone-file lines; bad input throws here, not inside unbound. */
function zoneFile(records: readonly DohRecord[], servfailZones: readonly string[], ttl: number) {
  const lines = [
    `. ${ttl} IN SOA ns.invalid. hostmaster.invalid. 1 3600 600 86400 ${ttl}`,
    `. ${ttl} IN NS ns.invalid.`,
  ];
  const cnames = new Set<string>();
  const others = new Set<string>();
  for (const record of records) {
    checkName(record.name, 'record name');
    const owner = fqdn(record.name).toLowerCase();
    const recordTtl = record.ttl ?? ttl;
    if (!Number.isInteger(recordTtl) || recordTtl < 0 || recordTtl > 2 ** 31 - 1) {
      throw new TypeError(`record ${owner}: bad TTL ${String(record.ttl)}`);
    }
    let value: string;
    switch (record.type) {
      case 'A':
        if (!net.isIPv4(record.value)) throw new TypeError(`${owner} A: not IPv4: ${record.value}`);
        value = record.value;
        others.add(owner);
        break;
      case 'AAAA':
        if (!net.isIPv6(record.value)) {
          throw new TypeError(`${owner} AAAA: not IPv6: ${record.value}`);
        }
        value = record.value;
        others.add(owner);
        break;
      case 'CNAME':
        checkName(record.value, `${owner} CNAME target`);
        if (cnames.has(owner)) throw new TypeError(`${owner}: more than one CNAME`);
        value = fqdn(record.value);
        cnames.add(owner);
        break;
      default:
        throw new TypeError(`unsupported record type ${String((record as DohRecord).type)}`);
    }
    lines.push(`${owner} ${recordTtl} IN ${record.type} ${value}`);
  }
  for (const owner of cnames) {
    // unbound would refuse the whole zone; say which name is wrong instead.
    if (others.has(owner)) throw new TypeError(`${owner}: a CNAME cannot sit beside other data`);
  }
  for (const zone of servfailZones) {
    checkName(zone, 'servfail zone');
    // A name served by "." but under a SERVFAIL zone would be shadowed; make that visible.
    const apex = fqdn(zone).toLowerCase();
    for (const record of records) {
      const owner = fqdn(record.name).toLowerCase();
      if (owner === apex || owner.endsWith(`.${apex}`)) {
        throw new TypeError(`${owner} lies in SERVFAIL zone ${apex}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function unboundConf(dir: string, port: number, servfailZones: readonly string[]): string {
  const q = (value: string) => JSON.stringify(value);
  const lines = [
    'server:',
    '  verbosity: 1',
    '  do-daemonize: no',
    '  username: ""',
    '  chroot: ""',
    `  directory: ${q(dir)}`,
    '  pidfile: ""',
    '  use-syslog: no',
    `  logfile: ${q(path.join(dir, 'unbound.log'))}`,
    '  log-queries: yes',
    '  log-replies: yes',
    '  log-servfail: yes',
    '  num-threads: 1',
    `  interface: 127.0.0.1@${port}`,
    `  port: ${port}`,
    `  https-port: ${port}`,
    '  http-endpoint: "/dns-query"',
    `  tls-service-key: ${q(path.join(dir, 'key.pem'))}`,
    `  tls-service-pem: ${q(path.join(dir, 'cert.pem'))}`,
    '  access-control: 127.0.0.0/8 allow',
    '  module-config: "iterator"',
    '  do-ip6: no',
    '  do-not-query-localhost: no',
    // unbound serves RFC 6761 `test.` itself (NXDOMAIN); let our auth zone answer it instead.
    '  local-zone: "test." nodefault',
    'remote-control:',
    '  control-enable: yes',
    `  control-interface: ${q(path.join(dir, 'control.sock'))}`,
    'auth-zone:',
    '  name: "."',
    `  zonefile: ${q(path.join(dir, 'root.zone'))}`,
    '  for-downstream: yes',
    '  for-upstream: no',
    '  fallback-enabled: no',
  ];
  for (const zone of servfailZones) {
    lines.push(
      'auth-zone:',
      `  name: ${q(fqdn(zone).toLowerCase())}`,
      '  for-downstream: yes',
      '  for-upstream: no',
      '  fallback-enabled: no',
    );
  }
  return `${lines.join('\n')}\n`;
}

const LOG_LINE = /\] unbound\[[^\]]*\] info: (\S+) (\S+) (\S+) IN(?: (\S+) [\d.]+ \d+ \d+)?$/;

/** Parses unbound's log-queries / log-replies lines into one entry per query. */
export function parseQueryLog(text: string): QueryLogEntry[] {
  const entries: QueryLogEntry[] = [];
  for (const line of text.split('\n')) {
    const match = LOG_LINE.exec(line.trimEnd());
    if (!match || net.isIP(match[1] ?? '') === 0) continue;
    const name = (match[2] ?? '').replace(/\.$/, '').toLowerCase();
    const type = match[3] ?? '';
    const rcode = match[4];
    if (rcode === undefined) {
      entries.push({ name, type });
    } else {
      const pending = entries.find(
        (e) => e.rcode === undefined && e.name === name && e.type === type,
      );
      if (pending) pending.rcode = rcode;
      else entries.push({ name, type, rcode });
    }
  }
  return entries;
}

async function makeCertificate(dir: string): Promise<{ certPem: string; spkiHash: string }> {
  // prettier-ignore
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ]);
  const certPem = await readFile(path.join(dir, 'cert.pem'), 'utf8');
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return { certPem, spkiHash: createHash('sha256').update(spki).digest('base64') };
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts unbound as a DoH server on a free loopback port and waits until it answers a query. */
export async function startUnboundDoh(options: UnboundDohOptions): Promise<UnboundDoh> {
  const binary = options.unboundPath ?? UNBOUND;
  if (!existsSync(binary)) {
    throw new Error(`${binary} not found: run bash scripts/setup-test-env.sh`);
  }
  const servfailZones = options.servfailZones ?? [];
  const ttl = options.defaultTtl ?? 300;
  const zone = zoneFile(options.records, servfailZones, ttl);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'carrierflag-unbound-'));
  try {
    const { certPem, spkiHash } = await makeCertificate(dir);
    await writeFile(path.join(dir, 'root.zone'), zone);
    const logPath = path.join(dir, 'unbound.log');
    // The port is free when picked but could be taken before unbound binds it: retry then.
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort());
      const confPath = path.join(dir, 'unbound.conf');
      await writeFile(confPath, unboundConf(dir, port, servfailZones));
      await writeFile(logPath, '');
      const child = spawn(binary, ['-d', '-c', confPath], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const url = `https://127.0.0.1:${port}/dns-query`;
      const ready = await waitUntilAnswering(child, url, certPem);
      if (!ready) {
        child.kill('SIGKILL');
        await waitForExit(child, 1000);
        const log = await readFile(logPath, 'utf8').catch(() => '');
        const portTaken = /bind|address already in use/i.test(stderr + log);
        if (attempt < 3 && portTaken && options.port === undefined) continue;
        throw new Error(`unbound did not start:\n${stderr}\n${log}`);
      }
      const paths = { dir, logPath, confPath };
      // Start the query log after the readiness probe, so queries() shows only the test's own.
      const logStart = (await stat(logPath)).size;
      const handle = { child, paths, url, port, certPem, spkiHash, servfailZones, ttl, logStart };
      return serverHandle(handle);
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function waitUntilAnswering(child: ChildProcess, url: string, ca: string): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const reply = await dohQuery(url, '.', 'SOA', { ca, timeoutMs: 1000 });
      if (reply.httpStatus === 200 && reply.rcode === 'NOERROR') return true;
    } catch {
      // Not listening yet: poll again.
    }
    await delay(25);
  }
  return false;
}

function serverHandle(state: {
  child: ChildProcess;
  paths: { dir: string; logPath: string; confPath: string };
  url: string;
  port: number;
  certPem: string;
  spkiHash: string;
  servfailZones: readonly string[];
  ttl: number;
  logStart: number;
}): UnboundDoh {
  const { child, url, port, certPem, spkiHash, servfailZones, ttl } = state;
  const { dir, logPath, confPath } = state.paths;
  // Byte offset into the log: clearQueries() moves it instead of truncating a file unbound holds.
  let logOffset = state.logStart;
  let stopped = false;

  async function readLog(): Promise<string> {
    const text = await readFile(logPath);
    return text.subarray(logOffset).toString('utf8');
  }

  return {
    url,
    port,
    spkiHash,
    certPem,
    async queries() {
      return parseQueryLog(await readLog());
    },
    async clearQueries() {
      logOffset = (await stat(logPath)).size;
    },
    async setRecords(records) {
      await writeFile(path.join(dir, 'root.zone'), zoneFile(records, servfailZones, ttl));
      const { stdout } = await run(UNBOUND_CONTROL, ['-c', confPath, 'auth_zone_reload', '.']);
      if (!/ok/.test(stdout)) throw new Error(`unbound-control auth_zone_reload: ${stdout}`);
    },
    ask(name, type) {
      return dohQuery(url, name, type, { ca: certPem });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 3000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 1000);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
