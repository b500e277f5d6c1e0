/**
 * The service worker: wiring only. Logic lives in lib/ (tab-monitor, table-loader, settings).
 *
 * What lives where, given that the browser may stop this worker at any moment:
 * - the prefix table: IndexedDB (imported once per release), loaded into memory once per worker life;
 * - settings: storage.local, one versioned record ('settings');
 * - per-tab reports (`tab:<id>`), each page's other hosts (`hosts:<id>`, lib/tabs/page-hosts.ts) and
 *   the DNS cache: storage.session, so a restarted worker carries on;
 * - in memory only: caches of the above (a write-through copy of each tab's report, so the badge is
 *   set even when storage.session is full; the DNS cache's index of its keys) and the queue of
 *   in-flight work.
 * Every listener is registered synchronously below and awaits the one `ready` promise first.
 */
import browser from 'webextension-polyfill';
import { defineBackground } from 'wxt/utils/define-background';
import { startWorker } from './worker';

declare global {
  // Resolved when start-up is done; e2e tests wait for it before the first navigation.
  var carrierflagReady: Promise<void> | undefined;
}

export default defineBackground(() => {
  globalThis.carrierflagReady = startWorker(browser);
});
