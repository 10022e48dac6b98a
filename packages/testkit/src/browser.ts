/**
 * @module Browser tests: Debian's Chromium launched for a test file, with its screenshot folder. Needs
 * vitest and playwright-core (optional peer dependencies of `@keel/testkit`); the rest of the kit does
 * not, so it lives at its own entry.
 */
export { chromiumPath, useChromium } from './use-chromium.js';
export type { ChromiumSession, UseChromiumOptions } from './use-chromium.js';
