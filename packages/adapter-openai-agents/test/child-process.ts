import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('./fixtures/agent-child.mjs', import.meta.url));
/** The MCP server fixture, for the child to start. */
export const mcpServerFixture = fileURLToPath(new URL('./fixtures/scoring-mcp-server.mjs', import.meta.url));

/** What a child printed as its `result` line. */
export interface ChildResult {
  readonly status: string;
  readonly executionId?: string;
  readonly output?: unknown;
  readonly waits?: Array<{ name: string; id: string; metadata?: Record<string, unknown>; schema: unknown }>;
  readonly error?: string;
  readonly message?: string;
}

/** A child process running `fixtures/agent-child.mjs`, with its output split into lines. */
export class Child {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #process: ChildProcess;
  #stderr = '';
  #waiters: Array<{ test: (line: string) => boolean; resolve: (line: string) => void }> = [];

  constructor(env: Record<string, string>) {
    this.#process = spawn(process.execPath, [fixture], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    this.#process.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        this.lines.push(line);
        for (const waiter of [...this.#waiters]) {
          if (waiter.test(line)) {
            this.#waiters = this.#waiters.filter((other) => other !== waiter);
            waiter.resolve(line);
          }
        }
      }
    });
    this.#process.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.#stderr += chunk));
    this.exited = new Promise((resolve) => this.#process.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** The first line (printed so far or later) that passes `test`; fails if the child exits first. */
  waitFor(test: (line: string) => boolean): Promise<string> {
    const seen = this.lines.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.#waiters.push({ test, resolve });
      void this.exited.then(() => {
        // Lines are delivered before 'exit'; give the last chunk a turn to arrive.
        setImmediate(() => {
          const late = this.lines.find(test);
          if (late !== undefined) resolve(late);
          else reject(new Error(`The child exited without printing the expected line.\nstdout:\n${this.lines.join('\n')}\nstderr:\n${this.#stderr}`));
        });
      });
    });
  }

  /** The child's `result` line, parsed, once it exited. */
  async result(): Promise<ChildResult> {
    const line = await this.waitFor((candidate) => candidate.startsWith('result '));
    await this.exited;
    return JSON.parse(line.slice('result '.length)) as ChildResult;
  }

  /** Completed-call lines (`completed <id> <kind>`) printed so far, as `<id> <kind>`. */
  completedCalls(): string[] {
    return this.lines.filter((line) => line.startsWith('completed ')).map((line) => line.slice('completed '.length));
  }

  /** Kills the child with SIGKILL and waits until it is gone. */
  async kill(): Promise<void> {
    this.#process.kill('SIGKILL');
    const { signal } = await this.exited;
    if (signal !== 'SIGKILL') throw new Error(`The child ended by itself before it was killed.\nstderr:\n${this.#stderr}`);
  }

  /** Kills the child if it still runs (test clean-up). */
  async stop(): Promise<void> {
    if (this.#process.exitCode === null && this.#process.signalCode === null) {
      this.#process.kill('SIGKILL');
      await this.exited;
    }
  }
}
