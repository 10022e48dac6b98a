import type { ExecutionStatus } from '../store/records.js';
import type { TokenUsage } from '../runtime/model-usage.js';
import type { ReplayChange, ReplayChangeSummary } from '../runtime/replay-change.js';

/** Which recorded executions an experiment replays. Resolved once, when the experiment starts. */
export interface Cohort {
  readonly flow: string;
  /** Only executions with this status (default `completed`). */
  readonly status?: ExecutionStatus | readonly ExecutionStatus[];
  /** Created at or after this time: epoch ms, an ISO date, or a duration ago (`7d`, `12h`, `30m`). */
  readonly since?: number | string;
  /** Created before this time (same forms as `since`). */
  readonly until?: number | string;
  /** Only executions whose metadata has these values (compared as JSON). */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Only these executions. */
  readonly ids?: readonly string[];
  /** At most this many, newest first. */
  readonly limit?: number;
}

/** One side of a member, as evaluators see it. */
export interface MemberSide {
  readonly executionId: string;
  readonly status: ExecutionStatus;
  readonly output?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
  /** The execution's artifacts by name, decoded. */
  readonly artifacts: Readonly<Record<string, unknown>>;
}

/** A score, with an optional word on why. */
export interface Evaluation {
  readonly score: number;
  readonly note?: string;
}

/**
 * Scores a member: the original against its replay with the change. `true`/`false` count as 1/0.
 * Checkpoints it makes (an LLM judge's calls, see `llmJudge`) are recorded, so they are never paid twice.
 */
export type Evaluator = (original: MemberSide, replay: MemberSide) => number | boolean | Evaluation | Promise<number | boolean | Evaluation>;

/**
 * The estimated cost of one model call, in any currency the caller keeps to (undefined: unknown).
 * Without one, an experiment uses the US-dollar cost each model call recorded at list price.
 */
export type PriceFunction = (call: { readonly model: string; readonly usage: TokenUsage }) => number | undefined | Promise<number | undefined>;

/** What an experiment is: a cohort of recorded runs, a change to replay them with, and how to judge the result. */
export interface ExperimentDefinition {
  /** One line on what is tried, for surfaces. */
  readonly description?: string;
  readonly cohort: Cohort;
  readonly change: ReplayChange;
  /** How many members replay at once (default 4). */
  readonly concurrency?: number;
  readonly evaluators?: Readonly<Record<string, Evaluator>>;
  /** Prices model calls, for the cost of each side (default: the US-dollar cost each call recorded at list price). */
  readonly price?: PriceFunction;
}

/** Options of an experiment's `run` and `start`. */
export interface ExperimentRunOptions {
  /** Changes to the definition's cohort for this run (`limit`, `since` …). */
  readonly cohort?: Partial<Cohort>;
  /** Use this id for the experiment's execution. */
  readonly executionId?: string;
}

/** The model calls of one side of a member. */
export interface SideStats {
  readonly executionId: string;
  readonly status: ExecutionStatus;
  readonly modelCalls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  /** Summed duration of its model calls. */
  readonly modelLatencyMs: number;
  /** The models that answered. */
  readonly models: readonly string[];
  /** Estimated by the experiment's `price` (else the calls' recorded list-price cost), when every call could be priced. */
  readonly cost?: number;
}

/** How a replay's tool calls were answered. */
export interface ToolAnswerCounts {
  /** From the original's records, matched by tool and input. */
  readonly recorded: number;
  /** Run live by policy (`live`), or after a miss with `onMiss: 'live'`. */
  readonly live: number;
  /** Calls the original never made (failed with `onMiss: 'fail'`, else run live and counted in `live` too). */
  readonly missed: number;
  /** Run by the change's replacement implementation. */
  readonly replaced: number;
  /** Copied from the original with the calls before the first one the change touched. */
  readonly reused: number;
  /** The missed calls. */
  readonly misses: readonly { readonly checkpointId: string; readonly tool: string; readonly failed: boolean }[];
}

/** What changed between a member's original and its replay. */
export interface MemberComparison {
  /** The final outputs, and a unified diff of their JSON when they differ. */
  readonly output: { readonly equal: boolean; readonly diff?: string };
  /** Artifacts present on either side; a diff for text and JSON that differ. */
  readonly artifacts: readonly { readonly name: string; readonly equal: boolean; readonly diff?: string }[];
  /** The first checkpoint, in the original's order, whose outcome differs. */
  readonly firstDifference?: { readonly checkpointId: string; readonly reason: string };
  readonly original: SideStats;
  readonly replay: SideStats;
  readonly tools: ToolAnswerCounts;
}

/** One member of an experiment: an original, its replay with the change, and how they compare. */
export interface MemberResult {
  readonly original: string;
  readonly replay?: string;
  /** Set when the replay could not be made (an override names a checkpoint the original lacks …). */
  readonly error?: { readonly name: string; readonly message: string };
  readonly comparison?: MemberComparison;
  readonly evaluations: Readonly<Record<string, Evaluation | { readonly error: string }>>;
}

/** Totals over the members done so far. */
export interface ExperimentAggregate {
  readonly members: number;
  readonly done: number;
  /** Members whose replay completed. */
  readonly completed: number;
  /** Members whose replay failed, or could not be made. */
  readonly failed: number;
  readonly changedOutputs: number;
  readonly equalOutputs: number;
  readonly tools: Omit<ToolAnswerCounts, 'misses'>;
  readonly tokens: { readonly original: number; readonly replay: number; readonly delta: number };
  readonly modelCalls: { readonly original: number; readonly replay: number };
  /** Present when every member's both sides could be priced. */
  readonly cost?: { readonly original: number; readonly replay: number; readonly delta: number };
  /** Mean score per evaluator, over the members it scored. */
  readonly evaluations: Readonly<Record<string, { readonly mean: number; readonly count: number }>>;
}

/** What an experiment's execution is given: everything about it that is JSON. */
export interface ExperimentInput {
  readonly experiment: string;
  readonly description?: string;
  readonly cohort: Cohort;
  readonly concurrency: number;
  readonly change: ReplayChangeSummary;
  readonly evaluators: readonly string[];
}

/** An experiment as surfaces list it. */
export interface ExperimentSummary {
  /** The experiment's execution id. */
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly status: ExecutionStatus;
  readonly createdAt: number;
  readonly endedAt?: number;
  readonly cohort: Cohort;
  readonly change: ReplayChangeSummary;
  readonly concurrency: number;
  readonly aggregate: ExperimentAggregate;
  readonly error?: { readonly name: string; readonly message: string };
}

/** An experiment with its members (the ones done so far, in cohort order). */
export interface ExperimentInfo extends ExperimentSummary {
  /** The cohort's execution ids, once chosen. */
  readonly cohortIds: readonly string[];
  readonly members: readonly MemberResult[];
}
