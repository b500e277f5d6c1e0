/**
 * The "Routing data sources" setting: an ordered list of places to fetch routing data from, each
 * one address. https only, so nobody on the path can swap the data; plain http is accepted on
 * loopback only (127.0.0.0/8, ::1, localhost), which never leaves the machine (tests). The same
 * rule holds for every redirect hop of a download (lib/data-update/redirects.ts).
 *
 * What an address stands for is read from its shape:
 * - a folder (ending in `/`): ip-location-db's current release files in it,
 *   `origin-asn-ipv4-num.csv` and `origin-asn-ipv6-num.csv`;
 * - a file whose name ends in `ipv4-num.csv`: that file and its `ipv6-num.csv` sibling, in the same
 *   ip-location-db format (the older npm package's `asn-ipv4-num.csv`, a mirror, a custom folder);
 * - a file ending in `.tsv.gz` or `.tsv`: iptoasn.com's `ip2asn-combined` file, both families.
 */

/**
 * The defaults, in order. First the ip-location-db project's own current release (the upstream of
 * the bundled data; its npm package stopped in June 2026 and now says so), then iptoasn.com's
 * hourly combined file: built independently from BGP by another project on another host, so it
 * takes over when the first fails or lags, and cross-checks the carriers' ranges when both answer.
 */
export const DEFAULT_ROUTING_SOURCES: readonly string[] = [
  'https://github.com/sapics/ip-location-db/releases/download/latest/',
  'https://iptoasn.com/data/ip2asn-combined.tsv.gz',
];

/** The file names a folder source stands for (ip-location-db's release names since 2026-06-18). */
export const FOLDER_FILES = ['origin-asn-ipv4-num.csv', 'origin-asn-ipv6-num.csv'] as const;

/** A URL longer than this is refused: it is the address of a folder or file, not a place for data. */
export const MAX_ROUTING_DATA_URL_LENGTH = 2000;

/** At most this many sources: the first answers, one more cross-checks, the rest are fallbacks. */
export const MAX_ROUTING_SOURCES = 5;

export type RoutingSourceFormat = 'ip-location-db' | 'iptoasn';

/** One file of a source, and which address family its rows hold. */
export interface RoutingSourceFile {
  /** The file's name, as problems and the status show it. */
  name: string;
  url: string;
  family: 4 | 6 | 'both';
}

/** A source as the update reads it. */
export interface RoutingSource {
  /** The address as stored in the setting (canonical form). */
  url: string;
  format: RoutingSourceFormat;
  files: RoutingSourceFile[];
}

export type RoutingDataUrlResult = { ok: true; url: string } | { ok: false; reason: string };
export type RoutingSourceResult =
  { ok: true; source: RoutingSource } | { ok: false; reason: string };

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Why an address may not be fetched from, or undefined when it may: https, or http on this
 * computer only; no user name or password. A redirect hop is held to exactly this rule; the
 * setting adds "no query or fragment" on top.
 */
export function dataAddressProblem(url: URL): string | undefined {
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) {
      return 'the address must start with https:// (plain http:// is allowed only for this computer, such as 127.0.0.1)';
    }
  } else if (url.protocol !== 'https:') {
    return 'the address must start with https://';
  }
  if (url.username || url.password) return 'the address must not contain a user name or password';
  return undefined;
}

/**
 * Checks one source address as typed and gives its canonical form: a folder ends in '/', a file
 * keeps its name. No query string or fragment: a request carries nothing beyond the path.
 */
export function validateRoutingDataUrl(text: string): RoutingDataUrlResult {
  const trimmed = text.trim();
  if (!trimmed)
    return { ok: false, reason: 'enter the address of a folder or file, starting with https://' };
  if (trimmed.length > MAX_ROUTING_DATA_URL_LENGTH) {
    return {
      ok: false,
      reason: `the address is longer than ${MAX_ROUTING_DATA_URL_LENGTH} characters`,
    };
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, reason: `"${trimmed}" is not a web address` };
  }
  const problem = dataAddressProblem(url);
  if (problem) return { ok: false, reason: problem };
  if (url.search || url.hash) {
    return { ok: false, reason: 'the address must not contain a query (?…) or a fragment (#…)' };
  }
  const href = url.href;
  const name = href.slice(href.lastIndexOf('/') + 1);
  if (name === '' || isFileName(name)) return { ok: true, url: href };
  // A folder typed without its last slash (…/releases/download/latest) means the folder.
  return { ok: true, url: `${href}/` };
}

function isFileName(name: string): boolean {
  return /ipv[46]-num\.csv$/i.test(name) || /\.tsv(\.gz)?$/i.test(name);
}

/** Reads a source address (`validateRoutingDataUrl`'s rule) into the files it stands for. */
export function parseRoutingSource(text: string): RoutingSourceResult {
  const checked = validateRoutingDataUrl(text);
  if (!checked.ok) return checked;
  const url = checked.url;
  const slash = url.lastIndexOf('/') + 1;
  const folder = url.slice(0, slash);
  const name = url.slice(slash);
  const file = (fileName: string, family: 4 | 6 | 'both'): RoutingSourceFile => ({
    name: fileName,
    url: folder + fileName,
    family,
  });
  if (name === '') {
    return {
      ok: true,
      source: {
        url,
        format: 'ip-location-db',
        files: [file(FOLDER_FILES[0], 4), file(FOLDER_FILES[1], 6)],
      },
    };
  }
  if (/\.tsv(\.gz)?$/i.test(name)) {
    return { ok: true, source: { url, format: 'iptoasn', files: [file(name, 'both')] } };
  }
  // `…ipv4-num.csv` or `…ipv6-num.csv`: the pair, IPv4 first, whichever of the two was given.
  const stem = name.replace(/ipv[46]-num\.csv$/i, '');
  return {
    ok: true,
    source: {
      url: folder + `${stem}ipv4-num.csv`,
      format: 'ip-location-db',
      files: [file(`${stem}ipv4-num.csv`, 4), file(`${stem}ipv6-num.csv`, 6)],
    },
  };
}

/**
 * Checks the whole ordered list as the setting holds it (one address a line in the settings
 * page): 1 to MAX_ROUTING_SOURCES addresses, none twice. Gives each in its canonical form.
 */
export function validateRoutingSources(
  list: readonly string[],
): { ok: true; sources: string[] } | { ok: false; reason: string } {
  const entries = list.map((s) => s.trim()).filter((s) => s !== '');
  if (entries.length === 0) {
    return { ok: false, reason: 'enter at least one address, starting with https://' };
  }
  if (entries.length > MAX_ROUTING_SOURCES) {
    return { ok: false, reason: `at most ${MAX_ROUTING_SOURCES} addresses are accepted` };
  }
  const sources: string[] = [];
  for (const [i, entry] of entries.entries()) {
    const parsed = parseRoutingSource(entry);
    if (!parsed.ok) return { ok: false, reason: `address ${i + 1}: ${parsed.reason}` };
    if (sources.includes(parsed.source.url)) {
      return { ok: false, reason: `address ${i + 1} is listed twice` };
    }
    sources.push(parsed.source.url);
  }
  return { ok: true, sources };
}

/** The host (with port) of an address, for "served by …"; the text itself if it does not parse. */
export function hostOfUrl(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
