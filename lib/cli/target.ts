/**
 * What a command-line TARGET stands for: an address to look up directly, or a name to resolve.
 *
 * Strict on purpose: a target is checked as written, never repaired. The URL parser a browser uses
 * reads `1.2.3` as 1.2.0.3, `0x7f.1` as 127.0.0.1 and `017.0.0.1` as 15.0.0.1, and passes names
 * such as `-foo.com`; a checker that silently looked up something other than what was typed could
 * report a site clean on the strength of an address nobody meant. So those are refused with a reason.
 */
import { checkQueryableName } from '../dns/names';
import { formatIp, parseIp } from '../ip/parse';

export type Target =
  | { kind: 'address'; text: string; hostname: string; ip: string }
  | { kind: 'name'; text: string; hostname: string }
  | {
      kind: 'invalid';
      text: string;
      reason: string;
      /** A well-formed name that is never sent to a resolver (localhost, *.lan, one label). */
      privateName?: true;
    };

/** RFC 1035 §2.3.4: a name has at most 253 characters in text form (255 octets on the wire). */
export const MAX_HOSTNAME_LENGTH = 253;
/** RFC 1035 §2.3.4: a label has at most 63 characters. */
export const MAX_LABEL_LENGTH = 63;

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** WHATWG URL "ends in a number": a last label of digits, or 0x and hex digits, makes it IPv4. */
const NUMERIC_LABEL = /^(?:0x[0-9a-f]*|[0-9]+)$/i;

/**
 * Reads an IP address, a host name or a URL. Names are checked for host-name syntax
 * (`checkHostnameSyntax`) and then with the DNS module's policy, so a private name (localhost,
 * printer.lan) is refused before anything leaves the machine.
 */
export function parseTarget(text: string): Target {
  const trimmed = text.trim();
  const invalid = (reason: string): Target => ({ kind: 'invalid', text, reason });
  if (!trimmed) return invalid('empty target');
  const direct = parseIp(trimmed);
  if (direct.ok) {
    const ip = formatIp(direct.address);
    return { kind: 'address', text, hostname: ip, ip };
  }
  if (/^\[[^\]]*\]$/.test(trimmed)) {
    const inner = parseIp(trimmed.slice(1, -1));
    if (!inner.ok) return invalid(`'${trimmed}': ${inner.reason}`);
    const ip = formatIp(inner.address);
    return { kind: 'address', text, hostname: ip, ip };
  }

  // The host as typed, before the URL parser rewrites it (numbers, percent escapes, full-width digits).
  const typedHost = hostAsTyped(trimmed).replace(/\.$/, '');
  const typedLabels = typedHost.split('.');
  if (NUMERIC_LABEL.test(typedLabels[typedLabels.length - 1] ?? '') && !parseIp(typedHost).ok) {
    return invalid(notDottedQuad(typedHost));
  }

  let hostname: string;
  try {
    // URL parsing gives the host of a URL, punycode for IDNs, and the same host a browser would use.
    const url = new URL(SCHEME.test(trimmed) ? trimmed : `http://${trimmed}`);
    hostname = url.hostname;
  } catch {
    return invalid(`'${trimmed}' is not an IP address, host name or URL`);
  }
  if (!hostname) return invalid(`'${trimmed}' has no host name`);
  const bracketed = /^\[(.*)\]$/.exec(hostname);
  const literal = parseIp(bracketed ? (bracketed[1] as string) : hostname);
  if (literal.ok) {
    const ip = formatIp(literal.address);
    // Reached only when the URL parser made an IPv4 address out of something else (`%31.2.3.4`).
    if (literal.address.family === 4 && ip !== typedHost) {
      return invalid(notDottedQuad(typedHost));
    }
    return { kind: 'address', text, hostname: ip, ip };
  }
  const syntax = checkHostnameSyntax(hostname);
  if (!syntax.ok) return invalid(syntax.reason);
  const checked = checkQueryableName(hostname);
  if (!checked.ok) return { kind: 'invalid', text, reason: checked.reason, privateName: true };
  return { kind: 'name', text, hostname: checked.name };
}

/**
 * Host-name syntax (RFC 952 / RFC 1123 §2.1, with one allowance) for an ASCII name as
 * `new URL().hostname` gives it, one trailing dot allowed:
 * - at most 253 characters, labels of 1 to 63 characters;
 * - labels of letters, digits and hyphens, not starting or ending with a hyphen;
 * - underscores are allowed in every label but the last: browsers open such hosts
 *   (`my_shop.example.com`) and DNS serves them, and the extension judges them, so the command
 *   line must be able to check them too. A top-level label is letters, digits and hyphens only.
 */
export function checkHostnameSyntax(
  hostname: string,
): { ok: true } | { ok: false; reason: string } {
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  const refuse = (why: string) => ({
    ok: false as const,
    reason: `'${shorten(hostname)}' is not a valid host name: ${why}`,
  });
  if (name.length === 0) return refuse('it is empty');
  if (name.length > MAX_HOSTNAME_LENGTH) {
    return refuse(`it is ${name.length} characters long (at most ${MAX_HOSTNAME_LENGTH})`);
  }
  const labels = name.split('.');
  for (const [index, label] of labels.entries()) {
    const top = index === labels.length - 1;
    if (label.length === 0)
      return refuse('it has an empty label (two dots in a row, or a leading dot)');
    if (label.length > MAX_LABEL_LENGTH) {
      return refuse(
        `the label '${shorten(label)}' is ${label.length} characters long (at most ${MAX_LABEL_LENGTH})`,
      );
    }
    if (label.startsWith('-') || label.endsWith('-')) {
      return refuse(`the label '${label}' starts or ends with a hyphen`);
    }
    if (top && label.includes('_')) {
      return refuse(`the top-level label '${label}' has an underscore`);
    }
    const bad = /[^a-z0-9_-]/i.exec(label);
    if (bad) return refuse(`the label '${label}' has the character '${bad[0]}'`);
  }
  return { ok: true };
}

/** Why `host` (which the URL parser would read as IPv4) is refused, and how to write it instead. */
function notDottedQuad(host: string): string {
  const parts = host.split('.');
  const why = parts.some((p) => /^0x/i.test(p))
    ? 'it has a hexadecimal part'
    : parts.some((p) => /^0[0-9]/.test(p))
      ? 'a part has a leading zero, which some software reads as octal'
      : parts.some((p) => !/^[0-9]+$/.test(p))
        ? 'it has characters other than digits and dots'
        : parts.length === 1
          ? 'it is a single number'
          : parts.some((p) => Number(p) > 255)
            ? 'a part is over 255'
            : `it has ${parts.length} parts, not 4`;
  return `'${shorten(host)}' is not a dotted-quad IPv4 address (${why}): write four decimal numbers 0-255, e.g. 192.0.2.1`;
}

/** The host part of a target as typed: without scheme, user info, port, path, query or fragment. */
function hostAsTyped(text: string): string {
  let rest = text.replace(SCHEME, '');
  rest = rest.split(/[/?#\\]/, 1)[0] ?? '';
  rest = rest.slice(rest.lastIndexOf('@') + 1);
  return rest.startsWith('[') ? rest : rest.replace(/:[^:]*$/, '');
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
