import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The compiled script of a conformance worker (`conformance-worker`, `lease-worker`). Beside this file
 * in `dist/`; when the suite itself runs from source (a test importing `src/`), the worker still has
 * to be JavaScript, so it is taken from `dist/`.
 */
export function compiledWorkerFile(name: string): string {
  const candidates = [new URL(`./${name}.js`, import.meta.url), new URL(`../../dist/testing/${name}.js`, import.meta.url)].map((url) => fileURLToPath(url));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new Error(`The store conformance worker ${name} is not built (looked for ${candidates.join(', ')}): run \`pnpm --filter @keel/core build\`.`);
  }
  return found;
}
