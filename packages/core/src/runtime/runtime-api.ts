import type { Store } from '../store/store.js';
import type { ArtifactRecord, CheckpointRecord, ExecutionFilter, ExecutionRecord, LogRecord, WaitRecord } from '../store/records.js';
import type { VersionPolicy } from './code-version.js';
import type { Deployments } from './deployments.js';
import type { Experiment, Experiments } from '../experiments/experiments-api.js';
import type { ExperimentDefinition } from '../experiments/experiment-types.js';
import type { FlowFunction, FlowOptions, PendingWait, ReplayOptions, RunOptions, RunResult } from './types.js';

/** A flow bound to a runtime: start, resume, retry and replay its executions. */
export interface Flow<Input = unknown, Output = unknown> {
  /** The name the flow is registered under; executions remember it. */
  readonly name: string;
  /** Runs a new execution to its end, or to a wait. */
  run(input: Input, options?: RunOptions): Promise<RunResult<Output>>;
  /** Creates a queued execution for a worker to run, and returns at once. */
  start(input: Input, options?: RunOptions): Promise<{ executionId: string }>;
  /** Continues a waiting or abandoned execution from the top; completed checkpoints are reused. */
  resume(executionId: string): Promise<RunResult<Output>>;
  /** Runs a failed execution again; what completed is reused, what failed runs again. */
  retry(executionId: string): Promise<RunResult<Output>>;
  /** A new execution that reuses the given one's checkpoints (see {@link ReplayOptions}). */
  replay(executionId: string, options?: ReplayOptions): Promise<RunResult<Output>>;
}

/** An execution as `executions.get` shows it: the record, with its input, output and waits decoded. */
export interface ExecutionInfo extends Omit<ExecutionRecord, 'input' | 'output' | 'error'> {
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: Error;
  readonly waits: readonly WaitInfo[];
}

/** A wait as surfaces show it, with its input decoded. */
export interface WaitInfo extends Omit<WaitRecord, 'input'> {
  readonly input?: unknown;
}

/** A checkpoint record with its captured input and its output decoded. */
export interface CheckpointInfo extends Omit<CheckpointRecord, 'input' | 'output'> {
  readonly input?: unknown;
  readonly output?: unknown;
}

/** What `recover()` did with one execution. */
export interface RecoveryReport {
  readonly executionId: string;
  readonly flow: string;
  /** The status the execution had when recovery found it. */
  readonly found: ExecutionRecord['status'];
  readonly result?: RunResult;
  readonly error?: Error;
}

/** Options of `executions.recover()`. */
export interface RecoverOptions {
  /** Run at most this many executions. */
  readonly limit?: number;
  /** Only executions of these flows. */
  readonly flows?: readonly string[];
  /** Called when this runtime has taken an execution and starts running it. */
  readonly onStart?: (execution: { readonly executionId: string; readonly flow: string; readonly found: ExecutionRecord['status'] }) => void;
  /**
   * Called for an owed execution this runtime leaves alone because another code version started it
   * (see `RuntimeOptions.compatibleWith`); it stays as it is for a runtime of that version.
   */
  readonly onSkip?: (execution: { readonly executionId: string; readonly flow: string; readonly codeVersion: string; readonly runtimeVersion: string }) => void;
}

/**
 * A run that has started: its execution exists and this runtime holds it. Surfaces answer with the id
 * at once and follow `result`, instead of polling the store to learn that the run began.
 */
export interface RunHandle<Output = unknown> {
  readonly executionId: string;
  /** Settles when the run ends or reaches a wait, as `run`/`resume`/`retry`/`replay` would. */
  readonly result: Promise<RunResult<Output>>;
}

/** Operations on stored executions, by id: what the CLI, the HTTP API and MCP are built on. */
export interface Executions {
  list(filter?: ExecutionFilter): Promise<ExecutionRecord[]>;
  get(executionId: string): Promise<ExecutionInfo>;
  /** Checkpoint records in call order, with inputs and outputs decoded. */
  checkpoints(executionId: string, options?: { payloads?: true }): Promise<CheckpointInfo[]>;
  /** Checkpoint records in call order as stored (payload references, nothing decoded). */
  checkpoints(executionId: string, options: { payloads: false }): Promise<CheckpointRecord[]>;
  waits(executionId: string): Promise<WaitInfo[]>;
  artifacts(executionId: string): Promise<ArtifactRecord[]>;
  /** The value of a named artifact. */
  artifact(executionId: string, name: string): Promise<{ record: ArtifactRecord; value: unknown }>;
  logs(executionId: string, options?: { offset?: number; limit?: number }): Promise<LogRecord[]>;
  /**
   * Gives input to a pending wait (by name or id), validated against the wait's JSON Schema. Invalid
   * input throws `WaitInputInvalidError` and changes nothing. Does not resume: a worker or `resume` does.
   */
  input(executionId: string, wait: string, value: unknown, options?: { resolvedBy?: string }): Promise<{ waitId: string; pending: PendingWait[] }>;
  cancel(executionId: string): Promise<{ status: ExecutionRecord['status'] | 'cancelling' }>;
  resume(executionId: string): Promise<RunResult>;
  retry(executionId: string): Promise<RunResult>;
  replay(executionId: string, options?: ReplayOptions): Promise<RunResult>;
  /**
   * Starts `resume` or `retry` and resolves as soon as this runtime holds the execution; it rejects
   * when the operation is refused before it starts (unknown id, status, another holder, version).
   */
  begin(operation: 'resume' | 'retry', executionId: string): Promise<RunHandle>;
  /** Starts a replay and resolves as soon as its new execution exists (refusals reject). */
  beginReplay(executionId: string, options?: ReplayOptions): Promise<RunHandle>;
  /**
   * Runs what is owed: queued executions, abandoned ones (their holder died or its lease expired),
   * and waiting ones whose waits all got input or timed out.
   */
  recover(options?: RecoverOptions): Promise<RecoveryReport[]>;
}

/** A Keel runtime: a store, the flows registered on it, and operations on their executions. */
export interface Runtime {
  /** Registers a flow under `name` (replacing one of the same name) and returns its handle. */
  flow<Input, Output>(name: string, fn: FlowFunction<Input, Output>, options?: FlowOptions<Input>): Flow<Input, Output>;
  /**
   * The code version this runtime records on new executions of a registered flow, and the versions it
   * continues (see `RuntimeOptions.codeVersion` and `compatibleWith`).
   */
  versionOf(flow: string): VersionPolicy;
  /** Names of the registered flows. */
  flows(): string[];
  /** Runs a new execution of a registered flow by name (what `flow(name).run` does). */
  run(flow: string, input: unknown, options?: RunOptions): Promise<RunResult>;
  /** Creates a queued execution of a registered flow by name, for a worker; returns at once. */
  start(flow: string, input: unknown, options?: RunOptions): Promise<{ executionId: string }>;
  /** Starts a new execution in this process and resolves as soon as it exists (see {@link RunHandle}). */
  begin(flow: string, input: unknown, options?: RunOptions): Promise<RunHandle>;
  readonly executions: Executions;
  /** Deployed flow versions, tags, and invocations routed through them. */
  readonly deployments: Deployments;
  /**
   * Defines an experiment (a cohort of recorded runs replayed with a change, compared member by
   * member) under `name`; it runs as an execution of the flow `experiment:<name>`.
   */
  experiment(name: string, definition: ExperimentDefinition): Experiment;
  /** Stored experiments, and the ones defined here. */
  readonly experiments: Experiments;
  /** The store, once opened. */
  store(): Promise<Store>;
  /** A unique id of this runtime instance, used as its lease owner. */
  readonly ownerId: string;
  /** Closes the store. */
  close(): Promise<void>;
}
