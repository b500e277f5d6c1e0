/** Command-line arguments of `carrierflag`, parsed without a library so errors read our way. */
import { targetOfLine } from './lines';

export interface CliOptions {
  /** 'check' judges targets; 'update' fetches fresh routing data; 'version' prints the data's version. */
  command: 'check' | 'update' | 'version';
  /** `update --from URL…`: the routing data sources in order (default: the extension's defaults). */
  from?: string[];
  json: boolean;
  help: boolean;
  resolver?: string;
  table?: string;
  /** A HAR file whose every host is judged, instead of TARGETs. */
  har?: string;
  /** Targets in the order given; '-' stands for "read more from stdin here". */
  targets: string[];
}

export type ParseArgsResult = { ok: true; options: CliOptions } | { ok: false; reason: string };

export const USAGE = `usage: carrierflag [--json] [--resolver URL] [--table FILE] TARGET...
       carrierflag [--json] [--resolver URL] [--table FILE] --har FILE
       carrierflag update [--from URL]
       carrierflag --version

Tells whether each TARGET is hosted on a network operated by China Telecom, China Mobile or
China Unicom (including their overseas subsidiaries), using the bundled routing table and the
default CarrierFlag watchlist.

TARGET    an IP address, a host name, or a URL (its host is used; an IP-literal host such as
          http://[2001:db8::1]/ is looked up directly). '-' reads targets from standard input,
          one per line; blank lines and lines starting with # are skipped.
          IPv4 is four decimal numbers 0-255 (192.0.2.1): short, hex, octal and single-number
          forms (1.2.3, 0x7f.1, 017.0.0.1, 4294967295) are refused, never guessed. A host name
          has labels of letters, digits and hyphens (no hyphen first or last, at most 63
          characters each, 253 in all); an underscore is accepted in any label but the last.

options:
  --json            one JSON object per line per target, as each is done:
                    {"target","status","flagged","confidence","aliases":[...],
                     "addresses":[{"ip","scope","asn","org","carrier",
                                   "matches":[{"group","code","entry","confidence","note"}]}],
                     "error"?:{"kind","message"}}
                    error.kind: a fixed word to sort by (invalid-target, blocked-name,
                    no-such-name, lookup-failed, resolver-unreachable, resolver-broken, ...).
                    scope: public, or the kind of local address (private, loopback,
                    link-local, shared = carrier-grade NAT, unique-local, documentation, ...);
                    aliases: the CNAME chain from the host name; confidence: high, medium or
                    low, the strongest among the matched watchlist entries.
                    Lines come in input order. Without --json: a table (printed once every
                    target is done; past 10,000 rows, as it goes) with a verdict line per
                    target and a totals line at the end (flagged / clean / unchecked /
                    invalid); a match on low-confidence entries only says so. On a terminal,
                    a long list shows its progress on standard error. Text from files,
                    servers and DNS is shown with control characters escaped (\\x1b, \\u202e).
  --resolver URL    DNS-over-HTTPS resolver (RFC 8484 wire format); default Cloudflare,
                    https://cloudflare-dns.com/dns-query. Host names are sent to it; IP
                    addresses and private names (localhost, *.lan, intranet, ...) never are.
  --table FILE      prefix table to use instead of the newest one (the bundled
                    public/prefix-table.bin, or a newer one saved by carrierflag update)
  --har FILE        judge every host a page talked to, from a HAR file saved by a browser's
                    developer tools (at most 50 MB): one row per host, then the page summary.
                    Each request's serverIPAddress counts as the address the browser connected
                    to; every public host name is also sent to the resolver. With --json, one
                    line per host and a last line
                    {"page","site","hosts","flagged","unchecked","proxies"}.
  --version         print the version and the routing data's source, version and date
  -h, --help        show this help

carrierflag update [--from URL]...
          fetches fresh routing data from the sources in order, exactly as the extension does
          (default: ip-location-db's release files at
          https://github.com/sapics/ip-location-db/releases/download/latest/, then iptoasn.com's
          ip2asn-combined.tsv.gz as fallback and cross-check). Repeat --from for a list. A URL is
          a folder (origin-asn-ipv4-num.csv and -ipv6-num.csv in it), a file ending in
          ipv4-num.csv (that file and its ipv6 sibling), or an iptoasn .tsv.gz; https only, plain
          http only on loopback, and every redirect hop (at most 5) must be https too. Checks the
          data like the extension, then saves the table in $XDG_CACHE_HOME/carrierflag (or
          ~/.cache/carrierflag); later runs use it while it is newer than the bundled table.
          Exit status 0 when updated or unchanged, 2 when the data was refused.

exit status (the first that applies wins):
  1  at least one target is on a watched network (flagged)
  2  no target flagged, but at least one could not be checked (DNS error, private name,
     invalid input, no public address), standard input held no targets, or the command
     line or table was unusable
  0  every target was checked and none is flagged (local/private addresses count as checked)
`;

/** Parses argv (without the node and script paths). Never throws. */
export function parseArgs(argv: readonly string[]): ParseArgsResult {
  if (argv[0] === 'update') return parseUpdateArgs(argv.slice(1));
  if (argv.length === 1 && argv[0] === '--version') {
    return { ok: true, options: { command: 'version', json: false, help: false, targets: [] } };
  }
  const options: CliOptions = { command: 'check', json: false, help: false, targets: [] };
  let onlyTargets = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (onlyTargets || arg === '-' || !arg.startsWith('-')) {
      options.targets.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyTargets = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    const inline = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : undefined;
    switch (name) {
      case '--json':
      case '-h':
      case '--help':
        if (inline !== undefined) return { ok: false, reason: `${name} takes no value` };
        if (name === '--json') options.json = true;
        else options.help = true;
        break;
      case '--resolver':
      case '--har':
      case '--table': {
        const value = inline ?? argv[++i];
        if (value === undefined || value === '') {
          return { ok: false, reason: `${name} needs a value` };
        }
        if (name === '--resolver') options.resolver = value;
        else if (name === '--har') options.har = value;
        else options.table = value;
        break;
      }
      default:
        return {
          ok: false,
          // `-foo.com` is meant as a host: say why it cannot be one rather than only "unknown".
          reason: arg.includes('.')
            ? `unknown option '${arg}' (and not a TARGET either: no host name starts with '-')`
            : `unknown option '${arg}'`,
        };
    }
  }
  if (options.targets.filter((t) => t === '-').length > 1) {
    return { ok: false, reason: "'-' (read standard input) may be given only once" };
  }
  if (options.har !== undefined && options.targets.length > 0) {
    return { ok: false, reason: '--har judges the hosts in the file: give no TARGET with it' };
  }
  if (!options.help && options.har === undefined && options.targets.length === 0) {
    return { ok: false, reason: 'no TARGET given' };
  }
  return { ok: true, options };
}

function parseUpdateArgs(argv: readonly string[]): ParseArgsResult {
  const options: CliOptions = { command: 'update', json: false, help: false, targets: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h' || arg === '--help') options.help = true;
    else if (arg === '--from' || arg.startsWith('--from=')) {
      const value = arg === '--from' ? argv[++i] : arg.slice('--from='.length);
      if (value === undefined || value === '') return { ok: false, reason: '--from needs a value' };
      options.from = [...(options.from ?? []), value];
    } else return { ok: false, reason: `update: unknown argument '${arg}'` };
  }
  return { ok: true, options };
}

/**
 * Targets in a text: one per line, blank lines and # comments skipped. The command itself reads
 * standard input a line at a time (lines.ts); this is the same rule for a text already in memory.
 */
export function parseTargetLines(text: string): string[] {
  const targets: string[] = [];
  for (const line of text.split('\n')) {
    const target = targetOfLine(line);
    if (target !== undefined) targets.push(target);
  }
  return targets;
}
