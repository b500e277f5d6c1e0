// The "floor" extension of the page-hosts bench: what Chromium charges any extension that observes
// every request, whatever its code does. An MV3 extension with CarrierFlag's permissions and host
// permissions (read from the built manifest) whose service worker registers the same listener set
// as entrypoints/background/worker.ts, with the same filters, and empty bodies. Keep the listener
// list in step with the worker when it changes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CACHE_DIR } from '../paths';

const WORKER = `// The bench's floor extension (bench/e2e/floor.ts): CarrierFlag's listeners, empty bodies.
const empty = () => {};
const web = { urls: ['http://*/*', 'https://*/*'] };
chrome.webNavigation.onBeforeNavigate.addListener(empty);
chrome.webNavigation.onCommitted.addListener(empty);
chrome.webNavigation.onCompleted.addListener(empty);
chrome.webNavigation.onErrorOccurred.addListener(empty);
chrome.webRequest.onBeforeRequest.addListener(empty, { urls: ['<all_urls>'] });
chrome.webRequest.onResponseStarted.addListener(empty, { urls: ['<all_urls>'] });
chrome.webRequest.onErrorOccurred.addListener(empty, { urls: ['<all_urls>'] });
chrome.webRequest.onBeforeRedirect.addListener(empty, web);
chrome.tabs.onRemoved.addListener(empty);
chrome.alarms.onAlarm.addListener(empty);
chrome.runtime.onMessage.addListener(() => undefined);
`;

/**
 * Writes the floor extension to .cache/bench/floor-extension/ from the built extension's manifest
 * at `extensionPath`; returns its directory.
 */
export function buildFloorExtension(extensionPath: string): string {
  const built = JSON.parse(readFileSync(join(extensionPath, 'manifest.json'), 'utf8')) as {
    permissions?: string[];
    host_permissions?: string[];
  };
  const dir = resolve(CACHE_DIR, 'floor-extension');
  mkdirSync(dir, { recursive: true });
  const manifest = {
    manifest_version: 3,
    name: 'CarrierFlag bench floor (listeners only)',
    version: '1.0.0',
    permissions: built.permissions ?? [],
    host_permissions: built.host_permissions ?? [],
    background: { service_worker: 'background.js' },
  };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  writeFileSync(join(dir, 'background.js'), WORKER);
  return dir;
}
