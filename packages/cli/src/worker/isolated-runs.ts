import { fork } from 'node:child_process';
import { executionLeaseState, type ExecutionRecord, type RecoveryReport, type Runtime, type RunResult } from '@keel/core';
import { IsolatedRunCrashedError, type IsolatedRunEnd } from '../errors/isolated-run-crashed-error.js';

/** What the worker tells its child: the execution, and how to open the same project. */
export interface IsolatedRunRequest {
  readonly executionId: string;
  readonly cwd: string;
  readonly store?: string;
  readonly config?: string;
}

/** What the child answers over IPC. */
export type IsolatedRunMessage =
  | {
      readonly type: 'result';
      readonly result: Pick<RunResult, 'executionId' | 'status'> & {
        readonly error?: { name: string; message: string };
        readonly waits?: readonly { name: string }[];
      };
    }
  | { readonly type: 'taken' | 'error'; readonly error: { readonly name: string; readonly message: string } };

/** Limits of one isolated execution. */
export interface IsolationLimits {
  /** V8 heap limit of the child (`--max-old-space-size`), in MB. */
  readonly memoryMb?: number;
  /** Wall-clock limit of one session, in ms; past it the child is killed. */
  readonly timeoutMs?: number;
}

/** How the worker opens the project, repeated to each child. */
export interface ProjectLocation {
  readonly cwd: string;
  readonly store?: string;
  readonly config?: string;
}

const childEntry = new URL('./isolated-run.js', import.meta.url);

/** After this many dead processes, this worker leaves the execution alone (another worker, or a person, decides). */
export const maxCrashes = 3;

/**
 * `keel worker --isolate`: each execution runs in its own child process (`child_process.fork` of
 * {@link childEntry}, with a heap limit), so an agent that crashes or runs out of memory takes down
 * only its own process. The child holds the execution's lease; when it dies, the lease's holder is
 * gone and the execution is recovered from its last completed checkpoint like after any crash.
 *
 * The worker looks for owed work itself (cheap store reads) and forks only when there is some, so an
 * idle worker does not start a process per poll. The rule is recovery's: queued; running with no live
 * holder; waiting with every wait answered or one timed out. A child that finds the execution taken
 * by another worker says so and exits.
 */
export class IsolatedRuns {
  readonly #runtime: Runtime;
  readonly #location: ProjectLocation;
  readonly #limits: IsolationLimits;
  readonly #flows: readonly string[];
  readonly #children = new Set<ReturnType<typeof fork>>();
  /** Executions a slot of this worker is running, so two slots never pick the same one. */
  readonly #claimed = new Set<string>();
  /** How often each execution's process died here: one that always runs out of memory must not loop forever. */
  readonly #crashes = new Map<string, number>();

  constructor(runtime: Runtime, location: ProjectLocation, limits: IsolationLimits, flows: readonly string[]) {
    this.#runtime = runtime;
    this.#location = location;
    this.#limits = limits;
    this.#flows = flows;
  }

  /**
   * Runs one owed execution in a child process and reports it as recovery would; `[]` when nothing is
   * owed. `onSkip` hears of owed executions of code versions this worker does not serve.
   */
  async runNext(onSkip: (skipped: { executionId: string; flow: string; codeVersion: string; runtimeVersion: string }) => void): Promise<RecoveryReport[]> {
    const execution = await this.#nextOwed(onSkip);
    if (!execution) return [];
    this.#claimed.add(execution.id);
    try {
      return await this.#run(execution);
    } finally {
      this.#claimed.delete(execution.id);
    }
  }

  /** Kills the children still running (their executions are recovered like any crashed run). */
  killAll(): string[] {
    const killed: string[] = [];
    for (const child of this.#children) {
      child.kill('SIGKILL');
      killed.push(String(child.pid));
    }
    return killed;
  }

  async #nextOwed(onSkip: Parameters<IsolatedRuns['runNext']>[0]): Promise<ExecutionRecord | undefined> {
    const store = await this.#runtime.store();
    const candidates = await store.listExecutions({ status: ['queued', 'running', 'waiting'] });
    // Oldest first, as recovery takes them.
    for (const execution of candidates.reverse()) {
      if (this.#claimed.has(execution.id) || !this.#flows.includes(execution.flow)) continue;
      if ((this.#crashes.get(execution.id) ?? 0) >= maxCrashes) continue;
      if (!(await this.#isOwed(execution))) continue;
      const policy = this.#runtime.versionOf(execution.flow);
      const recorded = execution.codeVersion;
      if (recorded !== undefined && recorded !== policy.version && !policy.compatibleWith.includes(recorded) && !policy.compatibleWith.includes('*')) {
        onSkip({ executionId: execution.id, flow: execution.flow, codeVersion: recorded, runtimeVersion: policy.version ?? '(none)' });
        continue;
      }
      return execution;
    }
    return undefined;
  }

  async #isOwed(execution: ExecutionRecord): Promise<boolean> {
    if (execution.status === 'queued') return true;
    if (execution.status === 'running') return executionLeaseState(execution) === 'abandoned';
    const store = await this.#runtime.store();
    const waits = await store.listWaits(execution.id);
    const pending = waits.filter((wait) => wait.status === 'pending');
    const now = Date.now();
    if (pending.some((wait) => wait.expiresAt !== undefined && wait.expiresAt <= now)) return true;
    return pending.length === 0 && waits.length > 0;
  }

  #run(execution: ExecutionRecord): Promise<RecoveryReport[]> {
    const request: IsolatedRunRequest = { executionId: execution.id, ...this.#location };
    const { memoryMb, timeoutMs } = this.#limits;
    const child = fork(childEntry, [JSON.stringify(request)], {
      cwd: this.#location.cwd,
      execArgv: memoryMb !== undefined ? [`--max-old-space-size=${memoryMb}`] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#children.add(child);
    const base = { executionId: execution.id, flow: execution.flow, found: execution.status };
    return new Promise((resolve) => {
      let message: IsolatedRunMessage | undefined;
      let timedOut = false;
      const timer = timeoutMs !== undefined ? setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), timeoutMs) : undefined;
      child.on('message', (received) => (message = received as IsolatedRunMessage));
      child.on('exit', (exitCode, signal) => {
        if (timer) clearTimeout(timer);
        this.#children.delete(child);
        if (message?.type === 'taken') return resolve([]);
        if (message?.type === 'result')
          return resolve([
            {
              ...base,
              result: {
                ...message.result,
                ...(message.result.error ? { error: Object.assign(new Error(message.result.error.message), { name: message.result.error.name }) } : {}),
              } as RunResult,
            },
          ]);
        if (message?.type === 'error') return resolve([{ ...base, error: Object.assign(new Error(message.error.message), { name: message.error.name }) }]);
        const end: IsolatedRunEnd = timedOut ? 'timeout' : isOutOfMemory(exitCode, signal) ? 'memory' : 'crash';
        const limit = end === 'memory' ? memoryMb : end === 'timeout' ? timeoutMs : undefined;
        const crashes = (this.#crashes.get(execution.id) ?? 0) + 1;
        this.#crashes.set(execution.id, crashes);
        resolve([
          {
            ...base,
            error: new IsolatedRunCrashedError({
              executionId: execution.id,
              end,
              exitCode,
              signal,
              crashes,
              maxCrashes,
              ...(limit !== undefined ? { limit } : {}),
            }),
          },
        ]);
      });
    });
  }
}

/** V8 ends a process that reached its heap limit with abort(): SIGABRT, or exit code 134 through a shell. */
function isOutOfMemory(exitCode: number | null, signal: NodeJS.Signals | null): boolean {
  return signal === 'SIGABRT' || exitCode === 134;
}
