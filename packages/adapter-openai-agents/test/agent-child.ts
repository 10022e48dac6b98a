import { fileURLToPath } from 'node:url';
import { jsonLine, startChild, type RunningChild } from '@keel/testkit';

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

/** A child process running `fixtures/agent-child.mjs`, read through the lines it prints. */
export class Child {
  readonly #child: RunningChild;

  constructor(env: Record<string, string>) {
    this.#child = startChild(fixture, [], { env });
  }

  /** Resolves with the exit code (or signal) once the child exited. */
  get exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.#child.exited;
  }

  /** The first line (printed so far or later) that passes `test`; fails if the child exits first. */
  waitFor(test: (line: string) => boolean): Promise<string> {
    return this.#child.waitForLine(test);
  }

  /** The child's `result` line, parsed, once it exited. */
  async result(): Promise<ChildResult> {
    const { stdout, stderr } = await this.#child.exited;
    if (!stdout.split('\n').some((line) => line.startsWith('result ')))
      throw new Error(`The child exited without a result line.\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    return jsonLine<ChildResult>(stdout, 'result');
  }

  /** Completed-call lines (`completed <id> <kind>`) printed so far, as `<id> <kind>`. */
  completedCalls(): string[] {
    return this.#child.lines.filter((line) => line.startsWith('completed ')).map((line) => line.slice('completed '.length));
  }

  /** Kills the child with SIGKILL and waits until it is gone; fails if it had ended by itself. */
  async kill(): Promise<void> {
    await this.#child.kill();
  }

  /** Kills the child if it still runs (test clean-up). */
  async stop(): Promise<void> {
    await this.#child.stop();
  }
}
