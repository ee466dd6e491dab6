// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', 'coverage/', 'data/', '.scratch/'],
  },
  eslint.configs.recommended,
  {
    // TypeScript: the type-aware rule set, checked against tsconfig.json.
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
      // JSON and jq string escaping match control characters on purpose.
      'no-control-regex': 'off',
      // Indexed reads are written `a[i]!` (the code reads as if noUncheckedIndexedAccess were on);
      // without that compiler flag this rule would flag every one of them.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['src/jq/**/*.ts'],
    rules: {
      // The jq engine is a pure interpreter: no I/O and no Node APIs (docs/style.md).
      // A warning for now: builtins/formats.ts uses node:buffer.
      'no-restricted-imports': [
        'warn',
        { patterns: [{ group: ['node:*'], message: 'src/jq/ must not use Node APIs.' }] },
      ],
      // The evaluator unwinds `break`, `limit` and friends with light control-flow signals
      // that are deliberately not Error objects.
      '@typescript-eslint/only-throw-error': 'off',
    },
  },
  {
    // Plain JavaScript (this file, future scripts): no type information available.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // The function SDK runs inside function images, on plain Node.js.
    files: ['functions/**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', Buffer: 'readonly', URL: 'readonly', fetch: 'readonly', AbortController: 'readonly', console: 'readonly' },
    },
  },
);
