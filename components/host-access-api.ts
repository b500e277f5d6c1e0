/**
 * The popup's and the first-run page's way to ask the browser about access to sites (the
 * manifest's host permissions, lib/host-access.ts). Takes `browser` as an argument so the pages'
 * main.tsx pass the real one.
 */
import type { Browser } from 'webextension-polyfill';
import { requiredOrigins } from '../lib/host-access';

export interface HostAccessApi {
  /** Whether every host permission the manifest declares is granted now. */
  contains(): Promise<boolean>;
  /**
   * Asks the browser to grant them. Must be called synchronously from a click handler: browsers
   * accept `permissions.request` only during a user gesture. Resolves to whether they were granted.
   */
  request(): Promise<boolean>;
  /** Calls back when the extension's permissions change; returns an unsubscribe function. */
  subscribe(onChange: () => void): () => void;
}

export function createHostAccessApi(
  browser: Pick<Browser, 'permissions' | 'runtime'>,
): HostAccessApi {
  const origins = requiredOrigins(browser.runtime.getManifest());
  return {
    contains: () => browser.permissions.contains({ origins }),
    // No await before the call: it must run inside the click's user gesture.
    request: () => browser.permissions.request({ origins }),
    subscribe(onChange) {
      const listener = () => onChange();
      browser.permissions.onAdded.addListener(listener);
      browser.permissions.onRemoved.addListener(listener);
      return () => {
        browser.permissions.onAdded.removeListener(listener);
        browser.permissions.onRemoved.removeListener(listener);
      };
    },
  };
}
