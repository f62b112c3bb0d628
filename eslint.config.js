import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Workspace packages each folder may not import: dependencies point downward only. */
const forbiddenImports = {
  'packages/protocol': ['@infernet/*'],
  'packages/auth': [
    '@infernet/db',
    '@infernet/engines',
    '@infernetprotocol/sdk',
    '@infernet/server',
    '@infernet/cli',
  ],
  'packages/db': [
    '@infernet/auth',
    '@infernet/engines',
    '@infernetprotocol/sdk',
    '@infernet/server',
    '@infernet/cli',
    'hono',
  ],
  'packages/engines': [
    '@infernet/db',
    '@infernet/auth',
    '@infernetprotocol/sdk',
    '@infernet/server',
    '@infernet/cli',
  ],
  'packages/gpu': [
    '@infernet/db',
    '@infernet/auth',
    '@infernetprotocol/sdk',
    '@infernet/server',
    '@infernet/cli',
  ],
  'packages/deploy-providers': [
    '@infernet/db',
    '@infernetprotocol/sdk',
    '@infernet/server',
    '@infernet/cli',
  ],
  'packages/sdk': [
    '@infernet/db',
    '@infernet/engines',
    '@infernet/server',
    '@infernet/cli',
    'node:*',
  ],
  'apps/server': ['@infernet/cli', '@infernetprotocol/sdk', '@infernet/testkit'],
  'apps/cli': [
    '@infernet/server',
    '@infernet/db',
    'pg',
    '@electric-sql/pglite',
    '@infernet/testkit',
  ],
};

const boundaryRules = Object.entries(forbiddenImports).map(([folder, patterns]) => ({
  files: [`${folder}/src/**/*.ts`],
  ignores: ['**/*.test.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: patterns,
            message: `${folder} may not depend on this (see ARCHITECTURE.md layout).`,
          },
          {
            group: ['@infernet/*/src/*', '**/internal/*'],
            message: 'Import a package by its root only.',
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'coverage/**',
      'test-artifacts/**',
      // The dashboard's build output and the file Next writes for itself.
      'apps/web/.next/**',
      'apps/web/out/**',
      'apps/web/next-env.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ThrowStatement > Literal', message: 'Throw an InfernetError, not a string.' },
      ],
    },
  },
  {
    // Packages never print and never read the environment: apps parse config once and pass it down.
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'packages/testkit/**'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Take configuration as a parameter.' },
      ],
    },
  },
  {
    files: ['packages/protocol/src/**/*.ts', 'packages/auth/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Inject the clock.' },
        { object: 'process', property: 'env', message: 'Take configuration as a parameter.' },
      ],
    },
  },
  ...boundaryRules,
  {
    // The dashboard runs in browsers and reaches the control plane only through the SDK.
    files: ['apps/web/**/*.{js,ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@infernet/db',
                '@infernet/auth',
                '@infernet/engines',
                '@infernet/server',
                '@infernet/cli',
                '@infernet/testkit',
                'node:*',
              ],
              message: 'apps/web talks to the control plane only through @infernetprotocol/sdk.',
            },
            { group: ['@infernet/*/src/*'], message: 'Import a package by its root only.' },
          ],
        },
      ],
    },
  },
);
