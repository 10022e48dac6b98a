import { createRequire } from 'node:module';
import type { createJiti as CreateJiti } from 'jiti';

/**
 * jiti's `createJiti`, loaded with `require`: importing jiti's ESM entry makes Node scan its 190 KB
 * CommonJS bundle for named exports first, which costs every command about 80 ms of CPU.
 */
export const createJiti: typeof CreateJiti = (...parameters) =>
  (createRequire(import.meta.url)('jiti') as { createJiti: typeof CreateJiti }).createJiti(...parameters);
