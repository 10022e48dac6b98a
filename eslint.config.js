// ESLint (flat config): the rules that keep package boundaries real and promises handled. Style is
// not linted here: Prettier formats the code (`pnpm format`; `pnpm lint` checks it).
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** Files each package's own tsconfig.json covers, so type-aware rules can read their types. */
const typedFiles = ['packages/*/src/**/*.ts', 'packages/*/test/**/*.ts', 'examples/*/src/**/*.ts', 'examples/*/test/**/*.ts', 'examples/*/keel.config.ts'];

export default tseslint.config(
  {
    // Only the rules below are on, so a directive for another rule (e.g. `no-control-regex`) is not stale.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
  },
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/.keel/**', '**/.readme/**', '**/.tmp/**', 'bench/results/**', 'coverage/**'],
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
    plugins: { 'import-x': importX },
    settings: {
      // TypeScript files take part in the import graph (no-cycle follows them), parsed as TypeScript.
      'import-x/extensions': ['.ts', '.mts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.mts'] },
      // Resolves `./file.js` to `./file.ts` and `@keel/*` through each package's exports map.
      'import-x/resolver-next': [
        createTypeScriptImportResolver({ project: ['packages/*/tsconfig.json', 'examples/*/tsconfig.json'], noWarnOnMultipleProjects: true }),
      ],
    },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@keel/*/src', '@keel/*/src/**', '@keel/*/dist', '@keel/*/dist/**'],
              message:
                'Import a Keel package through its public entries (`@keel/core`, `@keel/core/adapter`, `@keel/core/store`, `@keel/core/testing` …), never its src or dist: package boundaries are real.',
            },
          ],
        },
      ],
      // `../../core/src/…` from another package: a relative path across a package boundary.
      'import-x/no-relative-packages': 'error',
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: typedFiles,
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // A promise nobody awaits loses its error and its ordering: await it, return it, or mark it `void`.
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    // The dashboard is compiled for the browser by its own tsconfig.
    files: ['packages/server/dashboard/**/*.ts'],
    languageOptions: { parserOptions: { project: 'packages/server/tsconfig.dashboard.json', tsconfigRootDir: import.meta.dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
);
