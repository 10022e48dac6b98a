/**
 * The shapes the dashboard reads from the API (see /api/openapi.json). Those `@keel/core` defines (the
 * API sends them as they are) are its types, imported as types only: the browser never loads core. The
 * others mirror the server's views (src/api/*-view.ts), narrowed to what the dashboard reads.
 */
import type {
  Budget,
  ExecutionStatus,
  ExperimentAggregate,
  ExperimentInfo,
  ExperimentSummary,
  MemberResult,
  ReplayChangeSummary,
  ResolvedToolAnswer,
  SideStats,
  Spend,
  VersionSummary,
} from '@keel/core';

export type { ExecutionStatus, ExperimentSummary, Spend, VersionSummary };
/** The change an experiment replays with. */
export type ExperimentChange = ReplayChangeSummary;
/** How a tool's calls are answered in a replay. */
export type ToolAnswer = ResolvedToolAnswer;
/** Totals over an experiment's members done so far. */
export type ExperimentTotals = ExperimentAggregate;
/** The model calls of one side of a member. */
export type MemberSideStats = SideStats;
/** One member of an experiment: an original, its replay, and how they compare. */
export type ExperimentMember = MemberResult;
/** An experiment with its members. */
export type ExperimentDetail = ExperimentInfo;

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

/** An execution's model call costs, and its budget. */
export interface Cost {
  readonly total: Spend;
  readonly spent: Spend;
  readonly reused: Spend;
  readonly budget?: Budget;
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
