import { spawn, type ChildProcess } from 'node:child_process';

/** How a child process ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A child process running a fixture, with its stdout split into lines as they arrive. */
export interface RunningChild {
  readonly child: ChildProcess;
  /** Resolves with the first stdout line matching `pattern` (rejects if the child exits first). */
  waitForLine(pattern: RegExp): Promise<string>;
  /** Resolves when the process exited. */
  readonly exited: Promise<ChildExit>;
}

const running = new Set<ChildProcess>();

/** Starts `node <script> <args…>` and follows its output. */
export function startChild(script: string, args: readonly string[]): RunningChild {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const before = stdout.lastIndexOf('\n');
    stdout += chunk;
    // Only whole lines are matched: a chunk may end mid-line.
    const lines = stdout.slice(before + 1, stdout.lastIndexOf('\n') + 1).split('\n');
    for (const line of lines) {
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<ChildExit>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return {
    child,
    exited,
    waitForLine: (pattern) =>
      new Promise((resolve, reject) => {
        const seen = stdout.split('\n').slice(0, -1).find((line) => pattern.test(line));
        if (seen !== undefined) return resolve(seen);
        waiters.push({ pattern, resolve });
        void exited.then(({ code, signal }) => reject(new Error(`child exited (${code ?? signal}) before printing ${pattern}:\n${stdout}\n${stderr}`)));
      }),
  };
}

/** Kills every child still running (for `afterAll`). */
export function killChildren(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** The JSON after `<prefix> ` on the child's first such line. */
export function lineValue<T>(stdout: string, prefix: string): T {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(`${prefix} `));
  if (line === undefined) throw new Error(`no "${prefix}" line in:\n${stdout}`);
  return JSON.parse(line.slice(prefix.length + 1)) as T;
}
