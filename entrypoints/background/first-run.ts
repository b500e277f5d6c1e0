/**
 * Opens the first-run page (entrypoints/welcome, components/Welcome.tsx) in a tab when the
 * extension is installed: not on an update, nor on a browser update. Register at worker start,
 * synchronously, or the install event is missed.
 */
import type { Browser } from 'webextension-polyfill';
import { shouldOpenFirstRunPage } from '../../lib/first-run';

export const FIRST_RUN_PAGE = '/welcome.html';

export function registerFirstRun(
  browser: Browser,
  log: (message: string, error?: unknown) => void,
) {
  browser.runtime.onInstalled.addListener((details) => {
    if (!shouldOpenFirstRunPage(details)) return;
    browser.tabs
      .create({ url: browser.runtime.getURL(FIRST_RUN_PAGE) })
      .catch((error: unknown) => log('the first-run page could not be opened', error));
  });
}
