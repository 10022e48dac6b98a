import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** A `keel` command the demo started, with what it printed so far. */
export interface KeelProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly pid: number;
  /** stdout and stderr, interleaved as they arrived. */
  output(): string;
  /** Resolves when the process is gone, with its exit code or the signal that ended it. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

/** Options of {@link keelCli}. */
export interface KeelCliOptions {
  /** The example's folder: where `keel.config.ts` is, and where printed commands are meant to be run. */
  readonly projectDir: string;
  /** The store's absolute path (given to every command as `KEEL_STORE`). */
  readonly store: string;
  /** Whether `store` is the one `keel.config.ts` names (then printed commands need no `--store`). */
  readonly defaultStore: boolean;
}

/**
 * The `keel` CLI, as the demo runs it and as it tells people to run it. The demo never needs `keel` on
 * the PATH: it starts the CLI package's own bin with `node`. What it prints is the form that works
 * in the example's folder after `pnpm install` at the repository root: `pnpm exec keel …`.
 */
export class KeelCli {
  readonly #options: KeelCliOptions;
  readonly #bin: string;

  constructor(options: KeelCliOptions) {
    this.#options = options;
    this.#bin = keelBin();
  }

  /** The path of the CLI's bin (`packages/cli/dist/bin.js` in this repository). */
  get bin(): string {
    return this.#bin;
  }

  /** The command a person types for these arguments, quoted for a POSIX shell. */
  printed(keelArguments: readonly string[]): string {
    const store = this.#options.defaultStore ? [] : ['--store', this.#options.store];
    return ['pnpm', 'exec', 'keel', ...keelArguments, ...store].map(shellQuote).join(' ');
  }

  /** Starts `keel <keelArguments>` in the example's folder, on the demo's store, with extra environment. */
  start(keelArguments: readonly string[], environment: Readonly<Record<string, string>> = {}): KeelProcess {
    const child = spawn(process.execPath, [this.#bin, ...keelArguments, '--no-color'], {
      cwd: this.#options.projectDir,
      env: { ...process.env, ...environment, KEEL_STORE: this.#options.store, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    if (child.pid === undefined) throw new Error(`Could not start ${process.execPath} ${this.#bin}.`);
    return { child, pid: child.pid, output: () => output, exited };
  }

  /** Runs `keel <keelArguments>` to its end. */
  async run(
    keelArguments: readonly string[],
    environment: Readonly<Record<string, string>> = {},
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string; pid: number }> {
    const started = this.start(keelArguments, environment);
    const exit = await started.exited;
    return { ...exit, output: started.output(), pid: started.pid };
  }
}

/** Where the `@keel/cli` package's bin is, resolved from this package (a dependency, so it is installed). */
function keelBin(): string {
  const manifestPath = createRequire(import.meta.url).resolve('@keel/cli/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.['keel'];
  if (!bin) throw new Error(`The @keel/cli package at ${manifestPath} declares no "keel" bin.`);
  return path.resolve(path.dirname(manifestPath), bin);
}

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(argument: string): string {
  if (/^[\w@%+=:,./-]+$/.test(argument)) return argument;
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}
