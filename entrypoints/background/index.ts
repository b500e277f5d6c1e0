/**
 * The service worker: wiring only (worker.ts). Per-tab state lives behind lib/tabs' one door
 * (createTabs), routing data updates in data-updates.ts, the pages' messages in messages.ts.
 *
 * What lives where, given that the browser may stop this worker at any moment:
 * - the prefix table: IndexedDB (imported once per release), loaded into memory once per worker life;
 * - settings: storage.local, one versioned record ('settings');
 * - the administrator's policy: storage.managed, its last copy in storage.local ('policy-cache',
 *   applied at a cold start before the browser answers) and which unlocked values were applied
 *   ('policy-adopted'), policy.ts;
 * - the history of flagged visits: IndexedDB's `history` store (history.ts, lib/history), bounded
 *   by the settings on every write;
 * - storage.session, so a restarted worker carries on (every key in lib/storage/session-keys.ts):
 *   per-tab reports (`tab:<id>`), each page's other hosts (`hosts:<id>`, lib/tabs/page-hosts.ts),
 *   the DNS cache (`dns:v1:<resolver>|<name>`, lib/dns/cache.ts), the last connection to each site
 *   (`connections:last`, lib/tabs/connection-memory.ts), the proxy detector's address pattern
 *   (`proxy:pattern`, lib/proxy/detector.ts) and what acting on a flag remembers (`flag-action`,
 *   lib/flag-action/state.ts: the same lifetime as the browser's session rules that enforce it);
 * - in memory only: caches of the above (a write-through copy of each tab's report and host list,
 *   so the badge is set even when storage.session is full; the DNS cache's, proxy pattern's and
 *   connection memory's records, kept by lib/storage/session-records.ts) and the queue of
 *   in-flight work; and, lost with the worker on purpose, when each open request started and which
 *   document made it (lib/tabs/request-starts.ts, request-documents.ts), which origin each tab shows
 *   (for its site's service worker requests; refilled by one tab query, lib/tabs/worker-requests.ts)
 *   and the redirect hops of navigations not yet committed (lib/tabs/navigation-hops.ts).
 * Every listener is registered synchronously (worker.ts); lib/tabs feeds its placement maps at once
 * and runs everything else once settings are in (its `ready`).
 */
import browser from 'webextension-polyfill';
import { defineBackground } from 'wxt/utils/define-background';
import { registerFirstRun } from './first-run';
import { startWorker } from './worker';

declare global {
  // Resolved when start-up is done; e2e tests wait for it before the first navigation.
  var carrierflagReady: Promise<void> | undefined;
}

export default defineBackground(() => {
  // Before anything else, synchronously: the install event is delivered once, at the first start.
  registerFirstRun(browser, (message, error) =>
    console.warn(`[CarrierFlag] ${message}`, error ?? ''),
  );
  globalThis.carrierflagReady = startWorker(browser);
});
