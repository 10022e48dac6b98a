import type { CheckpointInfo, CheckpointRecord, ErrorRecord } from '@keel/core';
import { toJsonView, type JsonValue } from '@keel/core';
import { modelUsageOf, type ModelUsage, type Spend } from '@keel/core';
import type { ModelCosts } from './execution-stats.js';

/** A checkpoint as the API shows it. */
export interface CheckpointView {
  readonly id: string;
  readonly parentId: string | null;
  readonly name: string;
  readonly kind: CheckpointRecord['kind'];
  readonly status: CheckpointRecord['status'];
  readonly seq: number;
  readonly attempts: number;
  /** Attempts beyond the first: automatic retries and re-runs after interruptions. */
  readonly retries: number;
  readonly delivery: CheckpointRecord['delivery'];
  readonly durable: boolean;
  readonly fingerprint?: string;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly durationMs?: number;
  readonly metadata?: JsonValue;
  /** Model id and tokens, when the metadata carries them. */
  readonly usage?: ModelUsage;
  /** US dollars at list price, when the model is in the price table (an estimate). */
  readonly estimatedCostUsd?: number;
  /**
   * The model calls below a checkpoint that is not one itself (a tool that runs an inner agent, an
   * agent turn): their count, tokens and cost at list price.
   */
  readonly costBelow?: Spend;
  /** Its stored result was reused instead of running it (by the last resume, or copied into a replay). */
  readonly reused: boolean;
  /** Its output was given as a replay override. */
  readonly overridden: boolean;
  /** Size in bytes of the stored input and output (listing without payloads). */
  readonly inputSize?: number;
  readonly outputSize?: number;
  readonly input?: JsonValue;
  readonly output?: JsonValue;
  readonly error?: ErrorView;
  /** Nested checkpoints, in call order (tree answers only). */
  children?: CheckpointView[];
}

/** A stored error as the API shows it. */
export interface ErrorView {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly stack?: string;
}

/** The view of a stored error record (its payload reference left out). */
export function errorRecordView(error: ErrorRecord): ErrorView {
  return {
    name: error.name,
    message: error.message,
    ...(error.code !== undefined ? { code: error.code } : {}),
    ...(error.stack !== undefined ? { stack: error.stack } : {}),
  };
}

/** What the view of a checkpoint needs from its execution's records beside the checkpoint itself. */
export interface CheckpointFacts {
  /** Ids of checkpoints reused (by the last resume, or copied into a replay). */
  readonly reused: ReadonlySet<string>;
  /** The cost of each model checkpoint. */
  readonly costs: ModelCosts;
  /** The model calls at or below each checkpoint (`costRollup().byCheckpoint`). */
  readonly subtrees: Readonly<Record<string, Spend>>;
}

/**
 * The view of one checkpoint. `record` is either decoded (`CheckpointInfo`, values shown) or raw
 * (`CheckpointRecord` with payload references, sizes shown).
 */
export function checkpointView(record: CheckpointInfo | CheckpointRecord, facts: CheckpointFacts, withPayloads: boolean): CheckpointView {
  // An overridden output was written by a person, not returned by the model its metadata names.
  const overridden = record.metadata?.overridden === true;
  const usage = overridden ? undefined : modelUsageOf(record.metadata);
  const cost = usage ? (facts.costs.get(record.id)?.usd ?? undefined) : undefined;
  const below = record.kind === 'model' ? undefined : facts.subtrees[record.id];
  const view: Record<string, unknown> = {
    id: record.id,
    parentId: record.parentId,
    name: record.name,
    kind: record.kind,
    status: record.status,
    seq: record.seq,
    attempts: record.attempts,
    retries: Math.max(0, record.attempts - 1),
    delivery: record.delivery,
    durable: record.durable,
    startedAt: record.startedAt,
    reused: facts.reused.has(record.id),
    overridden,
  };
  if (record.fingerprint !== undefined) view.fingerprint = record.fingerprint;
  if (record.endedAt !== undefined) {
    view.endedAt = record.endedAt;
    view.durationMs = Math.max(0, record.endedAt - record.startedAt);
  }
  if (record.metadata !== undefined) view.metadata = toJsonView(record.metadata);
  if (usage) view.usage = usage;
  if (cost !== undefined) view.estimatedCostUsd = cost;
  if (below) view.costBelow = below;
  if (withPayloads) {
    if ('input' in record && record.input !== undefined) view.input = toJsonView(record.input);
    if ('output' in record && record.output !== undefined) view.output = toJsonView(record.output);
  } else {
    const raw = record as CheckpointRecord;
    if (raw.input) view.inputSize = raw.input.size;
    if (raw.output) view.outputSize = raw.output.size;
  }
  if (record.error) view.error = errorRecordView(record.error);
  return view as unknown as CheckpointView;
}

/** Nests checkpoint views under their parents, keeping call order. Orphans (a missing parent) stay at the top. */
export function checkpointTree(views: readonly CheckpointView[]): CheckpointView[] {
  const byId = new Map<string, CheckpointView>();
  for (const view of views) byId.set(view.id, { ...view, children: [] });
  const roots: CheckpointView[] = [];
  for (const view of views) {
    const node = byId.get(view.id)!;
    const parent = view.parentId !== null ? byId.get(view.parentId) : undefined;
    if (parent) parent.children!.push(node);
    else roots.push(node);
  }
  return roots;
}
