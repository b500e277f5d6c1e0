/**
 * Reads a HAR file (HTTP Archive 1.2, what every browser's developer tools export) into the hosts a
 * page talked to: each host once, in order of its first request, with the addresses the browser
 * connected to (`serverIPAddress`). Pure: the caller reads the file and enforces MAX_HAR_BYTES.
 */
import { formatIp, parseIp } from '../ip/parse';

/** HAR files larger than this are refused before they are read: 50 MiB. */
export const MAX_HAR_BYTES = 50 * 1024 * 1024;

export interface HarHost {
  hostname: string;
  requests: number;
  /** Distinct addresses the browser connected to for this host, canonical, in order seen. */
  serverAddresses: string[];
}

export interface HarPage {
  /** The page's document URL: the first entry of type document, else the first entry. */
  pageUrl: string;
  /** The page's own host (first in `hosts`). */
  siteHostname: string;
  hosts: HarHost[];
  /** Entries without a usable request URL (data:, blob:, chrome-extension:, broken), skipped. */
  skippedEntries: number;
}

export type HarResult = { ok: true; page: HarPage } | { ok: false; reason: string };

/** Parses HAR text. Never throws; the reason says in plain words what is wrong with the file. */
export function parseHar(text: string): HarResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      reason: `not a HAR file: it is not valid JSON (${(error as Error).message})`,
    };
  }
  if (!isObject(json) || !isObject(json.log)) {
    return { ok: false, reason: 'not a HAR file: there is no "log" object at the top' };
  }
  const entries = json.log.entries;
  if (!Array.isArray(entries)) {
    return { ok: false, reason: 'not a HAR file: "log.entries" is missing or not a list' };
  }
  const hosts = new Map<string, HarHost>();
  let pageUrl: string | undefined;
  let firstUrl: string | undefined;
  let skippedEntries = 0;
  for (const entry of entries) {
    const url = isObject(entry) && isObject(entry.request) ? entry.request.url : undefined;
    const hostname = typeof url === 'string' ? hostnameOf(url) : undefined;
    if (!hostname || typeof url !== 'string') {
      skippedEntries++;
      continue;
    }
    firstUrl ??= url;
    if (!pageUrl && isObject(entry) && entry._resourceType === 'document') pageUrl = url;
    const address = isObject(entry) ? serverAddress(entry.serverIPAddress) : undefined;
    const host = hosts.get(hostname);
    if (!host) {
      // A list made with its first address, not an empty one pushed to: V8 gives a pushed-to
      // array room for 17, which is most of a host's memory in a HAR of 250,000 hosts.
      hosts.set(hostname, { hostname, requests: 1, serverAddresses: address ? [address] : [] });
      continue;
    }
    host.requests++;
    if (address && !host.serverAddresses.includes(address)) host.serverAddresses.push(address);
  }
  if (!firstUrl) {
    return {
      ok: false,
      reason:
        entries.length === 0
          ? 'the HAR file has no requests in it (log.entries is empty)'
          : `none of the ${entries.length} entries has a web request URL (request.url)`,
    };
  }
  const page = pageUrl ?? firstUrl;
  const siteHostname = hostnameOf(page) as string;
  // The page's own host first, then the others in order of first request.
  const ordered = [...hosts.values()].sort(
    (a, b) => Number(b.hostname === siteHostname) - Number(a.hostname === siteHostname),
  );
  return { ok: true, page: { pageUrl: page, siteHostname, hosts: ordered, skippedEntries } };
}

/** Chromium writes IPv6 in brackets ("[2001:db8::1]"), Firefox without; "" means none. */
function serverAddress(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  const bare = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
  const parsed = parseIp(bare);
  return parsed.ok ? formatIp(parsed.address) : undefined;
}

function hostnameOf(url: string): string | undefined {
  if (!/^(?:https?|wss?):\/\//i.test(url)) return undefined;
  try {
    return new URL(url).hostname.replace(/\.$/, '').toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
