/**
 * Which host names may leave the machine as DNS queries, and which resolver URLs we accept.
 *
 * Private-use names (RFC 6761, RFC 6762 Appendix G, RFC 8375, RFC 7686) are refused before any
 * fetch: asking a public resolver about `printer.lan` or `intranet.corp` leaks the user's network
 * layout and can never return a public address anyway. `.test` and `.example` stay queryable on
 * purpose: the end-to-end tests point `*.test` at a loopback resolver.
 */
import { splitQueryName } from './message';

export type CheckNameResult = { ok: true; name: string } | { ok: false; reason: string };
export type ResolverUrlResult = { ok: true; url: string } | { ok: false; reason: string };

/** Suffixes never sent to a resolver; each also blocks the bare name itself. */
export const BLOCKED_SUFFIXES: readonly string[] = [
  'localhost', // RFC 6761 §6.3
  'invalid', // RFC 6761 §6.4
  'local', // RFC 6762 (mDNS)
  'home.arpa', // RFC 8375
  'onion', // RFC 7686
  'internal', // ICANN reserved for private use (2024)
  // RFC 6762 Appendix G: names seen in private networks
  'intranet',
  'private',
  'corp',
  'home',
  'lan',
];

/** The URL parser reads a last label that is all digits or 0x-hex as an IPv4 number. */
const NUMERIC_LABEL = /^(?:0x[0-9a-f]*|[0-9]+)$/;

/**
 * Normalises a host name for a DNS query (lowercase, one trailing dot removed) and refuses names
 * that must not or cannot be queried: IP literals, single labels, private-use suffixes, bad syntax.
 * Expects ASCII (punycode) as `new URL().hostname` gives; refuses other characters rather than guess.
 */
export function checkQueryableName(hostname: string): CheckNameResult {
  let name = hostname.replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name.length === 0) return { ok: false, reason: 'the host name is empty' };
  if (name.includes(':') || name.startsWith('[')) {
    return { ok: false, reason: `"${hostname}" is an IPv6 address, not a name` };
  }
  // eslint-disable-next-line no-control-regex -- the point is to find non-ASCII characters
  if (/[^\x00-\x7f]/.test(name)) {
    return {
      ok: false,
      reason: `"${hostname}" is not ASCII; convert it to punycode first (new URL().hostname does)`,
    };
  }
  const labels = name.split('.');
  const last = labels[labels.length - 1] ?? '';
  if (NUMERIC_LABEL.test(last)) {
    return { ok: false, reason: `"${hostname}" is an IPv4 address, not a name` };
  }
  const syntax = splitQueryName(name);
  if (!syntax.ok)
    return { ok: false, reason: `"${hostname}" is not a valid name: ${syntax.reason}` };
  if (labels.length === 1) {
    return {
      ok: false,
      reason: `"${name}" is a single-label name, only meaningful on a local network`,
    };
  }
  for (const suffix of BLOCKED_SUFFIXES) {
    if (name === suffix || name.endsWith(`.${suffix}`)) {
      return {
        ok: false,
        reason: `"${name}" is under .${suffix}, a private-use name not sent to DNS`,
      };
    }
  }
  return { ok: true, name };
}

function isLoopbackHost(hostname: string): boolean {
  // URL.hostname is already normalised: '127.1' becomes '127.0.0.1', IPv6 keeps its brackets.
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/**
 * Validates a DoH resolver URL typed by the user: https only (plain http just for loopback test
 * servers), no credentials, no fragment, no `dns` parameter of its own; path and query are kept
 * (NextDNS puts the profile in the path). Returns the normalised URL.
 */
export function validateResolverUrl(text: string): ResolverUrlResult {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { ok: false, reason: `"${text}" is not a URL` };
  }
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) {
      return {
        ok: false,
        reason: 'the resolver URL must use https (http only for loopback test servers)',
      };
    }
  } else if (url.protocol !== 'https:') {
    return {
      ok: false,
      reason: `the resolver URL must use https, not ${url.protocol.slice(0, -1)}`,
    };
  }
  if (url.hostname === '') return { ok: false, reason: 'the resolver URL has no host' };
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'the resolver URL must not contain a user name or password' };
  }
  if (text.includes('#'))
    return { ok: false, reason: 'the resolver URL must not have a #fragment' };
  if (url.searchParams.has('dns')) {
    return { ok: false, reason: 'the resolver URL already has a "dns" parameter; we add our own' };
  }
  return { ok: true, url: url.href };
}
