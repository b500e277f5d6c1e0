import { existsSync, readFileSync } from 'node:fs';
import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';
import { readTableMeta } from './lib/prefix-table';
import { tableIdOf } from './lib/table-loader';
import { firefoxAddonId } from './lib/project';

const TABLE_FILE = 'public/prefix-table.bin';
const ICONS = Object.fromEntries([16, 32, 48, 128].map((size) => [size, `icon/${size}.png`]));

/**
 * The bundled table's id, baked into the worker so a restarted worker can check its IndexedDB copy
 * without reading the 2 MB file. '' when the table is not built yet (`wxt prepare`): the worker then
 * reads the header from the file instead.
 */
function bundledTableId(): string {
  if (!existsSync(TABLE_FILE)) return '';
  return tableIdOf(readTableMeta(new Uint8Array(readFileSync(TABLE_FILE))));
}

/** Permissions only Firefox's build asks for (Chromium refuses webRequestBlocking in MV3). */
const FIREFOX_ONLY_PERMISSIONS = ['webRequestBlocking'];

export default defineConfig({
  // Explicit imports everywhere: every dependency is visible at the top of the file.
  imports: false,
  // Every UI string is a key in locales/<lang>.yml, compiled to _locales/ for browser.i18n.
  modules: ['@wxt-dev/i18n/module'],
  vite: () => ({
    plugins: [preact()],
    define: { __CARRIERFLAG_TABLE_ID__: JSON.stringify(bundledTableId()) },
  }),
  // `npm run zip` (scripts/zip.mjs). The sources zip, which Firefox's review asks for, is the
  // repository without what the build generates (the table, icons, CLI bundle) or only documents:
  // `npm ci && npm run zip` in it rebuilds the package. WXT already leaves out node_modules, hidden
  // files and the .output directory.
  zip: {
    excludeSources: [
      'dist/**',
      'public/prefix-table.bin',
      'public/icon/**',
      'docs/screenshots/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  manifest: ({ browser }) => ({
    name: '__MSG_extension_name__',
    description: '__MSG_extension_description__',
    default_locale: 'en',
    // Each permission is justified in the README's "Permissions" table.
    // declarativeNetRequestWithHostAccess: the session rules that stop flagged sites and hosts
    // (warn/block, off by default), with no install warning of their own (host access covers
    // them); webRequestBlocking (Firefox only, where MV3 keeps it) holds a navigation for its check.
    permissions: [
      ...[
        'storage',
        'webRequest',
        'webNavigation',
        'alarms',
        'declarativeNetRequestWithHostAccess',
      ],
      ...(browser === 'firefox' ? FIREFOX_ONLY_PERMISSIONS : []),
    ],
    // The warning page a flagged site's navigation is redirected to: a redirect from a web page
    // may only land on an extension page listed here.
    web_accessible_resources: [
      { resources: ['warning.html'], matches: ['http://*/*', 'https://*/*'] },
    ],
    // Exported from assets/icon/carrierflag.svg by scripts/build-icons.mjs.
    icons: ICONS,
    action: { default_icon: ICONS, default_title: '__MSG_extension_name__' },
    // Web pages only: the worker observes http(s) navigations and fetches an https resolver;
    // `<all_urls>` would add file:, ftp: and other schemes it never touches. ws: and wss: because
    // Chromium reports a page's WebSocket connections to webRequest only with host permissions for
    // those schemes (http(s) ones do not cover them).
    host_permissions: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'],
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              // A placeholder unless the packager gives the id registered on AMO (lib/project.ts).
              id: firefoxAddonId(process.env),
              strict_min_version: '142.0',
              data_collection_permissions: { required: ['none'] },
            },
          },
        }
      : {
          // The administrator's policy (lib/policy, README "For administrators"): Chromium reads
          // it from its own policy store and checks it against this schema. Firefox takes it from
          // policies.json ("3rdparty") and needs no schema.
          storage: { managed_schema: 'managed-schema.json' },
        }),
  }),
});
