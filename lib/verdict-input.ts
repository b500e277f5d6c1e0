/**
 * The one way a verdict's input is built from what is known of a name (issue 22): what
 * DNS-over-HTTPS said of it, or why it was not asked, and what the browser witnessed of the
 * connection. The site's report and its other hosts (lib/tabs), the HAR reader and the CLI's
 * targets (lib/cli/run.ts) all build their input here, so the same evidence gives the same verdict
 * wherever it is seen (tests/unit/verdict-input.test.ts).
 */
import type { ProxyFact } from './proxy/types';
import { NOT_CONNECTED_PROBLEM, type VerdictInput } from './verdict';

/** What DNS-over-HTTPS said of the name, or why it was not (yet) asked. */
export type DnsEvidence =
  | { kind: 'answered'; addresses: readonly string[] }
  | { kind: 'failed'; error: { kind: string; message: string } }
  /** Asked; the answer is awaited. */
  | { kind: 'awaited' }
  /** Not needed: the name is allowlisted or an address, or the connection already says enough. */
  | { kind: 'not-needed' }
  /**
   * Not asked, so only the browser's connection can tell (privacy mode, a private name, no room to
   * look it up): with none seen, `why` and `message` are the verdict's problem.
   */
  | { kind: 'browser-only'; why: string; message: string };

/** What the browser witnessed of its connections for the name. */
export interface ConnectionWitness {
  /** The address it connected to. */
  browserAddress?: string;
  /** More addresses it connected to (a HAR file's serverIPAddress per request). */
  browserAddresses?: readonly string[];
  /** The proxy the connection went through: `browserAddress` is then the proxy's. */
  proxy?: ProxyFact;
  /** The page came from the browser's cache and no connection to it is known. */
  noConnection?: boolean;
}

export interface NameFacts {
  hostname: string;
  allowlisted?: boolean;
  /** The name is this IP literal. */
  literal?: string;
}

/** Whether the browser witnessed any connection. */
export function witnessed(witness: ConnectionWitness): boolean {
  return (
    witness.browserAddress !== undefined ||
    (witness.browserAddresses?.length ?? 0) > 0 ||
    witness.proxy !== undefined
  );
}

export function verdictInput(
  name: NameFacts,
  dns: DnsEvidence,
  witness: ConnectionWitness,
): VerdictInput {
  const seen = witnessed(witness);
  const input: VerdictInput = { hostname: name.hostname };
  if (name.allowlisted) input.allowlisted = true;
  if (name.literal !== undefined) input.literal = name.literal;
  if (witness.browserAddress !== undefined) input.browserAddress = witness.browserAddress;
  if (witness.browserAddresses?.length) input.browserAddresses = witness.browserAddresses;
  if (witness.proxy) input.proxy = witness.proxy;
  if (dns.kind === 'answered') input.dohAddresses = dns.addresses;
  if (dns.kind === 'failed') input.dnsError = dns.error;
  else if (dns.kind === 'browser-only' && !seen) {
    input.dnsError = witness.noConnection
      ? { kind: 'from-cache', message: NOT_CONNECTED_PROBLEM }
      : { kind: dns.why, message: dns.message };
  }
  if (witness.noConnection && !seen) input.notConnected = true;
  return input;
}
