import {
  CallPolicy,
  durableCall,
  durableStream,
  openWait,
  replayChange,
  requestFingerprint,
  storableData,
  type ApprovalDecision,
  type CheckpointOptions,
} from '@keel/core/adapter';
import { AgentRun, type ApprovalRequest } from './agent-run.js';
import { askHuman, humanQuestionOf, type HumanQuestion } from './hitl-tool.js';
import type { DurablePiecesOptions } from './options.js';
import type { ToolCallOptions, ToolShape } from './sdk-shapes.js';
import { ToolSetUnsupportedError } from './tool-set-unsupported-error.js';
import { approvalSchema, approvalWaitName, deniedOutput, interceptNeedsApproval, interceptToolApproval, isDeniedOutput } from './tool-approval.js';

/** Tools this adapter made, to the tool each wraps. */
const originals = new WeakMap<object, object>();
/** Where a tool set made by `durableTools()` keeps its run, for `durableToolApproval()`. */
const toolSetState = Symbol.for('keel.vercel-ai.tool-set');

interface ToolSetState {
  readonly run: AgentRun;
  readonly waitable: ReadonlySet<string>;
}

type Execute = (input: unknown, options: ToolCallOptions) => unknown;

/**
 * Makes tools durable: inside a Keel flow every call of a tool's `execute` is a checkpoint of kind
 * `tool` (`mcp` for tools from an `@ai-sdk/mcp` client), keyed by the call's `toolCallId` (scoped
 * by its position in the conversation, since providers may reuse ids across turns). On resume or
 * replay the recorded result is returned and the tool does not run again. A tool that needs approval
 * (`needsApproval`) opens a durable wait instead of ending the run; a rejected call never runs and the
 * model is told it was denied. Outside a flow the tools behave exactly as the ones they wrap.
 *
 * @example
 * ```ts
 * const result = await generateText({ model: durableModel(model), tools: durableTools({ searchNews, readPage }), prompt });
 * ```
 */
export function durableTools<Tools extends object>(tools: Tools, options: DurablePiecesOptions = {}): Tools {
  const run = new AgentRun();
  const { tools: wrapped, waitable } = wrapTools(tools, run, new CallPolicy(options));
  Object.defineProperty(wrapped, toolSetState, { value: { run, waitable } satisfies ToolSetState });
  return wrapped;
}

/**
 * The v7 `toolApproval` setting for a `generateText`/`streamText` call whose tools came from
 * {@link durableTools}: user approvals become durable waits of those tools. (`durable(agent)` does this
 * by itself.)
 *
 * @example
 * ```ts
 * const tools = durableTools({ deleteFile });
 * await generateText({ model, tools, toolApproval: durableToolApproval(tools, { deleteFile: 'user-approval' }), prompt });
 * ```
 */
export function durableToolApproval<Policy>(tools: object, toolApproval: Policy): Policy {
  const state = (tools as { [toolSetState]?: ToolSetState })[toolSetState];
  if (!state) throw new ToolSetUnsupportedError();
  return interceptToolApproval(toolApproval, state.run, state.waitable) as Policy;
}

/** Wraps every executable tool of a tool set for one run; returns the names of the wrapped ones too. */
export function wrapTools<Tools>(tools: Tools, run: AgentRun, settings: CallPolicy): { tools: Tools; waitable: Set<string> } {
  const waitable = new Set<string>();
  if (typeof tools !== 'object' || tools === null) return { tools, waitable };
  const wrapped: Record<string, unknown> = {};
  for (const [name, tool] of Object.entries(tools)) {
    wrapped[name] = wrapTool(name, tool, run, settings);
    if (typeof (tool as ToolShape | undefined)?.execute === 'function') waitable.add(name);
  }
  return { tools: wrapped as Tools, waitable };
}

function wrapTool(name: string, given: unknown, run: AgentRun, settings: CallPolicy): unknown {
  if (typeof given !== 'object' || given === null) return given;
  // A tool made durable before (durableTools() inside an agent given to durable()) is wrapped anew for
  // this run: approvals are noted per run, and the run's tools must all share it.
  const tool = originals.get(given) ?? given;
  const original = tool as ToolShape;
  if (typeof original.execute !== 'function') return tool; // Client-side and provider-executed tools: nothing runs here.
  const execute = original.execute as unknown as Execute;
  const question = humanQuestionOf(tool);
  const policy = settings.tool(name);
  const kind = policy.kind ?? (Object.prototype.hasOwnProperty.call(tool, '_meta') ? 'mcp' : 'tool');
  const call: ToolCall = { name, kind, execute, question, run, settings };
  // A copy with the same prototype and property descriptors keeps non-enumerable SDK markers.
  const copy = Object.create(Object.getPrototypeOf(tool) as object | null, Object.getOwnPropertyDescriptors(tool)) as Record<string, unknown>;
  const streaming = Object.prototype.toString.call(execute) === '[object AsyncGeneratorFunction]';
  define(copy, 'execute', (input: unknown, options: ToolCallOptions) => {
    const approval = run.durable ? run.takeApproval(options.toolCallId) : undefined;
    return streaming ? streamingCall(call, input, options, approval) : run.call(() => singleCall(call, input, options, approval));
  });
  if (original.needsApproval !== undefined) define(copy, 'needsApproval', interceptNeedsApproval(original.needsApproval, run));
  const toModelOutput = original.toModelOutput as ((options: ModelOutputOptions) => unknown) | undefined;
  define(copy, 'toModelOutput', (options: ModelOutputOptions) => {
    if (run.isDenied(options.toolCallId) && isDeniedOutput(options.output)) return options.output;
    return toModelOutput ? toModelOutput(options) : defaultModelOutput(options.output);
  });
  originals.set(copy, tool);
  return copy;
}

interface ToolCall {
  readonly name: string;
  readonly kind: 'tool' | 'mcp';
  readonly execute: Execute;
  readonly question: HumanQuestion | undefined;
  readonly run: AgentRun;
  readonly settings: CallPolicy;
}

interface ModelOutputOptions {
  readonly toolCallId: string;
  readonly input: unknown;
  readonly output: unknown;
}

async function singleCall(call: ToolCall, input: unknown, options: ToolCallOptions, approval: ApprovalRequest | undefined): Promise<unknown> {
  const { run } = call;
  run.throwIfFailed();
  if (!run.durable) return call.execute(input, options);
  try {
    const value = await untilAborted(
      durableCall(toolSpec(call, input, options, approval), async (context) => {
        if (call.question) return askHuman(call.name, call.question, input, options.toolCallId);
        if (approval) {
          const answer = await askApproval(call, input, options, approval);
          if (!answer.approve) return deniedOutput(answer.reason);
        }
        // An experiment's change may replace the tool's implementation (core answers the rest of its policy).
        const replacement = replayChange()?.tool(call.name);
        if (replacement) return replacement(input);
        const result = call.execute(input, { ...options, abortSignal: joinSignals(options.abortSignal, context.signal) });
        return isAsyncIterable(result) ? lastValue(result) : result;
      }),
      run.signal,
    );
    if (approval && isDeniedOutput(value)) run.markDenied(options.toolCallId);
    return value;
  } catch (error) {
    run.fail(error);
    throw error;
  }
}

/** A tool whose `execute` is an async generator: its preliminary results are recorded and replayed too. */
async function* streamingCall(call: ToolCall, input: unknown, options: ToolCallOptions, approval: ApprovalRequest | undefined): AsyncGenerator<unknown> {
  const { run } = call;
  run.throwIfFailed();
  if (!run.durable) {
    yield* call.execute(input, options) as AsyncIterable<unknown>;
    return;
  }
  const values = run.call(() =>
    durableStream<unknown>(toolSpec(call, input, options, approval), async (context) => {
      if (approval) {
        const answer = await askApproval(call, input, options, approval);
        if (!answer.approve) return only(deniedOutput(answer.reason));
      }
      const result = call.execute(input, { ...options, abortSignal: joinSignals(options.abortSignal, context.signal) });
      return isAsyncIterable(result) ? result : only(await result);
    }),
  );
  let last: unknown;
  try {
    for await (const value of untilAbortedIterable(values, run.signal)) {
      last = value;
      yield value;
    }
  } catch (error) {
    run.fail(error);
    throw error;
  }
  if (approval && isDeniedOutput(last)) run.markDenied(options.toolCallId);
}

/** Asks a person whether this call may run (a durable wait inside the tool call's checkpoint). */
function askApproval(call: ToolCall, input: unknown, options: ToolCallOptions, approval: ApprovalRequest): Promise<ApprovalDecision> {
  return openWait(approvalWaitName(call.name), {
    schema: approvalSchema,
    question: `Approve the call of tool "${call.name}" with ${JSON.stringify(storableData(input))}?` + (approval.reason ? ` (${approval.reason})` : ''),
    metadata: {
      toolName: call.name,
      toolCallId: options.toolCallId,
      input: storableData(input),
      ...(approval.reason ? { reason: approval.reason } : {}),
    },
  });
}

function toolSpec(call: ToolCall, input: unknown, options: ToolCallOptions, approval: ApprovalRequest | undefined): CheckpointOptions & { name: string } {
  const policy = call.settings.tool(call.name);
  const data = storableData(input);
  return {
    name: call.name,
    kind: call.kind,
    key: toolCallKey(options),
    fingerprint: requestFingerprint({ tool: call.name, input: data }),
    ...call.settings.retries(call.kind, call.name),
    ...call.settings.captured(call.kind, call.name, data, {
      toolName: call.name,
      toolCallId: options.toolCallId,
      ...(approval ? { approval: 'required' } : {}),
      ...(call.question ? { human: true } : {}),
    }),
    ...(policy.durable === false ? { durable: false } : {}),
    ...(policy.delivery ? { delivery: policy.delivery } : {}),
  };
}

/**
 * A tool call's key: its id, scoped by the number of messages the step was given. Providers may
 * reuse ids across turns (`toolu_01` again in the next response); the message count grows with every
 * step, so the pair is unique within a run, and it is the same on every replay.
 */
export function toolCallKey(options: ToolCallOptions): string {
  const id = options.toolCallId.replace(/[/\s]/g, '_');
  return options.messages ? `${id}@${options.messages.length}` : id;
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** What the SDK gives the model for a tool result when the tool says nothing else. */
function defaultModelOutput(output: unknown): unknown {
  if (typeof output === 'string') return { type: 'text', value: output };
  const text = output === undefined ? undefined : JSON.stringify(output);
  return { type: 'json', value: text === undefined ? null : (JSON.parse(text) as unknown) };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

async function* only(value: unknown): AsyncGenerator<unknown> {
  yield value;
}

async function lastValue(values: AsyncIterable<unknown>): Promise<unknown> {
  let last: unknown;
  for await (const value of values) last = value;
  return last;
}

function joinSignals(signal: AbortSignal | undefined, other: AbortSignal): AbortSignal {
  return signal ? AbortSignal.any([signal, other]) : other;
}

/**
 * The promise, or its run's abort reason. A call stopped at a wait never settles in this process;
 * when the run is ended from outside (it is stored as waiting and the caller gets an error), the SDK
 * must not be left waiting for it.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

async function* untilAbortedIterable<T>(values: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = values[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await untilAborted(Promise.resolve(iterator.next()), signal);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    void iterator.return?.();
  }
}
