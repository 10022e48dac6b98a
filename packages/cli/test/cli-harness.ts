import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/cli */
export const cliRoot = fileURLToPath(new URL('..', import.meta.url));
/** The built CLI, as users run it. */
export const bin = join(cliRoot, 'dist', 'bin.js');
const coreRoot = realpathSync(join(cliRoot, '..', 'core'));

/** Links the workspace's store packages into a project, as `npm install @keel/store-sqlite @keel/store-postgres` would. */
export function linkStorePackages(root: string): void {
  for (const name of ['store-sqlite', 'store-postgres']) {
    symlinkSync(realpathSync(join(cliRoot, '..', name)), join(root, 'node_modules', '@keel', name), 'dir');
  }
}

/** How the temporary project gets `@keel/core`. */
export type CoreInstall =
  /** A symlink to the workspace package (what pnpm's workspace layout gives). */
  | 'link'
  /** A copy of it at another real path: a second instance, distinct from the CLI's own. */
  | 'copy'
  /** None: the project relies on the CLI's copy (a global `keel`). */
  | 'none';

const created: string[] = [];

/**
 * A temporary project folder. Its node_modules links `@keel/cli` and `zod` to the workspace and gets
 * `@keel/core` per `core`; symlinked package folders resolve their own dependencies from their real
 * path, as in a pnpm install.
 */
export function createProject(core: CoreInstall = 'link'): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'keel-cli-')));
  created.push(root);
  if (core === 'none') return root;
  mkdirSync(join(root, 'node_modules', '@keel'), { recursive: true });
  symlinkSync(cliRoot, join(root, 'node_modules', '@keel', 'cli'), 'dir');
  symlinkSync(realpathSync(join(cliRoot, 'node_modules', 'zod')), join(root, 'node_modules', 'zod'), 'dir');
  const target = join(root, 'node_modules', '@keel', 'core');
  if (core === 'link') symlinkSync(coreRoot, target, 'dir');
  else {
    mkdirSync(target);
    cpSync(join(coreRoot, 'package.json'), join(target, 'package.json'));
    cpSync(join(coreRoot, 'dist'), join(target, 'dist'), { recursive: true });
    // Its dependencies (ajv, lowdb, zod) come from the workspace install.
    symlinkSync(join(coreRoot, 'node_modules'), join(target, 'node_modules'), 'dir');
  }
  return root;
}

/** Writes files into a project (paths relative to it). */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/** Removes the temporary projects. */
export function removeProjects(): void {
  for (const root of created.splice(0)) rmSync(root, { recursive: true, force: true });
}

/** The environment a user's shell would have: no package-manager hints, no colour forcing, no store override. */
export function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of Object.keys(environment)) {
    if (key.startsWith('npm_') || key === 'FORCE_COLOR' || key === 'NO_COLOR' || key === 'KEEL_STORE' || key.startsWith('VITEST') || key === 'NODE_OPTIONS') {
      if (!(key in extra)) delete environment[key];
    }
  }
  return environment;
}

/** What a finished CLI process left. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `keel <args>` in `cwd` and returns the child (for tests that signal it). */
export function startKeel(
  cwd: string,
  args: readonly string[],
  environment: Record<string, string> = {},
): ChildProcess & { output: () => { stdout: string; stderr: string }; exited: Promise<CliResult> } {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: cleanEnvironment(environment), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return Object.assign(child, { output: () => ({ stdout, stderr }), exited });
}

/** Runs `keel <args>` in `cwd` to its end. */
export function keel(cwd: string, args: readonly string[], environment: Record<string, string> = {}): Promise<CliResult> {
  return startKeel(cwd, args, environment).exited;
}

/** Runs `keel <args> --json` and parses stdout. */
export async function keelJson<T = any>(cwd: string, args: readonly string[]): Promise<T> {
  const result = await keel(cwd, [...args, '--json']);
  if (result.code !== 0) throw new Error(`keel ${args.join(' ')} exited ${result.code}: ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout) as T;
}

/** Waits until `check` holds, polling; fails with `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Whether a file exists (for fixtures that signal progress with files). */
export function exists(path: string): boolean {
  return existsSync(path);
}

/** The JSON lines a `keel … --json` child printed so far (the worker's events), parsed. */
export function jsonLines(child: { output: () => { stdout: string } }): Array<Record<string, any>> {
  return child
    .output()
    .stdout.split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);
}

/** SIGKILLs the children a test left running (for `afterEach`), and empties the list. */
export async function killChildren(children: ReturnType<typeof startKeel>[]): Promise<void> {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await child.exited;
    }
  }
}
