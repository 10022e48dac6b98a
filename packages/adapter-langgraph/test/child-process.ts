import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** A running fixture process, its output so far, and a way to wait for a line or its exit. */
export interface Child {
  readonly process: ChildProcess;
  /** Resolves when stdout has printed a line equal to `line`. */
  line(line: string): Promise<void>;
  /** Resolves with the exit code (or signal) and the whole output once the process has exited. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

const running = new Set<ChildProcess>();

/** Starts `node test/fixtures/<fixture> …args` with extra environment variables. */
export function startFixture(fixture: string, args: readonly string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, [path.join(fixtures, fixture), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  const waiters: { line: string; resolve: () => void }[] = [];
  child.stdout!.on('data', (data: Buffer) => {
    stdout += data.toString();
    const lines = stdout.split('\n');
    for (const waiter of [...waiters]) {
      if (lines.includes(waiter.line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return {
    process: child,
    line: (line) =>
      new Promise<void>((resolve, reject) => {
        if (stdout.split('\n').includes(line)) return resolve();
        waiters.push({ line, resolve });
        void exit.then(({ code, stderr: errors }) => reject(new Error(`The fixture exited (${code}) before printing "${line}":\n${errors}`)));
      }),
    exited: () => exit,
  };
}

/** Runs a fixture to its end and parses the last line it printed as JSON. */
export async function runFixture<T>(fixture: string, args: readonly string[], env: Record<string, string> = {}): Promise<T> {
  const { code, stdout, stderr } = await startFixture(fixture, args, env).exited();
  if (code !== 0) throw new Error(`The fixture ${fixture} ${args.join(' ')} exited with ${code}:\n${stderr}`);
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines.at(-1)!) as T;
}

/** Kills the child with SIGKILL and waits until it is gone. */
export async function kill(child: Child): Promise<void> {
  const exited = child.exited();
  child.process.kill('SIGKILL');
  await exited;
}

/** Kills fixtures a failed test left behind (those this module started). */
export async function killRunning(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** The JSON lines a fixture logged (one per real model or tool call). */
export function readLog<T = Record<string, unknown>>(file: string): T[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}
