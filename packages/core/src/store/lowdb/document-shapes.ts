import type { ArtifactRecord, CheckpointRecord, DeploymentRecord, ExecutionRecord, FlowTagRecord, LogRecord, WaitRecord } from '../records.js';
import { checkpointsPerSegment, logLinesPerSegment } from './store-layout.js';

/**
 * What a JSON document of the store folder must look like. The check is shallow on purpose: it catches a
 * file that is not one of ours (or was cut short and still parses) without paying for a full schema on
 * every read.
 */
export interface DocumentShape<T> {
  /** Says what is wrong with `data`, or returns `undefined` when it has this shape. */
  problem(data: unknown): string | undefined;
  /** Only for the type: the document type this shape describes. */
  readonly document?: T;
}

/** The `keel-store.json` marker. */
export interface StoreMarker {
  readonly format: string;
  readonly version: number;
}

export const markerShape: DocumentShape<StoreMarker> = {
  problem: (data) =>
    isObject(data) && typeof data.format === 'string' && Number.isInteger(data.version)
      ? undefined
      : 'expected an object with a string "format" and an integer "version"',
};

export const executionShape: DocumentShape<ExecutionRecord> = {
  problem: (data) =>
    isObject(data) && typeof data.id === 'string' && typeof data.flow === 'string' && typeof data.status === 'string' && Number.isInteger(data.version)
      ? undefined
      : 'expected an execution record with a string "id", "flow", "status" and an integer "version"',
};

export const checkpointSegmentShape: DocumentShape<readonly CheckpointRecord[]> = {
  problem: (data) => listProblem(data, checkpointsPerSegment, 'checkpoint records', (item) => typeof item.id === 'string' && Number.isInteger(item.seq)),
};

export const waitListShape: DocumentShape<readonly WaitRecord[]> = {
  problem: (data) => listProblem(data, Infinity, 'wait records', (item) => typeof item.id === 'string' && typeof item.status === 'string'),
};

export const artifactListShape: DocumentShape<readonly ArtifactRecord[]> = {
  problem: (data) => listProblem(data, Infinity, 'artifact records', (item) => typeof item.name === 'string'),
};

export const logSegmentShape: DocumentShape<readonly LogRecord[]> = {
  problem: (data) => listProblem(data, logLinesPerSegment, 'log lines', (item) => typeof item.message === 'string' && typeof item.level === 'string'),
};

/** `deployments.json`: every deployed flow version and every tag. */
export interface DeploymentsDocument {
  readonly deployments: readonly DeploymentRecord[];
  readonly tags: readonly FlowTagRecord[];
}

export const deploymentsShape: DocumentShape<DeploymentsDocument> = {
  problem: (data) => {
    if (!isObject(data)) return 'expected an object with "deployments" and "tags" lists';
    return (
      listProblem(data.deployments, Infinity, 'deployments', (item) => typeof item.flow === 'string' && typeof item.version === 'string') ??
      listProblem(data.tags, Infinity, 'tags', (item) => typeof item.flow === 'string' && typeof item.tag === 'string')
    );
  },
};

function listProblem(data: unknown, maximum: number, description: string, isItem: (item: Record<string, unknown>) => boolean): string | undefined {
  if (!Array.isArray(data)) return `expected an array of ${description}`;
  if (data.length > maximum) return `expected at most ${maximum} ${description}, found ${data.length}`;
  const index = data.findIndex((item) => !isObject(item) || !isItem(item));
  return index === -1 ? undefined : `item ${index} is not one of the ${description}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
