/**
 * A change a replay runs with: what an experiment tries on recorded runs. Models, instructions and
 * tool implementations are the harness's own objects, so a change lives in the code that starts the
 * replay; the execution keeps only its {@link ReplayChangeSummary}.
 */
export interface ReplayChange {
  /**
   * A swap per model: the model id recorded on the original's model calls, to the model to call
   * instead (a model object of the harness, e.g. an AI SDK `LanguageModel`). Adapters that support
   * swaps ask for it on each model call (see `replayChange()` in `@keel/core/adapter`).
   */
  readonly models?: Readonly<Record<string, unknown>>;
  /** Instructions (the system prompt) that replace the recorded ones on every model request. */
  readonly instructions?: string;
  /** A tool's implementation, by tool name, run instead of the tool's own (always live). */
  readonly tools?: Readonly<Record<string, (input: unknown) => unknown>>;
  /** How tool calls are answered; by default every tool is answered from the original's records. */
  readonly toolAnswers?: ToolAnswers;
}

/**
 * How one tool's calls are answered in a replay with a change:
 * - `recorded`: from the original's record of the same tool with the same input (nothing is sent
 *   anywhere, nothing is paid twice); a call the original never made is a miss, which fails the call
 *   (`onMiss: 'fail'`, the default) or runs it live (`onMiss: 'live'`);
 * - `live`: the tool runs.
 */
export type ToolAnswer = 'live' | 'recorded' | { readonly mode: 'recorded'; readonly onMiss?: 'fail' | 'live' } | { readonly mode: 'live' };

/** Tool answers per tool name, and for every tool not named. */
export interface ToolAnswers {
  /** For tools not named in `tools` (default `recorded`, a miss fails). */
  readonly default?: ToolAnswer;
  readonly tools?: Readonly<Record<string, ToolAnswer>>;
}

/** A {@link ToolAnswer} with its defaults filled in. */
export interface ResolvedToolAnswer {
  readonly mode: 'recorded' | 'live';
  readonly onMiss: 'fail' | 'live';
}

/** How a tool call of a replay with a change was answered (its record's `toolAnswer` metadata). */
export type ToolAnswerKind =
  /** From the original's record. */
  | 'record'
  /** The tool ran: its policy is `live`. */
  | 'live'
  /** The original has no such call, and the policy ran it live (`onMiss: 'live'`). */
  | 'miss-live'
  /** The original has no such call, and the call failed (`onMiss: 'fail'`). */
  | 'miss'
  /** The change's replacement implementation ran. */
  | 'replacement';

/** What a replay's execution record keeps of its change: JSON, for surfaces. */
export interface ReplayChangeSummary {
  /** Recorded model id → the id of the model that replaced it (or `(given model)` when it has none). */
  readonly models?: Readonly<Record<string, string>>;
  readonly instructions?: string;
  /** Tools whose implementation was replaced. */
  readonly tools?: readonly string[];
  readonly toolAnswers: { readonly default: ResolvedToolAnswer; readonly tools?: Readonly<Record<string, ResolvedToolAnswer>> };
  /** The experiment the replay is a member of. */
  readonly experiment?: string;
}

/** The answer policy of one tool. */
export function toolAnswerFor(answers: ToolAnswers | undefined, tool: string): ResolvedToolAnswer {
  return resolveToolAnswer(answers?.tools?.[tool] ?? answers?.default);
}

function resolveToolAnswer(answer: ToolAnswer | undefined): ResolvedToolAnswer {
  if (answer === undefined || answer === 'recorded') return { mode: 'recorded', onMiss: 'fail' };
  if (answer === 'live') return { mode: 'live', onMiss: 'live' };
  return answer.mode === 'live' ? { mode: 'live', onMiss: 'live' } : { mode: 'recorded', onMiss: answer.onMiss ?? 'fail' };
}

/** The JSON summary of a change, kept on the replay's execution record. */
export function summarizeChange(change: ReplayChange, experiment?: string): ReplayChangeSummary {
  const models = Object.entries(change.models ?? {}).map(([from, model]) => [from, modelIdOf(model)] as const);
  const tools = Object.keys(change.tools ?? {});
  const named = Object.entries(change.toolAnswers?.tools ?? {}).map(([tool, answer]) => [tool, resolveToolAnswer(answer)] as const);
  return {
    ...(models.length ? { models: Object.fromEntries(models) } : {}),
    ...(change.instructions !== undefined ? { instructions: change.instructions } : {}),
    ...(tools.length ? { tools } : {}),
    toolAnswers: { default: resolveToolAnswer(change.toolAnswers?.default), ...(named.length ? { tools: Object.fromEntries(named) } : {}) },
    ...(experiment !== undefined ? { experiment } : {}),
  };
}

/** A model object's id, where it says one (`modelId`, as AI SDK models do). */
function modelIdOf(model: unknown): string {
  const id = typeof model === 'object' && model !== null ? (model as { modelId?: unknown }).modelId : typeof model === 'string' ? model : undefined;
  return typeof id === 'string' && id.length > 0 ? id : '(given model)';
}
