import type { ExecutionInfo, ExecutionRecord, WaitInfo } from '@keel/core';
import { errorRecordView, type CheckpointView, type ErrorView } from './checkpoint-view.js';
import type { ExecutionStats, UsageTotals } from './execution-stats.js';
import { errorJsonView, toJsonView, type JsonValue } from '@keel/core';
import { budgetOf, executionLeaseState, type Budget, type CostRollup, type Spend } from '@keel/core';

/** An execution as the list shows it. */
export interface ExecutionSummary {
  readonly id: string;
  readonly flow: string;
  readonly status: ExecutionRecord['status'];
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly endedAt?: number;
  /** From creation to the end, once it ended. */
  readonly durationMs?: number;
  readonly sessions: number;
  readonly codeVersion?: string;
  readonly metadata?: JsonValue;
  readonly replayOf?: JsonValue;
  readonly cancelRequested?: boolean;
  readonly error?: ErrorView;
  readonly lease: { readonly owner: string; readonly host: string; readonly pid: number; readonly expiresAt: number } | null;
  /**
   * Running, but its lease expired or its holder (a process on this machine) is gone: the process died;
   * a worker (`recover`) or a resume continues it.
   */
  readonly abandoned: boolean;
  readonly stats?: ExecutionStats;
}

/** One execution with everything a person needs to understand it. */
export interface ExecutionDetail extends Omit<ExecutionSummary, 'error'> {
  readonly input: JsonValue;
  readonly output?: JsonValue;
  readonly error?: JsonValue;
  readonly waits: readonly WaitView[];
  /** The innermost failed checkpoint, earliest first: where a failed run broke. */
  readonly failedCheckpoint?: CheckpointView;
  /** What the latest session (or this replay) reused instead of running again, and what that saved. */
  readonly reuse?: ReuseView;
  /** What its model calls cost (tokens, dollars at list price), and its budget if it has one. */
  readonly cost: CostView;
}

/**
 * An execution's cost: every model call (`total`), the calls made live in it (`spent`: what counts
 * against its budget) and those a replay reused from its original (`reused`: paid for there).
 */
export interface CostView {
  readonly total: Spend;
  readonly spent: Spend;
  readonly reused: Spend;
  /** The spend budget it was started with; raises approved at `budget` waits are in its waits. */
  readonly budget?: Budget;
}

/** What a resume or replay reused: the checkpoints, and the calls, tokens and list-price cost it did not pay again. */
export interface ReuseView extends UsageTotals {
  readonly basis: 'replay' | 'resume';
  readonly session: number;
  readonly since?: number;
  readonly ids: readonly string[];
}

/** A wait as the API shows it. */
export interface WaitView {
  readonly id: string;
  readonly name: string;
  readonly status: WaitInfo['status'];
  readonly question?: string;
  readonly schema: JsonValue;
  readonly metadata?: JsonValue;
  readonly input?: JsonValue;
  readonly resolvedBy?: string;
  readonly createdAt: number;
  readonly resolvedAt?: number;
  readonly expiresAt?: number;
}

/** The list view of an execution record. */
export function executionSummary(record: ExecutionRecord, stats?: ExecutionStats, now = Date.now()): ExecutionSummary {
  const summary: Record<string, unknown> = {
    ...commonFields(record, now),
    ...(record.error ? { error: errorRecordView(record.error) } : {}),
  };
  if (stats) summary.stats = stats;
  return summary as unknown as ExecutionSummary;
}

/** The detail view of a decoded execution. */
export function executionDetail(
  info: ExecutionInfo,
  extra: { stats: ExecutionStats; cost: CostRollup; failedCheckpoint?: CheckpointView; reuse?: ReuseView },
  now = Date.now(),
): ExecutionDetail {
  const detail: Record<string, unknown> = {
    ...commonFields(info, now),
    input: toJsonView(info.input),
    waits: info.waits.map(waitView),
    stats: extra.stats,
    cost: costView(info, extra.cost),
  };
  if (info.output !== undefined || info.status === 'completed') detail.output = toJsonView(info.output);
  if (info.error) detail.error = errorJsonView(info.error);
  if (extra.failedCheckpoint) detail.failedCheckpoint = extra.failedCheckpoint;
  if (extra.reuse) detail.reuse = extra.reuse;
  return detail as unknown as ExecutionDetail;
}

function costView(info: ExecutionInfo, rollup: CostRollup): CostView {
  const budget = budgetOf(info);
  return { total: rollup.total, spent: rollup.spent, reused: rollup.reused, ...(budget ? { budget } : {}) };
}

/** The view of a wait with its input decoded. */
export function waitView(wait: WaitInfo): WaitView {
  const view: Record<string, unknown> = { id: wait.id, name: wait.name, status: wait.status, schema: toJsonView(wait.schema), createdAt: wait.createdAt };
  if (wait.question !== undefined) view.question = wait.question;
  if (wait.metadata !== undefined) view.metadata = toJsonView(wait.metadata);
  if (wait.input !== undefined || wait.status === 'resolved') view.input = toJsonView(wait.input);
  if (wait.resolvedBy !== undefined) view.resolvedBy = wait.resolvedBy;
  if (wait.resolvedAt !== undefined) view.resolvedAt = wait.resolvedAt;
  if (wait.expiresAt !== undefined) view.expiresAt = wait.expiresAt;
  return view as unknown as WaitView;
}

function commonFields(record: Omit<ExecutionRecord, 'input' | 'output' | 'error'>, now: number): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    id: record.id,
    flow: record.flow,
    status: record.status,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    sessions: record.sessions,
    lease: record.lease ? { owner: record.lease.owner, host: record.lease.host, pid: record.lease.pid, expiresAt: record.lease.expiresAt } : null,
    abandoned: executionLeaseState(record, now) === 'abandoned',
  };
  if (record.endedAt !== undefined) {
    fields.endedAt = record.endedAt;
    fields.durationMs = Math.max(0, record.endedAt - record.createdAt);
  }
  if (record.codeVersion !== undefined) fields.codeVersion = record.codeVersion;
  if (record.metadata !== undefined) fields.metadata = toJsonView(record.metadata);
  if (record.replayOf !== undefined) fields.replayOf = toJsonView(record.replayOf);
  if (record.cancelRequested) fields.cancelRequested = true;
  return fields;
}
