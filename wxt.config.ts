import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

export default defineConfig({
  // Explicit imports everywhere: every dependency is visible at the top of the file.
  imports: false,
  vite: () => ({ plugins: [preact()] }),
  manifest: {
    name: 'CarrierFlag',
    description:
      'Shows when a site is hosted on a China Mobile, China Telecom or China Unicom network.',
    permissions: ['storage', 'webRequest', 'webNavigation', 'tabs'],
    host_permissions: ['<all_urls>'],
    browser_specific_settings: {
      gecko: {
        id: 'carrierflag@carrierflag.invalid',
        strict_min_version: '128.0',
        // @ts-expect-error -- newer Firefox key not yet in WXT's manifest types
        data_collection_permissions: { required: ['none'] },
      },
    },
  },
});
