/** When the first-run page opens (entrypoints/background/first-run.ts). */

/** `runtime.onInstalled`'s details, as far as the decision needs them. */
export interface InstalledDetails {
  reason: string;
  temporary?: boolean;
}

/**
 * Only on a new install ('install'): an update ('update'), a browser update ('browser_update',
 * Chromium's 'chrome_update') or a shared module's update keeps the user's tabs as they were.
 * Firefox's temporary add-ons (about:debugging, web-ext) are installs too, and get the page.
 */
export function shouldOpenFirstRunPage(details: InstalledDetails): boolean {
  return details.reason === 'install';
}
