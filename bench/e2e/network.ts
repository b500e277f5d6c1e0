// Where the e2e bench's made-up hosts live. As root the bench runs inside a network namespace
// (tests/e2e/support/netns.ts) whose loopback carries real public addresses: Chromium maps each test
// host to one of them (--host-resolver-rules), connects to it, and reports it to the extension as the
// connected address, exactly as for a real site; unbound answers the same address over DoH, so the
// DoH answer and the connection agree. Without root it falls back to mapping every test host to
// 127.0.0.1, as the e2e tests do: the extension then never sees a usable connected address (a
// loopback address for a public name is not a witness), and the run says so.
//
// Host names carry their address class in their first label, so one short rule list covers all:
// `ct-…` is on China Telecom, `c0-…` … `c3-…` on four clean networks (checked with the CLI:
// Cloudflare, Google, Quad9, Cisco OpenDNS, none watched), any other *.test name on the first clean one
// except *.telecom.test (the badge section's hosts), on Telecom.
import { chromiumArgs } from '../../tests/e2e/support/chromium';
import { createNetns, netnsUnavailable } from '../../tests/e2e/support/netns';

/** AS4134 Chinanet (China Telecom) in the bundled routing data; the badge reads 'CT'. */
export const CARRIER_V4 = '1.48.0.1';
/** Not on a watched network (`node bin/carrierflag.mjs 1.1.1.1` etc.). */
export const CLEAN_V4 = ['1.1.1.1', '8.8.8.8', '9.9.9.9', '208.67.222.222'] as const;

/** Set in the re-executed bench process: the namespace it runs in. */
const NETNS_ENV = 'CARRIERFLAG_BENCH_NETNS';

export interface TestNetwork {
  kind: 'netns' | 'loopback';
  /** One line for the report: where the hosts live and why. */
  description: string;
  /** What the web server listens on. */
  listenOn: string;
}

/** A host name of class `carrier` or clean network `n`, e.g. `ct-h20.r3c.test`. */
export function classedHost(label: string, domain: string, clean: number | 'carrier'): string {
  return `${clean === 'carrier' ? 'ct' : `c${clean % CLEAN_V4.length}`}-${label}.${domain}`;
}

/** The address DoH answers (and, in the namespace, the browser connects to) for a test host. */
export function addressOf(hostname: string): string {
  const match = /^c([0-9])-/.exec(hostname);
  if (hostname.startsWith('ct-') || hostname.endsWith('.telecom.test')) return CARRIER_V4;
  return match ? CLEAN_V4[Number(match[1]) % CLEAN_V4.length]! : CLEAN_V4[0];
}

function hostRules(network: TestNetwork): string {
  const local = ['*.local', '*.internal', '*.home.arpa', 'intranet'].map(
    (p) => `MAP ${p} 127.0.0.1`,
  );
  if (network.kind === 'loopback') return ['MAP *.test 127.0.0.1', ...local].join(', ');
  return [
    `MAP ct-* ${CARRIER_V4}`,
    `MAP *.telecom.test ${CARRIER_V4}`,
    ...CLEAN_V4.map((address, i) => `MAP c${i}-* ${address}`),
    `MAP *.test ${CLEAN_V4[0]}`,
    ...local,
  ].join(', ');
}

/**
 * The e2e tests' Chromium flags (tests/e2e/support/chromium.ts) with this network's host rules; the
 * extension flags only when `extensionPath` is given.
 */
export function browserArgs(
  network: TestNetwork,
  spkiHash: string,
  extensionPath: string | undefined,
): string[] {
  return chromiumArgs(extensionPath ?? '', spkiHash).flatMap((arg) => {
    if (arg.startsWith('--host-resolver-rules=')) {
      return [`--host-resolver-rules=${hostRules(network)}`];
    }
    const loads =
      arg.startsWith('--load-extension=') || arg.startsWith('--disable-extensions-except=');
    return loads && extensionPath === undefined ? [] : [arg];
  });
}

/**
 * The network this process runs the bench on. When it can (root, no `--loopback`) and is not yet
 * inside a namespace, it creates one, re-runs this very process inside it, deletes it and returns
 * the child's exit code instead.
 */
export async function benchNetwork(forceLoopback: boolean): Promise<TestNetwork | number> {
  const inside = process.env[NETNS_ENV];
  if (inside) {
    return {
      kind: 'netns',
      description:
        `network namespace ${inside}: test hosts on ${CLEAN_V4.join(', ')} (clean) and ` +
        `${CARRIER_V4} (China Telecom), carried by its loopback; the browser connects to them`,
      listenOn: '0.0.0.0',
    };
  }
  const why = forceLoopback ? '--loopback given' : netnsUnavailable();
  if (why) {
    return {
      kind: 'loopback',
      description:
        `LOOPBACK (${why}): every test host is 127.0.0.1 to the browser, so the extension never ` +
        'sees a usable connected address; DoH still answers the public addresses',
      listenOn: '127.0.0.1',
    };
  }
  const ns = createNetns([CARRIER_V4, ...CLEAN_V4]);
  const child = ns.spawn(process.execPath, process.argv.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, [NETNS_ENV]: ns.name },
  });
  // A terminal's Ctrl-C reaches the child itself (same process group); a SIGTERM from
  // scripts/bench-e2e.mjs's time limit is passed on, and the namespace goes once the child has.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGTERM', forward);
  process.on('SIGINT', () => undefined);
  const code = await new Promise<number>((resolve) => {
    child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
    child.on('error', (error) => {
      console.error(`e2e bench: could not run inside ${ns.name}: ${error.message}`);
      resolve(1);
    });
  });
  process.off('SIGTERM', forward);
  ns.remove();
  return code;
}
