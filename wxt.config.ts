import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

export default defineConfig({
  // Explicit imports everywhere: every dependency is visible at the top of the file.
  imports: false,
  vite: () => ({ plugins: [preact()] }),
  manifest: ({ browser }) => ({
    name: 'CarrierFlag',
    description:
      'Shows when a site is hosted on a China Mobile, China Telecom or China Unicom network.',
    // Each permission is justified in the README's "Permissions" table.
    permissions: ['storage', 'webRequest', 'webNavigation', 'tabs'],
    host_permissions: ['<all_urls>'],
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'carrierflag@carrierflag.invalid',
              strict_min_version: '142.0',
              data_collection_permissions: { required: ['none'] },
            },
          },
        }
      : {}),
  }),
});
