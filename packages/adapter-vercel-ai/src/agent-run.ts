import { AsyncResource } from 'node:async_hooks';
import { KeelError } from '@keel/core';
import { isFlowActive } from '@keel/core/adapter';

/** What the policy said about a tool call that needs a person's approval. */
export interface ApprovalRequest {
  readonly reason?: string;
}

/**
 * The state one agent run shares between its model wrapper and its tool wrappers.
 *
 * The SDK calls models and tools from inside its own stream pipeline, and which async context such a
 * callback runs in depends on who happens to pull the stream (the caller's code may read it outside
 * the flow). A run therefore remembers the context it started in — inside the flow, inside its own
 * checkpoint — and runs every model request and tool call there, so their checkpoint ids never depend
 * on who reads the stream.
 */
export class AgentRun {
  /** Tool calls the SDK's approval policy sent to a person, by tool call id, until their `execute` takes them. */
  readonly #approvals = new Map<string, ApprovalRequest>();
  /** Tool call ids a person rejected in this run, so their output reaches the model as a denial. */
  readonly #denied = new Set<string>();
  readonly #controller = new AbortController();
  #context: AsyncResource | undefined;
  #fatal: { readonly error: unknown } | undefined;
  #abandoned = false;

  /** Remembers the current async context (call it inside the run's checkpoint) and links cancellation. */
  bind(signal?: AbortSignal): void {
    this.#context = new AsyncResource('keel.agent-run');
    signal?.addEventListener('abort', () => this.abort(signal.reason), { once: true });
  }

  /** Runs `fn` in the run's context (or the current one for the standalone pieces). */
  call<T>(fn: () => T): T {
    return this.#context ? this.#context.runInAsyncScope(fn) : fn();
  }

  /** Whether calls are recorded: the run was bound inside a flow, or a flow is active right now. */
  get durable(): boolean {
    return this.#context !== undefined ? this.call(isFlowActive) : isFlowActive();
  }

  /** Aborted when the run must stop: a Keel error in a call, a cancel, or a run that ended waiting. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The run's signal joined with another one (the caller's, an attempt's). */
  joinSignal(other: AbortSignal | undefined): AbortSignal {
    return other ? AbortSignal.any([other, this.#controller.signal]) : this.#controller.signal;
  }

  /** Stops the run with `reason`. */
  abort(reason: unknown): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
  }

  /**
   * Ends a run whose execution already stopped at a wait (it is stored as `waiting`): the SDK is told
   * to stop, and the run's own checkpoint must not record anything after this — a resume continues
   * from the wait, not from how this process wound down.
   */
  abandon(reason: unknown): void {
    this.#abandoned = true;
    this.abort(reason);
  }

  /** Whether the run was abandoned at a wait (see {@link abandon}). */
  get abandoned(): boolean {
    return this.#abandoned;
  }

  /**
   * A Keel error (divergence, a replay miss, a cancel) inside a call ends the whole run. The SDK would
   * otherwise turn it into a tool error the model reads and answers, and the run would go on from a
   * history that is not the recorded one.
   */
  fail(error: unknown): void {
    if (!KeelError.isInstance(error) || this.#fatal) return;
    this.#fatal = { error };
    this.abort(error);
  }

  /** Throws the error that ended the run, if any. */
  throwIfFailed(): void {
    if (this.#fatal) throw this.#fatal.error;
  }

  /** The error that ended the run, else `error`. */
  reasonFor(error: unknown): unknown {
    return this.#fatal ? this.#fatal.error : error;
  }

  /** The approval policy sent this tool call to a person. */
  requestApproval(toolCallId: string, request: ApprovalRequest): void {
    this.#approvals.set(toolCallId, request);
  }

  /** Takes the approval request of a tool call, if the policy made one (once: ids can repeat in later steps). */
  takeApproval(toolCallId: string): ApprovalRequest | undefined {
    const request = this.#approvals.get(toolCallId);
    this.#approvals.delete(toolCallId);
    return request;
  }

  /** A person rejected this tool call. */
  markDenied(toolCallId: string): void {
    this.#denied.add(toolCallId);
  }

  /** Whether a person rejected this tool call in this run. */
  isDenied(toolCallId: string): boolean {
    return this.#denied.has(toolCallId);
  }
}
