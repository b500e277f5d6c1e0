import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', '.output', '.wxt', '.cache', 'dist', 'public', 'test-results'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // lib/ runs in Node and in the worker: no browser globals there (see STYLE.md).
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'browser', message: 'lib/ is pure: pass browser APIs in as arguments.' },
        { name: 'chrome', message: 'lib/ is pure: pass browser APIs in as arguments.' },
        { name: 'indexedDB', message: 'lib/ is pure: pass storage in as an argument.' },
        { name: 'window', message: 'lib/ is pure.' },
        { name: 'document', message: 'lib/ is pure.' },
      ],
    },
  },
);
