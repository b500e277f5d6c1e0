/** What a command-line TARGET stands for: an address to look up directly, or a name to resolve. */
import { checkQueryableName } from '../dns/names';
import { formatIp, parseIp } from '../ip/parse';

export type Target =
  | { kind: 'address'; text: string; hostname: string; ip: string }
  | { kind: 'name'; text: string; hostname: string }
  | { kind: 'invalid'; text: string; reason: string };

/**
 * Reads an IP address, a host name or a URL. Names are checked with the DNS module's policy here,
 * so a private name (localhost, printer.lan) is refused before anything leaves the machine.
 */
export function parseTarget(text: string): Target {
  const trimmed = text.trim();
  if (!trimmed) return { kind: 'invalid', text, reason: 'empty target' };
  const direct = parseIp(trimmed);
  if (direct.ok) {
    const ip = formatIp(direct.address);
    return { kind: 'address', text, hostname: ip, ip };
  }
  if (/^\[[^\]]*\]$/.test(trimmed)) {
    const inner = parseIp(trimmed.slice(1, -1));
    if (!inner.ok) return { kind: 'invalid', text, reason: `'${trimmed}': ${inner.reason}` };
    const ip = formatIp(inner.address);
    return { kind: 'address', text, hostname: ip, ip };
  }
  let hostname: string;
  try {
    // URL parsing gives the host of a URL, punycode for IDNs, and the same host a browser would use.
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`);
    hostname = url.hostname;
  } catch {
    return { kind: 'invalid', text, reason: `'${trimmed}' is not an IP address, host name or URL` };
  }
  if (!hostname) return { kind: 'invalid', text, reason: `'${trimmed}' has no host name` };
  const bracketed = /^\[(.*)\]$/.exec(hostname);
  const literal = parseIp(bracketed ? (bracketed[1] as string) : hostname);
  if (literal.ok) {
    const ip = formatIp(literal.address);
    return { kind: 'address', text, hostname: ip, ip };
  }
  const checked = checkQueryableName(hostname);
  if (!checked.ok) return { kind: 'invalid', text, reason: checked.reason };
  return { kind: 'name', text, hostname: checked.name };
}
