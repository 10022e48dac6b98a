import { spawn, type ChildProcess } from 'node:child_process';

/** How a child process ended, with everything it printed. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** What a line is matched against: the whole line, a pattern, or a test. */
export type LineMatcher = string | RegExp | ((line: string) => boolean);

/** Options of {@link startChild}. */
export interface StartChildOptions {
  /** Extra environment variables, on top of this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory. Default: this process's. */
  readonly cwd?: string;
  /** Wire the child's stdin to a pipe (`child.process.stdin`). Default: ignored. */
  readonly stdin?: boolean;
}

/** A `node` child process running a script, with its stdout followed line by line. */
export interface RunningChild {
  readonly process: ChildProcess;
  /** The complete stdout lines printed so far (a line counts once its newline arrived). */
  readonly lines: readonly string[];
  /** Resolves with the first complete stdout line (printed so far or later) that matches; rejects if the child exits first. */
  waitForLine(matcher: LineMatcher): Promise<string>;
  /** Resolves once the process exited. */
  readonly exited: Promise<ChildExit>;
  /**
   * Sends SIGKILL and resolves once the process is gone. Rejects if the process had already ended by
   * itself, since a crash test that kills nothing proves nothing.
   */
  kill(): Promise<ChildExit>;
  /** Kills the process if it still runs (clean-up); resolves once it is gone. */
  stop(): Promise<ChildExit>;
}

const running = new Set<RunningChild>();

/**
 * Starts `node <script> …args` and follows its stdout line by line. Every child is remembered until it
 * exits, so {@link killAllChildren} in an `afterEach` cleans up after a failed test.
 *
 * @example
 * const child = startChild(fixture, [JSON.stringify(config)], { env: { KEEL_STORE: dir } });
 * await child.waitForLine(/^paused$/);
 * expect((await child.kill()).signal).toBe('SIGKILL');
 */
export function startChild(script: string, args: readonly string[] = [], options: StartChildOptions = {}): RunningChild {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: [options.stdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stdout = '';
  let stderr = '';
  let partial = '';
  const waiters = new Set<{ test: (line: string) => boolean; resolve: (line: string) => void }>();

  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    partial += chunk;
    // Only whole lines are matched: a chunk may end mid-line.
    let newline: number;
    while ((newline = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, newline);
      partial = partial.slice(newline + 1);
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.test(line)) {
          waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  // 'close' (not 'exit') comes after the output streams ended, so `stdout` is complete.
  const exited = new Promise<ChildExit>((resolve) =>
    child.on('close', (code, signal) => {
      running.delete(handle);
      if (partial !== '') lines.push(partial);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;

  const handle: RunningChild = {
    process: child,
    lines,
    exited,
    waitForLine(matcher) {
      const test = (line: string) => lineMatches(matcher, line);
      const seen = lines.find(test);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { test, resolve };
        waiters.add(waiter);
        void exited.then((end) => {
          if (!waiters.has(waiter)) return;
          waiters.delete(waiter);
          const late = lines.find(test);
          if (late !== undefined) resolve(late);
          else reject(new Error(`${describe(script, end)} before printing a line matching ${String(matcher)}${transcript(end)}`));
        });
      });
    },
    async kill() {
      if (!alive()) {
        const end = await exited;
        throw new Error(`${describe(script, end)} by itself before it was killed${transcript(end)}`);
      }
      child.kill('SIGKILL');
      return exited;
    },
    async stop() {
      if (alive()) child.kill('SIGKILL');
      return exited;
    },
  };
  running.add(handle);
  return handle;
}

/** SIGKILLs every child started by {@link startChild} that still runs, and waits until they are gone (for `afterEach`). */
export async function killAllChildren(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/**
 * The JSON after `<prefix> ` on the first line of `output` that starts with it (a fixture's
 * `result {…}` line). Throws, quoting the output, when there is none.
 */
export function jsonLine<T = Record<string, unknown>>(output: string | readonly string[], prefix: string): T {
  const lines = typeof output === 'string' ? output.split('\n') : output;
  const line = lines.find((candidate) => candidate.startsWith(`${prefix} `));
  if (line === undefined) throw new Error(`no "${prefix} …" line in the output:\n${lines.join('\n')}`);
  return JSON.parse(line.slice(prefix.length + 1)) as T;
}

/** Whether `line` matches: equals the string, matches the pattern, or passes the test. */
export function lineMatches(matcher: LineMatcher, line: string): boolean {
  if (typeof matcher === 'string') return line === matcher;
  if (matcher instanceof RegExp) return matcher.test(line);
  return matcher(line);
}

function describe(script: string, end: ChildExit): string {
  return `the child ${script} exited (${end.signal ?? `code ${end.code}`})`;
}

function transcript(end: ChildExit): string {
  return `\nstdout:\n${end.stdout}\nstderr:\n${end.stderr}`;
}
