import type { z } from 'zod';
import { openWait } from '@keel/core/adapter';

/** Where a human-in-the-loop tool keeps what its wait needs, for the durable tool wrapper. */
export const humanQuestion = Symbol.for('keel.vercel-ai.human-question');

/** What a human-in-the-loop tool asks. */
export interface HumanQuestion<Input = unknown> {
  /** The question shown to whoever answers; a function of the model's tool input, or fixed text. */
  readonly question: string | ((input: Input) => string);
  /** The answer's schema (validated where the answer is given, and again when the run resumes). */
  readonly schema: z.ZodType;
  /** Give up after this many ms without an answer: the tool call then fails with `WaitTimeoutError`. */
  readonly timeout?: number;
}

/** Options of {@link hitlTool}. */
export interface HitlToolOptions<InputSchema extends z.ZodType, AnswerSchema extends z.ZodType> {
  /** What the tool is for, as the model reads it. */
  readonly description?: string;
  /** The input the model gives (the question's details). */
  readonly inputSchema: InputSchema;
  /** The question a person answers; a function of the model's input, or fixed text. */
  readonly question: string | ((input: z.output<InputSchema>) => string);
  /** The answer's schema; the answer is the tool's result. */
  readonly schema: AnswerSchema;
  /** Give up after this many ms without an answer. */
  readonly timeout?: number;
  /**
   * The wait's name when the tool runs without `durable()`/`durableTools()` around it (they name the
   * wait after the tool). Default `human_input`.
   */
  readonly name?: string;
}

/** A tool whose result is a person's answer. Usable in `tools` of ai 6 and 7. */
export interface HitlTool<Input, Answer> {
  readonly description?: string;
  readonly inputSchema: z.ZodType<Input>;
  execute(input: Input, options: { readonly toolCallId: string }): Promise<Answer>;
  readonly [humanQuestion]: HumanQuestion<Input>;
}

/**
 * A tool whose answer comes from a person through a durable wait. When the model calls it, the run
 * stops at a wait named after the tool (the process may exit); the answer — given from the CLI, the
 * HTTP API, MCP or code, validated against `schema` — becomes the tool's result when the run resumes.
 *
 * @example
 * ```ts
 * const askEditor = hitlTool({
 *   description: 'Ask the editor which story to lead with',
 *   inputSchema: z.object({ options: z.array(z.string()) }),
 *   question: ({ options }) => `Which story leads? ${options.join(' / ')}`,
 *   schema: z.object({ choice: z.string() }),
 * });
 * const agent = durable(new ToolLoopAgent({ model, tools: { askEditor } }));
 * ```
 */
export function hitlTool<InputSchema extends z.ZodType, AnswerSchema extends z.ZodType>(
  options: HitlToolOptions<InputSchema, AnswerSchema>,
): HitlTool<z.output<InputSchema>, z.output<AnswerSchema>> {
  const spec: HumanQuestion<z.output<InputSchema>> = {
    question: options.question,
    schema: options.schema,
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
  };
  return {
    ...(options.description !== undefined ? { description: options.description } : {}),
    inputSchema: options.inputSchema as z.ZodType<z.output<InputSchema>>,
    execute: (input, call) => askHuman(options.name ?? 'human_input', spec, input, call.toolCallId) as Promise<z.output<AnswerSchema>>,
    [humanQuestion]: spec,
  };
}

/** Opens the wait of a human-in-the-loop tool call and resolves with the answer. */
export function askHuman<Input>(waitName: string, spec: HumanQuestion<Input>, input: Input, toolCallId: string): Promise<unknown> {
  return openWait(waitName, {
    schema: spec.schema,
    question: typeof spec.question === 'function' ? spec.question(input) : spec.question,
    metadata: { toolCallId, input: input as unknown },
    ...(spec.timeout !== undefined ? { timeout: spec.timeout } : {}),
  });
}

/** The question of a human-in-the-loop tool, if `tool` is one. */
export function humanQuestionOf(tool: unknown): HumanQuestion | undefined {
  return typeof tool === 'object' && tool !== null ? (tool as { [humanQuestion]?: HumanQuestion })[humanQuestion] : undefined;
}
