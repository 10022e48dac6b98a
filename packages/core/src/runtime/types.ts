import type { Budget } from './budget.js';
import type { z } from 'zod';
import type { CheckpointKind, Delivery, ExecutionStatus } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { ReplayChange } from './replay-change.js';

/** The body of a flow: an async function of its input. */
export type FlowFunction<Input, Output> = (input: Input) => Promise<Output> | Output;

/** A wait an execution stopped at, as `run()` reports it. */
export interface PendingWait {
  /** The name given to `wait()`. */
  readonly name: string;
  /** The wait's checkpoint id, e.g. `approve_publish:1`. */
  readonly id: string;
  readonly question?: string;
  /** JSON Schema of the expected input. */
  readonly schema: Readonly<Record<string, unknown>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Epoch ms after which the wait times out, when a timeout was given. */
  readonly expiresAt?: number;
}

/** What `run`, `resume`, `retry` and `replay` resolve with. They reject only for operational errors. */
export interface RunResult<Output = unknown> {
  readonly executionId: string;
  readonly status: Extract<ExecutionStatus, 'completed' | 'waiting' | 'failed' | 'cancelled'>;
  /** The flow's return value, when `completed`. */
  readonly output?: Output;
  /** Why it failed or was cancelled. */
  readonly error?: Error;
  /** The open waits, when `waiting`. */
  readonly waits?: readonly PendingWait[];
}

/** Options of `flow(name, fn, options)`. */
export interface FlowOptions<Input = unknown> {
  /** This flow's code version, instead of the runtime's (see `RuntimeOptions.codeVersion`). */
  readonly version?: string;
  /** Versions of this flow whose executions this code can continue, besides the runtime's `compatibleWith`. */
  readonly compatibleWith?: readonly string[];
  /**
   * The schema of the flow's input. `run` and `start` validate input against it, and `keel deploy`
   * stores it as JSON Schema, so invocations from the CLI, HTTP and MCP are validated without the code.
   */
  readonly input?: z.ZodType<Input>;
  /**
   * The spend budget of each execution of this flow, unless `run`/`start` give one: at it, the next
   * live model call waits for a person's decision (the durable wait `budget`) instead of being made.
   */
  readonly budget?: Budget;
}

/** Options of `flow.run`. */
export interface RunOptions {
  /** Use this id for the new execution instead of a generated one (it must be new and a safe file name). */
  readonly executionId?: string;
  /** Small JSON labels kept on the execution (who started it, a ticket number …). */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The spend budget of this execution, instead of the flow's (see `FlowOptions.budget`). */
  readonly budget?: Budget;
}

/** Options of `flow.replay`. */
export interface ReplayOptions {
  /**
   * The checkpoint to re-run from: the original's checkpoints that completed before it are reused,
   * it and everything after it run again. Without `from`, a live replay starts from the earliest
   * overridden checkpoint; a hermetic one (or one with no overrides) reuses every completed checkpoint.
   */
  readonly from?: string;
  /** Checkpoint ids whose outputs are replaced by these values in the new execution. */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** Fail with `ReplayMissError` on any call that has no record, instead of running it live. */
  readonly hermetic?: boolean;
  /** Use this id for the new execution instead of a generated one (it must be new and a safe file name). */
  readonly executionId?: string;
  /**
   * Run with a change (a model swapped, instructions or a tool replaced): without `from`, the replay
   * re-runs from the first call the change touches, tool calls are answered per the change's
   * `toolAnswers`, and waits the original answered get the same answer. What an experiment does to
   * each member; the change is kept on `replayOf.change` as JSON.
   */
  readonly change?: ReplayChange;
  /** Small JSON labels kept on the new execution. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The replay's spend budget (reused calls cost it nothing), instead of the flow's. */
  readonly budget?: Budget;
}

/** How long to wait between attempts of a checkpoint. */
export type Backoff =
  /** The same delay in ms before every retry. */
  | number
  /** Exponential: `initial * factor^(retry-1)`, capped at `max`, with ±`jitter` (0–1) randomness. */
  | { readonly initial?: number; readonly factor?: number; readonly max?: number; readonly jitter?: number }
  /** Any rule: the delay in ms before retry number `retry` (1-based) after `error`. */
  | ((retry: number, error: unknown) => number);

/** Options of `checkpoint()`. */
export interface CheckpointOptions {
  /** Extra attempts after a failure (default 0). */
  readonly retries?: number;
  /** Delay between attempts (default: exponential from 500 ms, ×2, at most 30 s). */
  readonly backoff?: Backoff;
  /** Which errors are worth another attempt (default: all but Keel's own non-retryable errors). */
  readonly retryOn?: (error: unknown) => boolean;
  /** Abort an attempt after this many ms (its `signal` aborts; the attempt fails with `CheckpointTimeoutError`). */
  readonly timeout?: number;
  /** What the call is, for surfaces and the capture policy (default `step`). */
  readonly kind?: Exclude<CheckpointKind, 'wait'>;
  /**
   * A stable key to use instead of the call counter in the checkpoint id (`name:key`), e.g. a tool
   * call id from the recorded model output.
   */
  readonly key?: string;
  /** A hash of the normalized request; a different fingerprint at a recorded id is a divergence. */
  readonly fingerprint?: string;
  /**
   * Fingerprints the same request had under an earlier normal form of the adapter (before it
   * covered one more field, say): a record carrying one of them is the same call, so executions
   * recorded before the change still resume.
   */
  readonly formerFingerprints?: readonly string[];
  /**
   * `false`: the call is identified by its `key` alone, not by its position among its siblings, so
   * it is left out of the divergence check by position. For harnesses that legitimately change the
   * order of calls between sessions (LangGraph skips nodes that already finished).
   */
  readonly ordered?: boolean;
  /** What the call was given (prompt, tool arguments), captured per the capture policy. */
  readonly input?: unknown;
  /** Small JSON shown with the record (model id, tool name …). */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** `false`: nothing is reused; the call runs again on every resume and replay (default `true`). */
  readonly durable?: boolean;
  /**
   * `at-most-once`: an attempt interrupted by a crash is not re-run by itself; the execution waits
   * for a decision (`rerun` or `fail`) instead (default `at-least-once`).
   */
  readonly delivery?: Delivery;
}

/** What a checkpoint's function receives. */
export interface CheckpointContext {
  readonly executionId: string;
  readonly checkpointId: string;
  /** 1 for the first attempt, counting across processes. */
  readonly attempt: number;
  /** `<executionId>:<checkpointId>`: the same for every attempt of this call, different for any other call. */
  readonly idempotencyKey: string;
  /** Aborted when the execution is cancelled or the attempt times out. */
  readonly signal: AbortSignal;
  /** Adds small JSON to the record (model id, token usage, finish reason …). */
  setMetadata(metadata: Readonly<Record<string, unknown>>): void;
}

/** Options of `wait()`. */
export interface WaitOptions<Schema extends z.ZodType> {
  /** The input's schema; input is validated against it (as JSON Schema where the code is not at hand). */
  readonly schema: Schema;
  /** The question shown to whoever answers. */
  readonly question?: string;
  /** Give up after this many ms with no input: `wait()` then throws `WaitTimeoutError`. */
  readonly timeout?: number;
  /** Small JSON shown with the wait (what is being approved, links …). */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** A stable key to use instead of the call counter in the wait's id (`name:key`). */
  readonly key?: string;
  /** `false`: identified by `key` alone, left out of the check by position (see `CheckpointOptions.ordered`). */
  readonly ordered?: boolean;
}

/** How much of a call is recorded beyond what replay needs. */
export type CaptureLevel = 'full' | 'metadata' | 'none';

/**
 * The capture policy: what is recorded beyond what replay needs. Outputs that replay needs are always
 * stored (unless a call opts out with `durable: false`), so redaction applies to captured inputs.
 */
export interface CapturePolicy {
  /** The level for every call not matched below (default `full`). */
  readonly default?: CaptureLevel;
  /** Per kind of call. */
  readonly kinds?: Partial<Record<CheckpointKind, CaptureLevel>>;
  /** Per checkpoint name (a tool's name), the most specific rule. */
  readonly names?: Readonly<Record<string, CaptureLevel>>;
  /** Rewrites a captured input before it is stored (drop secrets, personal data …). */
  readonly redact?: (value: unknown, call: { readonly name: string; readonly kind: CheckpointKind }) => unknown;
}

/** Options of `createRuntime()` and `configure()`. */
export interface RuntimeOptions {
  /** Where state lives: a {@link Store}, or a store URL (`./.keel`, `sqlite:./keel.db`, `postgres://…`, `memory:`). */
  readonly store?: Store | string;
  /**
   * The version of your code (a git commit, a release, a build id), kept on each execution it starts.
   * Only a runtime of the same version, or one that declares it in `compatibleWith`, continues an
   * execution. Default: `KEEL_CODE_VERSION`, else per flow a digest of the flow function's source
   * (`src:…`).
   */
  readonly codeVersion?: string;
  /**
   * Older code versions whose executions this code can safely continue (their recorded history fits
   * this code, with changed steps guarded by `patched()`). `'*'` takes any version: for development
   * only. Added to `KEEL_COMPATIBLE_WITH` (comma-separated).
   */
  readonly compatibleWith?: readonly string[];
  /** How long a lease lasts without renewal (default 30 s). The holder renews it every third of that. */
  readonly leaseTtlMs?: number;
  readonly capture?: CapturePolicy;
}
