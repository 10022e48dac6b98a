import type { CheckpointRecord, ExecutionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { ExecutionLeasedError } from '../errors/execution-leased-error.js';
import { ExecutionNotFoundError } from '../errors/execution-not-found-error.js';
import { ExecutionStateError } from '../errors/execution-state-error.js';
import { ExecutionVersionMismatchError } from '../errors/execution-version-mismatch-error.js';
import { FlowInputInvalidError } from '../errors/flow-input-invalid-error.js';
import { FlowNotFoundError } from '../errors/flow-not-found-error.js';
import { KeelError } from '../errors/keel-error.js';
import { newExecutionId } from '../ids.js';
import { loadPayload, storePayload } from '../serialization/payloads.js';
import { storeFromUrl } from '../store/store-from-url.js';
import { isLeaseAbandoned, leaseFor, newOwnerId } from './lease.js';
import { claimFilterFor } from './claim-filter.js';
import { Session } from './session.js';
import type { ActiveChange } from './recorded-answers.js';
import { createReplayExecution } from './replay-execution.js';
import { cancelExecution } from './cancel-execution.js';
import { executionReads, getExecution } from './execution-reads.js';
import { inputWait } from './wait-input.js';
import { ExperimentNotFoundError } from '../errors/experiment-not-found-error.js';
import { experimentBody, experimentFlowName } from '../experiments/experiment-flow.js';
import { getExperiment, listExperiments, type Experiment, type Experiments } from '../experiments/experiments-api.js';
import type { ExperimentDefinition, ExperimentRunOptions } from '../experiments/experiment-types.js';
import { experimentInput, experimentRunOptions } from '../experiments/experiment-run-input.js';
import { zodIssues } from './wait-schema.js';
import { compatibleVersionsFromEnvironment, derivedCodeVersion, servesExecution, type VersionPolicy } from './code-version.js';
import { deploymentsApi, type Deployments } from './deployments.js';
import { startedRun } from './run-handle.js';
import { executionMetadata } from './execution-budget.js';
import { runtimeMetrics } from '../telemetry/runtime-metrics.js';
import type { Executions, Flow, RecoverOptions, RecoveryReport, RunHandle, Runtime } from './runtime-api.js';
import type { CapturePolicy, FlowFunction, FlowOptions, ReplayOptions, RunOptions, RunResult, RuntimeOptions } from './types.js';

export type { CheckpointInfo, ExecutionInfo, Executions, Flow, RecoverOptions, RecoveryReport, RunHandle, Runtime, WaitInfo } from './runtime-api.js';

/** Creates a runtime. Without a store it uses `KEEL_STORE`, else `.keel/` in the current directory. */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  return new KeelRuntime(options);
}

interface RegisteredFlow {
  readonly name: string;
  readonly fn: FlowFunction<unknown, unknown>;
  readonly options: FlowOptions<unknown>;
}

/** @internal The runtime implementation; the default runtime reconfigures it in place. */
export class KeelRuntime implements Runtime {
  readonly ownerId = newOwnerId();
  leaseTtlMs: number;
  codeVersion: string | undefined;
  compatibleWith: readonly string[] | undefined;
  capture: CapturePolicy | undefined;
  #storeSource: Store | string | undefined;
  #store: Promise<Store> | undefined;
  readonly #flows = new Map<string, RegisteredFlow>();
  readonly #live = new Map<string, Session>();
  readonly executions: Executions;
  readonly deployments: Deployments;
  readonly experiments: Experiments;
  readonly #experiments = new Map<string, Experiment>();

  constructor(options: RuntimeOptions) {
    this.leaseTtlMs = options.leaseTtlMs ?? 30_000;
    this.codeVersion = options.codeVersion;
    this.compatibleWith = options.compatibleWith;
    this.capture = options.capture;
    this.#storeSource = options.store;
    this.executions = this.#executionsApi();
    this.experiments = {
      list: async (options) => listExperiments(await this.store(), options),
      get: async (experimentId) => getExperiment(await this.store(), experimentId),
      defined: () => [...this.#experiments.keys()],
      named: (name) => {
        const experiment = this.#experiments.get(name);
        if (!experiment) throw new ExperimentNotFoundError({ experiment: name, known: [...this.#experiments.keys()], kind: 'name' });
        return experiment;
      },
    };
    this.deployments = deploymentsApi({
      store: () => this.store(),
      registeredFlow: (name) => {
        const flow = this.#flows.get(name);
        return flow && { fn: flow.fn, ...(flow.options.input ? { input: flow.options.input } : {}) };
      },
      flows: () => this.flows(),
      versionPolicy: (name) => (this.#flows.has(name) ? this.versionOf(name) : undefined),
    });
  }

  /** Changes the options; a new store applies to operations that start afterwards. */
  reconfigure(options: RuntimeOptions): void {
    if (options.leaseTtlMs !== undefined) this.leaseTtlMs = options.leaseTtlMs;
    if (options.codeVersion !== undefined) this.codeVersion = options.codeVersion;
    if (options.compatibleWith !== undefined) this.compatibleWith = options.compatibleWith;
    if (options.capture !== undefined) this.capture = options.capture;
    if (options.store !== undefined) {
      this.#storeSource = options.store;
      this.#store = undefined;
    }
  }

  store(): Promise<Store> {
    if (!this.#store) {
      const source = this.#storeSource ?? process.env.KEEL_STORE ?? '.keel';
      this.#store = typeof source === 'string' ? storeFromUrl(source) : Promise.resolve(source);
      // A store that failed to open may open on the next try (a database coming up).
      this.#store.catch(() => (this.#store = undefined));
    }
    return this.#store;
  }

  async close(): Promise<void> {
    if (this.#store) await (await this.#store).close();
    this.#store = undefined;
  }

  flows(): string[] {
    return [...this.#flows.keys()];
  }

  flow<Input, Output>(name: string, fn: FlowFunction<Input, Output>, options: FlowOptions<Input> = {}): Flow<Input, Output> {
    this.#flows.set(name, { name, fn: fn as FlowFunction<unknown, unknown>, options: options as FlowOptions<unknown> });
    return this.flowHandle<Input, Output>(name);
  }

  experiment(name: string, definition: ExperimentDefinition): Experiment {
    const flowName = experimentFlowName(name);
    const host = {
      store: () => this.store(),
      replay: (id: string, options: ReplayOptions) => this.#replay(id, options),
      cancel: (id: string) => this.#cancel(id),
    };
    this.flow(flowName, experimentBody(host, definition));
    const input = (options: ExperimentRunOptions) => experimentInput(name, definition, options);
    const runOptions = (options: ExperimentRunOptions) => experimentRunOptions(name, options);
    const experiment: Experiment = {
      name,
      run: async (options = {}) => {
        const { executionId } = await this.run(flowName, input(options), runOptions(options));
        return this.experiments.get(executionId);
      },
      start: (options = {}) => this.start(flowName, input(options), runOptions(options)),
      resume: async (experimentId) => {
        await this.#continue(experimentId, 'resume', flowName);
        return this.experiments.get(experimentId);
      },
    };
    this.#experiments.set(name, experiment);
    return experiment;
  }

  versionOf(name: string): VersionPolicy {
    const flow = this.#flow(name);
    // Read when asked, not when built: the CLI and tests set the environment after the default runtime exists.
    const version = flow.options.version ?? this.codeVersion ?? nonEmpty(process.env.KEEL_CODE_VERSION) ?? derivedCodeVersion();
    const compatibleWith = [...(this.compatibleWith ?? []), ...(flow.options.compatibleWith ?? []), ...compatibleVersionsFromEnvironment()];
    return { version, compatibleWith };
  }

  /** A handle on a flow by name (its function is looked up when an operation runs). */
  flowHandle<Input, Output>(name: string): Flow<Input, Output> {
    return {
      name,
      run: (input, options) => this.run(name, input, options) as Promise<RunResult<Output>>,
      start: (input, options) => this.start(name, input, options),
      resume: (executionId) => this.#continue(executionId, 'resume', name) as Promise<RunResult<Output>>,
      retry: (executionId) => this.#continue(executionId, 'retry', name) as Promise<RunResult<Output>>,
      replay: (executionId, options) => this.#replay(executionId, options ?? {}, name) as Promise<RunResult<Output>>,
    };
  }

  /** Runs a new execution of a registered flow. */
  async run(flowName: string, input: unknown, options: RunOptions = {}, onStart?: (executionId: string) => void): Promise<RunResult> {
    const flow = this.#flow(flowName);
    this.#checkInput(flow, input);
    const store = await this.store();
    const execution = await this.#createExecution(store, flow, input, options, 'running');
    onStart?.(execution.id);
    return this.#execute(store, flow, execution, [], 'run', false, input);
  }

  begin(flowName: string, input: unknown, options: RunOptions = {}): Promise<RunHandle> {
    return startedRun((onStart) => this.run(flowName, input, options, onStart));
  }

  /** Creates a queued execution of a registered flow, for a worker. */
  async start(flowName: string, input: unknown, options: RunOptions = {}): Promise<{ executionId: string }> {
    const flow = this.#flow(flowName);
    this.#checkInput(flow, input);
    const store = await this.store();
    const execution = await this.#createExecution(store, flow, input, options, 'queued');
    return { executionId: execution.id };
  }

  /** A new execution of a flow: `running` and leased to this runtime (`run`), or `queued` for a worker (`start`). */
  async #createExecution(store: Store, flow: RegisteredFlow, input: unknown, options: RunOptions, status: 'running' | 'queued'): Promise<ExecutionRecord> {
    const { version } = this.versionOf(flow.name);
    const now = Date.now();
    return store.createExecution({
      id: options.executionId ?? newExecutionId(now),
      flow: flow.name,
      status,
      input: await storePayload(store, input, `the input of flow "${flow.name}"`),
      lease: status === 'running' ? leaseFor(this.ownerId, this.leaseTtlMs, now) : null,
      sessions: status === 'running' ? 1 : 0,
      createdAt: now,
      ...(version !== undefined ? { codeVersion: version } : {}),
      ...executionMetadata(flow, options),
    });
  }

  #checkInput(flow: RegisteredFlow, input: unknown): void {
    const parsed = flow.options.input?.safeParse(input);
    if (parsed && !parsed.success) throw new FlowInputInvalidError({ flow: flow.name, issues: zodIssues(parsed.error) });
  }

  #flow(name: string): RegisteredFlow {
    const flow = this.#flows.get(name);
    if (!flow) throw new FlowNotFoundError({ flow: name, known: this.flows() });
    return flow;
  }

  async #execute(
    store: Store,
    flow: RegisteredFlow,
    execution: ExecutionRecord,
    records: readonly CheckpointRecord[],
    mode: 'run' | 'retry',
    hermetic: boolean,
    input: unknown,
    change?: ActiveChange,
  ): Promise<RunResult> {
    const session = new Session(this, store, execution, records, mode, hermetic, this.versionOf(flow.name).version, change);
    this.#live.set(execution.id, session);
    try {
      return await session.execute(flow.fn, input);
    } finally {
      this.#live.delete(execution.id);
    }
  }

  /** `resume` and `retry`: take the lease and run the body again over the recorded checkpoints. */
  async #continue(executionId: string, operation: 'resume' | 'retry', expectedFlow?: string, onStart?: (executionId: string) => void): Promise<RunResult> {
    const store = await this.store();
    for (;;) {
      const execution = await this.#get(store, executionId);
      if (expectedFlow !== undefined && execution.flow !== expectedFlow) {
        throw new ExecutionStateError({
          executionId,
          status: execution.status,
          operation,
          hint: `It belongs to flow "${execution.flow}", not "${expectedFlow}".`,
        });
      }
      const flow = this.#flow(execution.flow);
      this.#checkContinuable(execution, operation);
      if (execution.replayOf?.change) {
        // Its models and tools live in the code that started it, not in the store: running it
        // without them would record what the original did as the change's result.
        throw new ExecutionStateError({
          executionId,
          status: execution.status,
          operation,
          hint:
            execution.replayOf.change.experiment !== undefined
              ? `It is a member of experiment "${execution.replayOf.change.experiment}": resume the experiment, which replays the member again.`
              : 'It is a replay with a change, which lives in the code that started it: replay the original again with the change.',
        });
      }
      this.#checkVersion(execution);
      const claimed = await store.updateExecution(
        executionId,
        {
          status: 'running',
          lease: leaseFor(this.ownerId, this.leaseTtlMs),
          sessions: execution.sessions + 1,
          error: null,
          endedAt: null,
        },
        { version: execution.version },
      );
      if (!claimed.ok) {
        if (claimed.reason === 'not-found') throw new ExecutionNotFoundError({ executionId, store: store.location });
        continue; // Someone else changed it meanwhile: look again (they may hold it now).
      }
      onStart?.(executionId);
      const records = await store.listCheckpoints(executionId);
      const input = await loadPayload(store, execution.input);
      return this.#execute(store, flow, claimed.record, records, operation === 'retry' ? 'retry' : 'run', false, input);
    }
  }

  /** Pinning: an execution runs only on the code version that started it, or one declared compatible. */
  #checkVersion(execution: ExecutionRecord): void {
    const policy = this.versionOf(execution.flow);
    if (servesExecution(policy, execution)) return;
    throw new ExecutionVersionMismatchError({
      executionId: execution.id,
      flow: execution.flow,
      executionVersion: execution.codeVersion!,
      runtimeVersion: policy.version ?? '(none)',
    });
  }

  #checkContinuable(execution: ExecutionRecord, operation: 'resume' | 'retry'): void {
    const { id: executionId, status } = execution;
    if (this.#live.has(executionId) || (status === 'running' && execution.lease && !isLeaseAbandoned(execution.lease))) {
      throw new ExecutionLeasedError({ executionId, lease: execution.lease ?? leaseFor(this.ownerId, 0) });
    }
    if (operation === 'retry') {
      if (status !== 'failed') {
        throw new ExecutionStateError({
          executionId,
          status,
          operation,
          hint:
            status === 'waiting' || status === 'running'
              ? 'Use resume for a waiting or abandoned execution.'
              : 'Only failed executions can be retried; replay makes a new execution from any run.',
        });
      }
      return;
    }
    if (status === 'completed' || status === 'cancelled' || status === 'failed') {
      throw new ExecutionStateError({
        executionId,
        status,
        operation,
        hint: status === 'failed' ? 'Use retry to run a failed execution again.' : 'Replay makes a new execution from it.',
      });
    }
  }

  async #replay(originalId: string, options: ReplayOptions, expectedFlow?: string, onStart?: (executionId: string) => void): Promise<RunResult> {
    const store = await this.store();
    const original = await this.#get(store, originalId);
    if (expectedFlow !== undefined && original.flow !== expectedFlow) {
      throw new ExecutionStateError({
        executionId: originalId,
        status: original.status,
        operation: 'replay',
        hint: `It belongs to flow "${original.flow}", not "${expectedFlow}".`,
      });
    }
    const flow = this.#flow(original.flow);
    const { version } = this.versionOf(flow.name);
    const replay = await createReplayExecution(store, original, options, { flow, version, ownerId: this.ownerId, leaseTtlMs: this.leaseTtlMs });
    onStart?.(replay.execution.id);
    const input = await loadPayload(store, original.input);
    return this.#execute(store, flow, replay.execution, replay.records, 'run', options.hermetic ?? false, input, replay.change);
  }

  #get(store: Store, executionId: string): Promise<ExecutionRecord> {
    return getExecution(store, executionId);
  }

  #executionsApi(): Executions {
    return {
      ...executionReads(() => this.store()),
      input: async (executionId, wait, value, options) => {
        const store = await this.store();
        return inputWait(store, await this.#get(store, executionId), wait, value, options?.resolvedBy);
      },
      cancel: (executionId) => this.#cancel(executionId),
      resume: (executionId) => this.#continue(executionId, 'resume'),
      retry: (executionId) => this.#continue(executionId, 'retry'),
      replay: (executionId, options) => this.#replay(executionId, options ?? {}),
      begin: (operation, executionId) => startedRun((onStart) => this.#continue(executionId, operation, undefined, onStart)),
      beginReplay: (executionId, options) => startedRun((onStart) => this.#replay(executionId, options ?? {}, undefined, onStart)),
      recover: (options) => this.#recover(options ?? {}),
    };
  }

  async #cancel(executionId: string): Promise<{ status: ExecutionRecord['status'] | 'cancelling' }> {
    return cancelExecution(await this.store(), executionId, (id) => this.#live.get(id));
  }

  async #recover(options: RecoverOptions): Promise<RecoveryReport[]> {
    const store = await this.store();
    const reports: RecoveryReport[] = [];
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    // Queued work first, claimed by the store where it can (workers sharing it then never pick the same one).
    while (reports.length < limit && store.claimQueued) {
      const claimed = await store.claimQueued(
        claimFilterFor(this.#flows.keys(), (flow) => this.versionOf(flow), options.flows),
        leaseFor(this.ownerId, this.leaseTtlMs),
      );
      if (!claimed) break;
      reports.push(await this.#runClaimed(store, claimed, options));
    }
    if (reports.length >= limit) return reports;
    const candidates = (await store.listExecutions({ status: ['queued', 'running', 'waiting'] })).reverse(); // oldest first
    for (const execution of candidates) {
      if (reports.length >= limit) break;
      if (options.flows && !options.flows.includes(execution.flow)) continue;
      if (!this.#flows.has(execution.flow) || this.#live.has(execution.id)) continue;
      if (execution.replayOf?.change) continue; // Continued by its experiment (see #continue).
      const policy = this.versionOf(execution.flow);
      if (!servesExecution(policy, execution)) {
        // Another version's work: left exactly as it is, for a runtime of that version.
        if (options.onSkip && (await this.#isOwed(store, execution))) {
          options.onSkip({ executionId: execution.id, flow: execution.flow, codeVersion: execution.codeVersion!, runtimeVersion: policy.version ?? '(none)' });
        }
        continue;
      }
      if (!(await this.#isOwed(store, execution))) continue;
      try {
        const onStart = options.onStart;
        const started = onStart && ((): void => onStart({ executionId: execution.id, flow: execution.flow, found: execution.status }));
        const result = await this.#continue(execution.id, 'resume', undefined, started);
        runtimeMetrics()?.recoveries.add(1, { flow: execution.flow, found: execution.status });
        reports.push({ executionId: execution.id, flow: execution.flow, found: execution.status, result });
      } catch (error) {
        // Another worker took it first: not ours to report.
        if (ExecutionLeasedError.isInstance(error) || ExecutionStateError.isInstance(error)) continue;
        reports.push({ executionId: execution.id, flow: execution.flow, found: execution.status, error: asError(error) });
      }
    }
    return reports;
  }

  /** Runs an execution the store claimed from the queue for this runtime (see `Store.claimQueued`). */
  async #runClaimed(store: Store, execution: ExecutionRecord, options: RecoverOptions): Promise<RecoveryReport> {
    const report = { executionId: execution.id, flow: execution.flow, found: 'queued' as const };
    try {
      options.onStart?.(report);
      const records = await store.listCheckpoints(execution.id);
      const input = await loadPayload(store, execution.input);
      const result = await this.#execute(store, this.#flow(execution.flow), execution, records, 'run', false, input);
      runtimeMetrics()?.recoveries.add(1, { flow: execution.flow, found: 'queued' });
      return { ...report, result };
    } catch (error) {
      return { ...report, error: asError(error) };
    }
  }

  async #isOwed(store: Store, execution: ExecutionRecord): Promise<boolean> {
    if (execution.status === 'queued') return true;
    if (execution.status === 'running') return execution.lease === null || isLeaseAbandoned(execution.lease);
    const waits = await store.listWaits(execution.id);
    const now = Date.now();
    const pending = waits.filter((wait) => wait.status === 'pending');
    if (pending.some((wait) => wait.expiresAt !== undefined && wait.expiresAt <= now)) return true;
    return pending.length === 0 && waits.length > 0;
  }

  /** @internal The live session of an execution in this runtime, if any. */
  liveSession(executionId: string): Session | undefined {
    return this.#live.get(executionId);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new KeelError(String(error));
}
