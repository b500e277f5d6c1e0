/**
 * Every key (or key prefix) CarrierFlag uses in `storage.session`, in one place: the modules that
 * keep records there import their key from here, the popup listens for changes by them, and
 * tests/unit/conventions.test.ts checks that the worker's lifecycle comment
 * (entrypoints/background/index.ts) names each one and that no other module spells one out.
 * A new record in storage.session gets its key here first.
 */

/** A tab's site report: `tab:<tabId>` (lib/tabs/site-report). */
export const TAB_KEY_PREFIX = 'tab:';
/** A tab's page hosts: `hosts:<tabId>` (lib/tabs/page-hosts.ts). */
export const HOSTS_KEY_PREFIX = 'hosts:';
/** The DoH answers cache: `dns:v<version>:<resolver>|<name>` (lib/dns/cache.ts). */
export const DNS_CACHE_KEY_PREFIX = 'dns:';
/** The last connection to each site, one record (lib/tabs/connection-memory.ts). */
export const CONNECTION_MEMORY_KEY = 'connections:last';
/** The proxy detector's repeated-address pattern, one record (lib/proxy/detector.ts). */
export const PROXY_PATTERN_KEY = 'proxy:pattern';
/** What acting on a flag remembers: flagged sites, blocked hosts, passes (lib/flag-action/state.ts). */
export const FLAG_ACTION_KEY = 'flag-action';

/** All of the above: a key of storage.session is one of these or starts with one ending in ':'. */
export const SESSION_KEYS: readonly string[] = [
  TAB_KEY_PREFIX,
  HOSTS_KEY_PREFIX,
  DNS_CACHE_KEY_PREFIX,
  CONNECTION_MEMORY_KEY,
  PROXY_PATTERN_KEY,
  FLAG_ACTION_KEY,
];
