import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'dev-dist/',
      'test-results/',
      'coverage/',
      '.scratch/',
      'lib/',
      'examples/*/node_modules/',
      'examples/*/dist/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.worker } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    // An integration is a thin adapter over the public client: nothing from inside the SDK.
    files: ['src/integrations/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Inside folders of this repository; packages such as `@langchain/core` are the integrations' peers.
              group: [
                '**/core/*',
                '**/storage/*',
                '**/worker/*',
                '**/client/*',
                '**/models/*',
                '**/sync/*',
                '**/app/*',
                '!@langchain/**',
              ],
              message: 'Use the public contract (src/sdk).',
            },
          ],
        },
      ],
    },
  },
  {
    // The memory core is pure logic on ports: no storage, DOM-bound or model library here.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['dexie', '@huggingface/*', '@mlc-ai/*', 'comlink', '*/storage/*', '*/models/*', '*/worker/*', '*/app/*'] },
      ],
    },
  },
);
