/**
 * The bounds of a tab's host list (lib/tabs/page-hosts): how many hosts, lookups and bytes a page
 * may cost, and how often its record is written. Every cost named here is bounded at its limit
 * (tests/unit/tabs/page-hosts.test.ts drives each to it).
 */

/**
 * Hosts kept and looked up per tab. Further distinct hosts are not looked up: those whose connected
 * address is on a watched network are still kept (up to MAX_OVER_LIMIT_WATCHED), the rest counted
 * (up to MAX_OVERFLOW_TRACKED).
 */
export const MAX_HOSTS_PER_TAB = 500;
/** Hosts beyond MAX_HOSTS_PER_TAB kept because the browser connected to a watched address. */
export const MAX_OVER_LIMIT_WATCHED = 100;
/**
 * Hosts beyond MAX_HOSTS_PER_TAB whose connection says nothing (none seen: a cached or failed
 * request; or a local address: a proxy, a hosts-file override) that are still looked up, per page,
 * so that a page cannot hide a watched host behind fillers and a local proxy. Those that flag are
 * kept (within MAX_OVER_LIMIT_WATCHED); the rest stay only counted.
 */
export const MAX_LOOKUPS_BEYOND_LIMIT = 200;
/** Closed tab ids remembered, so that their late updates queue no lookup. */
export const MAX_CLOSED_TABS_REMEMBERED = 1024;
/** DoH lookups for third-party hosts in flight at once, over all tabs; the rest wait in a queue. */
export const MAX_LOOKUPS_IN_FLIGHT = 6;
/**
 * Lookups one tab may have waiting. A heavy news page asks for 100–200 third-party names in its
 * first seconds; 256 covers that with room, while a page asking for thousands cannot build a backlog
 * that keeps the scheduler (and the resolver) busy long after it is gone: at 6 at once and ~100 ms
 * a lookup, 256 drain in about 4 s. It is also about as many lookups as the byte budget can hold
 * answers for (ADMIT_BELOW_BYTES / ANSWER_RESERVE_BYTES ≈ 340). A host refused by a full queue is
 * judged by its connected address alone ('queue-full') until the queue has room again.
 */
export const MAX_QUEUED_LOOKUPS_PER_TAB = 256;
/**
 * The most a tab's stored record may take (its JSON length, which is what Chromium counts against
 * the 10 MB storage.session quota). A host is kept only if the record still fits once everything
 * already promised has arrived (see committedBytes): each host counted with all that is stored for
 * it (addresses and alias chain included), ANSWER_RESERVE_BYTES for each answer still awaited,
 * HOST_GROWTH_BYTES for each host's later requests, and room for every overflow hash still to come.
 * Hosts within the limit are kept while that stays below ADMIT_BELOW_BYTES; the OVER_LIMIT_ROOM_BYTES
 * above it are for the over-limit watched hosts. A typical host (name, two addresses) takes ~200
 * bytes, so 500 hosts take ~100 KiB and the byte budget only bites for unusual pages.
 */
export const PAGE_HOSTS_BUDGET_BYTES = 512 * 1024;
/**
 * What a kept host may still add: the browser's address (58 bytes for a full IPv6), two more
 * documents (Chromium's documentId is 32 hex digits: 70), a request time (23), request-count digits.
 */
export const HOST_GROWTH_BYTES = 160;
/** One overflow hash in JSON: a 32-bit number and its comma. */
export const OVERFLOW_HASH_BYTES = 11;
/** Record fields set after its hosts: navigation and response times, the request counter. */
export const RECORD_GROWTH_BYTES = 2 * 1024;
/** MAX_OVER_LIMIT_WATCHED hosts of a 253-character name, an address, counters and growth (~640 bytes). */
export const OVER_LIMIT_ROOM_BYTES = 64 * 1024;
export const WATCHED_ADMIT_BELOW_BYTES = PAGE_HOSTS_BUDGET_BYTES - RECORD_GROWTH_BYTES;
export const ADMIT_BELOW_BYTES = WATCHED_ADMIT_BELOW_BYTES - OVER_LIMIT_ROOM_BYTES;
/** A lookup error's message is cut to this many characters (it may quote the server). */
export const MAX_ERROR_MESSAGE = 300;
/** DoH addresses kept per host; beyond that the flagged ones are kept first, the rest counted. */
export const MAX_ADDRESSES_PER_HOST = 16;
/**
 * CNAME targets kept per host, and the most their JSON may take: real chains are 1–4 names of
 * ~30–60 characters (CDNs), while a resolver may send 16 hops of 253 characters (4 KiB a host, the
 * 1,857 KiB record of issue 23). The verdict rests on the addresses; the chain is only shown. The
 * first names are kept, so what is kept still reads as a chain from the host; the rest are counted.
 */
export const MAX_ALIASES_PER_HOST = 8;
export const MAX_ALIAS_BYTES_PER_HOST = 512;
/**
 * Room held for the answer of a host still being looked up: 16 full-length IPv6 addresses, the
 * alias chain, and the fields an answer adds (state, counts of what was cut).
 */
export const ANSWER_RESERVE_BYTES = MAX_ADDRESSES_PER_HOST * 42 + MAX_ALIAS_BYTES_PER_HOST + 128;
/** Distinct overflow hosts remembered (as 32-bit hashes) so that each is counted once. */
export const MAX_OVERFLOW_TRACKED = 2000;

/**
 * How a tab's record is written (issue 22: a 200-host page used to write its whole list ~30 times,
 * ~830 KB): once its changes pause for WRITE_DELAY_MS, at most every WRITE_DELAY_MS ×
 * WRITE_MAX_WAITS while they keep coming (a page loading), and at once when the popup reads the
 * list; one write in flight at a time. A worker stopped inside that window loses at most the last
 * second of request counts and witnesses: the browser stops an idle worker after 30 s, never one
 * that is handling events, and the popup reads the worker's memory, not the store. A lost DoH
 * answer is still in the DoH cache.
 */
export const WRITE_DELAY_MS = 100;
export const WRITE_MAX_WAITS = 10;

/**
 * How long a committed page's lookups wait for its load event at most (issue 22: lookups never
 * compete with the page they are about). Most pages load well within it; one that never finishes
 * loading (a long poll, a stalled image) has its hosts looked up after it all the same.
 */
export const LOOKUP_HOLD_MS = 3_000;
