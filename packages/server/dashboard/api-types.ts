/** The shapes the dashboard reads from the API (see /api/openapi.json). */

export type ExecutionStatus = 'queued' | 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled';

export interface Stats {
  readonly checkpoints: number;
  readonly calls: number;
  readonly modelCalls: number;
  readonly toolCalls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  readonly estimatedCostUsd: number | null;
  readonly unpricedModels: readonly string[];
  readonly failed?: number;
  readonly retries?: number;
}

export interface Reuse extends Stats {
  readonly basis: 'replay' | 'resume';
  readonly session: number;
  readonly since?: number;
  readonly ids: readonly string[];
}

export interface ErrorJson {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly stack?: string;
  readonly checkpointId?: string;
  readonly [field: string]: unknown;
}

export interface ReplayOrigin {
  readonly executionId: string;
  readonly from?: string;
  readonly overridden: readonly string[];
  readonly hermetic: boolean;
}

export interface ExecutionSummary {
  readonly id: string;
  readonly flow: string;
  readonly status: ExecutionStatus;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly endedAt?: number;
  readonly durationMs?: number;
  readonly sessions: number;
  readonly codeVersion?: string;
  readonly metadata?: Record<string, unknown>;
  readonly replayOf?: ReplayOrigin;
  readonly cancelRequested?: boolean;
  readonly error?: ErrorJson;
  readonly lease: { readonly owner: string; readonly host: string; readonly pid: number; readonly expiresAt: number } | null;
  readonly abandoned: boolean;
  readonly stats?: Stats;
}

export interface Wait {
  readonly id: string;
  readonly name: string;
  readonly status: 'pending' | 'resolved' | 'timed-out';
  readonly question?: string;
  readonly schema: JsonSchema;
  readonly metadata?: Record<string, unknown>;
  readonly input?: unknown;
  readonly resolvedBy?: string;
  readonly createdAt: number;
  readonly resolvedAt?: number;
  readonly expiresAt?: number;
}

export interface ExecutionDetail extends ExecutionSummary {
  readonly input: unknown;
  readonly output?: unknown;
  readonly waits: readonly Wait[];
  readonly stats: Stats;
  readonly failedCheckpoint?: Checkpoint;
  readonly reuse?: Reuse;
  readonly cost?: Cost;
}

/** Model calls counted together: tokens, dollars at list price (over the priced ones), calls, calls of unknown price. */
export interface Spend {
  readonly tokens: number;
  readonly usd: number;
  readonly calls: number;
  readonly unpricedCalls: number;
}

/** An execution's model call costs, and its budget. */
export interface Cost {
  readonly total: Spend;
  readonly spent: Spend;
  readonly reused: Spend;
  readonly budget?: { readonly tokens?: number; readonly usd?: number };
}

export interface Usage {
  readonly model?: string;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly totalTokens?: number;
}

export interface Checkpoint {
  readonly id: string;
  readonly parentId: string | null;
  readonly name: string;
  readonly kind: 'step' | 'model' | 'tool' | 'mcp' | 'wait';
  readonly status: 'running' | 'completed' | 'failed' | 'waiting';
  readonly seq: number;
  readonly attempts: number;
  readonly retries: number;
  readonly delivery: string;
  readonly durable: boolean;
  readonly fingerprint?: string;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly durationMs?: number;
  readonly metadata?: Record<string, unknown>;
  readonly usage?: Usage;
  readonly estimatedCostUsd?: number;
  readonly costBelow?: Spend;
  readonly reused: boolean;
  readonly overridden: boolean;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly error?: ErrorJson;
  readonly children?: readonly Checkpoint[];
}

export interface Artifact {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  readonly checkpointId: string | null;
  readonly createdAt: number;
}

export interface LogLine {
  readonly checkpointId: string | null;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields?: Record<string, unknown>;
  readonly session: number;
  readonly time: number;
}

/** The part of JSON Schema the wait forms understand; anything else gets a JSON editor. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly description?: string;
  readonly title?: string;
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly format?: string;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly [keyword: string]: unknown;
}

/** One flow version, as `GET /api/versions` lists it. */
export interface VersionSummary {
  readonly flow: string;
  readonly version: string;
  readonly deployedAt?: number;
  readonly tags: readonly string[];
  readonly executions: Readonly<Record<ExecutionStatus, number>>;
  readonly retirable: boolean;
  readonly served: boolean;
}

/** The change an experiment replays with, as the API shows it. */
export interface ExperimentChange {
  readonly models?: Readonly<Record<string, string>>;
  readonly instructions?: string;
  readonly tools?: readonly string[];
  readonly toolAnswers: { readonly default: ToolAnswer; readonly tools?: Readonly<Record<string, ToolAnswer>> };
}

export interface ToolAnswer {
  readonly mode: 'recorded' | 'live';
  readonly onMiss: 'fail' | 'live';
}

export interface ExperimentTotals {
  readonly members: number;
  readonly done: number;
  readonly completed: number;
  readonly failed: number;
  readonly changedOutputs: number;
  readonly equalOutputs: number;
  readonly tools: { readonly recorded: number; readonly live: number; readonly missed: number; readonly replaced: number; readonly reused: number };
  readonly tokens: { readonly original: number; readonly replay: number; readonly delta: number };
  readonly modelCalls: { readonly original: number; readonly replay: number };
  readonly cost?: { readonly original: number; readonly replay: number; readonly delta: number };
  readonly evaluations: Readonly<Record<string, { readonly mean: number; readonly count: number }>>;
}

export interface ExperimentSummary {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly status: string;
  readonly createdAt: number;
  readonly endedAt?: number;
  readonly cohort: { readonly flow: string };
  readonly change: ExperimentChange;
  readonly concurrency: number;
  readonly aggregate: ExperimentTotals;
}

export interface MemberSideStats {
  readonly executionId: string;
  readonly status: string;
  readonly modelCalls: number;
  readonly totalTokens: number;
  readonly models: readonly string[];
  readonly cost?: number;
}

export interface ExperimentMember {
  readonly original: string;
  readonly replay?: string;
  readonly error?: { readonly name: string; readonly message: string };
  readonly comparison?: {
    readonly output: { readonly equal: boolean; readonly diff?: string };
    readonly artifacts: readonly { readonly name: string; readonly equal: boolean; readonly diff?: string }[];
    readonly firstDifference?: { readonly checkpointId: string; readonly reason: string };
    readonly original: MemberSideStats;
    readonly replay: MemberSideStats;
    readonly tools: {
      readonly recorded: number;
      readonly live: number;
      readonly missed: number;
      readonly misses: readonly { readonly checkpointId: string; readonly tool: string; readonly failed: boolean }[];
    };
  };
  readonly evaluations: Readonly<Record<string, { readonly score: number; readonly note?: string } | { readonly error: string }>>;
}

export interface ExperimentDetail extends ExperimentSummary {
  readonly cohortIds: readonly string[];
  readonly members: readonly ExperimentMember[];
}
