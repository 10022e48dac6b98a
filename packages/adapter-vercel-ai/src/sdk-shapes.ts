/**
 * The parts of the `ai` SDK this adapter touches, as structural types. The adapter works with `ai`
 * 6 (LanguageModelV3) and 7 (LanguageModelV4) from one build, so it never imports the SDK at run
 * time and types only what it reads; the public functions keep the caller's own SDK types through
 * generics.
 */

/** A language model object (`LanguageModelV3` in ai 6, `LanguageModelV4` in ai 7). */
export interface LanguageModelShape {
  readonly specificationVersion: string;
  readonly provider: string;
  readonly modelId: string;
  doGenerate(options: never): PromiseLike<unknown>;
  doStream(options: never): PromiseLike<unknown>;
}

/** The call options a model receives (`LanguageModelV{3,4}CallOptions`), as far as the adapter reads them. */
export interface ModelCallOptions {
  readonly prompt: unknown;
  readonly abortSignal?: AbortSignal;
  readonly headers?: Record<string, string | undefined>;
  readonly [option: string]: unknown;
}

/** What `doGenerate` resolves with, as far as the adapter reads it. */
export interface ModelGenerateResult {
  readonly content?: readonly unknown[];
  readonly finishReason?: unknown;
  readonly usage?: unknown;
  readonly request?: { readonly body?: unknown; readonly [field: string]: unknown };
  readonly response?: { readonly body?: unknown; readonly [field: string]: unknown };
  readonly [field: string]: unknown;
}

/** What `doStream` resolves with. */
export interface ModelStreamResult {
  readonly stream: ReadableStream<StreamPart>;
  readonly request?: { readonly body?: unknown; readonly [field: string]: unknown };
  readonly response?: { readonly [field: string]: unknown };
  readonly [field: string]: unknown;
}

/** One part of a model stream (`LanguageModelV{3,4}StreamPart`). */
export interface StreamPart {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** The second argument of a tool's `execute` (`ToolExecutionOptions`, v6 and v7). */
export interface ToolCallOptions {
  readonly toolCallId: string;
  readonly messages?: readonly unknown[];
  readonly abortSignal?: AbortSignal;
  readonly [field: string]: unknown;
}

/** A tool as the adapter sees it. */
export interface ToolShape {
  readonly type?: string;
  readonly execute?: (input: never, options: never) => unknown;
  readonly needsApproval?: unknown;
  readonly toModelOutput?: (options: never) => unknown;
  readonly [field: string]: unknown;
}

/** An agent with the `Agent` interface of ai 6 and 7 (`ToolLoopAgent` implements it). */
export interface AgentShape {
  generate(options: never): PromiseLike<unknown>;
  stream(options: never): PromiseLike<unknown>;
}

/** The status a v7 `toolApproval` policy returns for one call. */
export type ToolApprovalStatus = undefined | 'not-applicable' | 'approved' | 'denied' | 'user-approval' | { readonly type: string; readonly reason?: string };
