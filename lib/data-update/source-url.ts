/**
 * The "Routing data URL" setting: a folder that holds `asn-ipv4-num.csv` and `asn-ipv6-num.csv` in
 * the ip-location-db format. https only, so nobody on the path can swap the data; plain http is
 * accepted on loopback only (127.0.0.0/8, ::1, localhost), which never leaves the machine (tests).
 */

/**
 * The default: the ip-location-db project's own published files, through jsDelivr's mirror of the
 * npm package the build pins (@ip-location-db/asn). The project publishes that package itself, it
 * is the exact format `npm run data` reads, and jsDelivr serves the newest version over https
 * with ETag / Last-Modified, so an unchanged upstream costs one small request per file.
 */
export const DEFAULT_ROUTING_DATA_URL = 'https://cdn.jsdelivr.net/npm/@ip-location-db/asn/';

/** The two files fetched from the folder, in the order they are read. */
export const ROUTING_DATA_FILES = ['asn-ipv4-num.csv', 'asn-ipv6-num.csv'] as const;

/** A URL longer than this is refused: it is a folder address, not a place for data. */
export const MAX_ROUTING_DATA_URL_LENGTH = 2000;

export type RoutingDataUrlResult = { ok: true; url: string } | { ok: false; reason: string };

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Checks a routing data URL as typed and gives it in the form used to build file URLs (ending
 * in '/'). No query string or fragment: the request carries nothing beyond the file's path.
 */
export function validateRoutingDataUrl(text: string): RoutingDataUrlResult {
  const trimmed = text.trim();
  if (!trimmed)
    return { ok: false, reason: 'enter the address of a folder, starting with https://' };
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
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) {
      return {
        ok: false,
        reason:
          'the address must start with https:// (plain http:// is allowed only for this computer, such as 127.0.0.1)',
      };
    }
  } else if (url.protocol !== 'https:') {
    return { ok: false, reason: 'the address must start with https://' };
  }
  if (url.username || url.password) {
    return { ok: false, reason: 'the address must not contain a user name or password' };
  }
  if (url.search || url.hash) {
    return { ok: false, reason: 'the address must not contain a query (?…) or a fragment (#…)' };
  }
  let href = url.href;
  // A folder given with a file name in it (…/asn-ipv4-num.csv) means the folder.
  for (const file of ROUTING_DATA_FILES) {
    if (href.endsWith(`/${file}`)) href = href.slice(0, -file.length);
  }
  if (!href.endsWith('/')) href += '/';
  return { ok: true, url: href };
}

/** The URL of one of the two files in the folder (the folder as `validateRoutingDataUrl` gives it). */
export function routingFileUrl(folder: string, file: string): string {
  return new URL(file, folder.endsWith('/') ? folder : `${folder}/`).href;
}
