import { defineConfig } from 'vitest/config';

// One config for the whole workspace: every package keeps its tests in `test/`.
// Tests run against the built `dist/` of the packages they import (package boundaries are real),
// so `pnpm build` comes before `pnpm test`.
export default defineConfig({
  test: {
    // test/: the repository as a whole (the packed packages installed outside the workspace).
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Type tests (`*.test-d.ts`): the public types keep the harnesses' own types. tsc checks them here
    // and in each package's `pnpm typecheck` (its tsconfig includes `test/`).
    typecheck: {
      enabled: true,
      include: ['packages/*/test/**/*.test-d.ts'],
      tsconfig: './tsconfig.typecheck.json',
    },
  },
});
