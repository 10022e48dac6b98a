import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/** Where Debian's Chromium lives; the browser tests drive it rather than a downloaded browser. */
export const chromiumPath = '/usr/bin/chromium';

/**
 * Flags for a headless Chromium in a container or CI: no sandbox (no user namespaces there), no GPU,
 * and none of the background traffic (updates, sync, QUIC) that would reach the network.
 */
const chromiumArguments = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Options of {@link useChromium}. */
export interface UseChromiumOptions {
  /** What the tests are, for the error when Chromium is missing ("The dashboard tests"). */
  readonly tests: string;
  /**
   * The committed screenshot folder (`new URL('./screenshots/', import.meta.url)`). Screenshots land
   * there only with `KEEL_UPDATE_SCREENSHOTS=1`; otherwise in a temporary folder removed after the file.
   */
  readonly screenshots: URL;
  /** The temporary screenshot folder's name prefix. Default: `keel-screenshots-`. */
  readonly temporaryPrefix?: string;
}

/** The browser and the screenshot folder of a test file, once its `beforeAll` ran. */
export interface ChromiumSession {
  /** The launched browser (read it inside tests and hooks: it exists once `beforeAll` ran). */
  readonly browser: Browser;
  /** The folder screenshots go to (committed or temporary, see {@link UseChromiumOptions.screenshots}). */
  readonly screenshots: string;
}

/**
 * Launches Debian's Chromium for a test file: registers a `beforeAll` that launches it and an
 * `afterAll` that closes it (and removes a temporary screenshot folder). A missing browser fails the
 * tests with how to install it, never skips them, so it is never mistaken for a pass. Call it at the top
 * level of a test file.
 *
 * @example
 * const chromium = useChromium({ tests: 'The dashboard tests', screenshots: new URL('./screenshots/', import.meta.url) });
 * it('renders', async () => {
 *   const page = await chromium.browser.newPage();
 *   await page.screenshot({ path: join(chromium.screenshots, 'home.png') });
 * });
 */
export function useChromium(options: UseChromiumOptions): ChromiumSession {
  // The committed screenshots change only when asked; otherwise a run writes them to a temporary
  // folder, so running the tests leaves the working tree as it was.
  const update = process.env.KEEL_UPDATE_SCREENSHOTS === '1';
  const screenshots = update ? fileURLToPath(options.screenshots) : mkdtempSync(join(tmpdir(), options.temporaryPrefix ?? 'keel-screenshots-'));
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(
        `${options.tests} drive Debian's Chromium at ${chromiumPath}, which is missing. Install it with ` +
          '`apt-get update && apt-get install -y chromium`. These tests fail rather than skip, so a missing browser is never mistaken for a pass.',
      );
    }
    mkdirSync(screenshots, { recursive: true });
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArguments });
  });

  afterAll(async () => {
    await browser?.close();
    if (!update) rmSync(screenshots, { recursive: true, force: true });
  });

  return {
    get browser(): Browser {
      if (browser === undefined) throw new Error('useChromium: the browser is launched in beforeAll; read `browser` inside a test or a hook');
      return browser;
    },
    screenshots,
  };
}
