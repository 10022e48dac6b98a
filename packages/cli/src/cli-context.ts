import type { Project } from './project/open-project.js';
import type { ExitCode } from './exit-codes.js';
import { shellQuote } from './output/shell-quote.js';
import type { Terminal } from './output/terminal.js';

/** The options every command accepts. */
export interface GlobalOptions {
  /** `--store <url>`: overrides `KEEL_STORE` and the config. */
  readonly store?: string;
  /** `--config <file>`. */
  readonly config?: string;
  /** `--debug`: stack traces and causes on errors. */
  readonly debug?: boolean;
}

/**
 * What a command runs with: the terminal, the global options, the project (opened on demand), and the
 * exit code it decided on.
 */
export class CliContext {
  readonly terminal: Terminal;
  readonly cwd: string;
  readonly environment: NodeJS.ProcessEnv;
  globals: GlobalOptions = {};
  exitCode: ExitCode = 0;
  #project: Promise<Project> | undefined;

  constructor(terminal: Terminal, cwd: string, environment: NodeJS.ProcessEnv) {
    this.terminal = terminal;
    this.cwd = cwd;
    this.environment = environment;
  }

  /**
   * Opens the project once. Commands that run flow code need `keel.config.ts`; reading commands work
   * with just a store (`--store`, `KEEL_STORE`, or `./.keel`).
   */
  open(requireConfig: boolean): Promise<Project> {
    if (!this.#project) {
      this.#project = import('./project/open-project.js')
        .then(({ openProject }) =>
          openProject({
            cwd: this.cwd,
            environment: this.environment,
            requireConfig,
            ...(this.globals.store !== undefined ? { store: this.globals.store } : {}),
            ...(this.globals.config !== undefined ? { config: this.globals.config } : {}),
          }),
        )
        .then((project) => {
          if (this.globals.debug) {
            const { colors } = this.terminal;
            this.terminal.error(colors.dim(`keel: config ${project.configFile ?? '(none)'} · store ${project.storeLabel} (from ${project.storeOrigin})`));
            this.terminal.error(
              colors.dim(
                `keel: @keel/core ${project.core.url} (${project.core.source === 'project' ? "the project's" : "the CLI's own; the project has none"})`,
              ),
            );
          }
          return project;
        });
    }
    return this.#project;
  }

  /**
   * A command line for the user to paste next: how they invoked keel (`npx @keel/cli` under npm, …), the
   * arguments, and the global options they gave (the same store and config).
   */
  hint(...words: string[]): string {
    const global: string[] = [];
    // A store URL with a password is not repeated into output that may end up in logs; KEEL_STORE is the way there.
    if (this.globals.store !== undefined && !/\/\/[^/@]*:[^/@]*@/.test(this.globals.store)) global.push('--store', this.globals.store);
    if (this.globals.config !== undefined) global.push('--config', this.globals.config);
    return [invocation(this.environment), ...words, ...global].map((part, index) => (index === 0 ? part : shellQuote(part))).join(' ');
  }

  /** The project, if a command opened it (for explaining an error afterwards). */
  async openedProject(): Promise<Project | undefined> {
    return this.#project?.catch(() => undefined);
  }

  /** Closes the project's store, if it was opened. */
  async close(): Promise<void> {
    if (!this.#project) return;
    const project = await this.#project.catch(() => undefined);
    await project?.close().catch(() => {});
  }
}

/**
 * How the user runs keel, judged from the package manager that started it (none: `keel` on the PATH).
 * npx and bunx get the package name, not the bin: it runs the project's install when there is one and
 * fetches `@keel/cli` when there is not (`npx @keel/cli init` in an empty folder), whereas `npx keel`
 * there would fetch an unrelated package that owns the name `keel` on npm.
 */
function invocation(environment: NodeJS.ProcessEnv): string {
  const agent = environment.npm_config_user_agent ?? '';
  if (agent.startsWith('pnpm')) return 'pnpm exec keel';
  if (agent.startsWith('yarn')) return 'yarn keel';
  if (agent.startsWith('bun')) return 'bunx @keel/cli';
  if (agent.startsWith('npm')) return 'npx @keel/cli';
  return 'keel';
}
