import { KeelError } from '@keel/core';
import { RequestRejectedError } from '../errors/request-rejected-error.js';
import { toJsonView } from '@keel/core';

/** The JSON body of every error answer: `{ "error": { "code", "message", …details } }`. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string } & Readonly<Record<string, unknown>>;
}

/**
 * Keel's errors by class name: their HTTP status and stable code. Matched by `name` (not `instanceof`)
 * because the runtime may come from another copy of `@keel/core` than this package's.
 */
const byName: Readonly<Record<string, readonly [status: number, code: string]>> = {
  ExecutionNotFoundError: [404, 'execution_not_found'],
  FlowNotFoundError: [404, 'flow_not_found'],
  FlowCodeNotLoadedError: [409, 'flow_code_not_loaded'],
  CheckpointNotFoundError: [404, 'checkpoint_not_found'],
  ArtifactNotFoundError: [404, 'artifact_not_found'],
  WaitNotFoundError: [404, 'wait_not_found'],
  WaitInputInvalidError: [422, 'wait_input_invalid'],
  SerializationError: [422, 'value_not_storable'],
  ExecutionLeasedError: [409, 'execution_leased'],
  ExecutionStateError: [409, 'execution_state_invalid'],
  ExecutionVersionMismatchError: [409, 'execution_version_mismatch'],
  DeploymentNotFoundError: [404, 'deployment_not_found'],
  DeploymentConflictError: [409, 'deployment_conflict'],
  DeploymentInUseError: [409, 'deployment_in_use'],
  FlowInputInvalidError: [400, 'flow_input_invalid'],
  BudgetInvalidError: [400, 'budget_invalid'],
  DivergenceError: [409, 'divergence'],
  ReplayMissError: [409, 'replay_miss'],
  StoreCorruptedError: [500, 'store_corrupted'],
  ExperimentNotFoundError: [404, 'experiment_not_found'],
  CohortInvalidError: [400, 'cohort_invalid'],
};

/** Every code the API answers with, for documentation and clients. */
export const errorCodes = [
  'bad_request',
  'unauthorized',
  'host_not_allowed',
  'origin_not_allowed',
  'route_not_found',
  'unsupported_media_type',
  'payload_too_large',
  'wait_not_pending',
  ...new Set(Object.values(byName).map(([, code]) => code)),
  'internal_error',
] as const;

// Typed fields of Keel's errors that help a client act (which execution, which checkpoint, what is known).
const detailFields = [
  'executionId',
  'checkpointId',
  'waitId',
  'wait',
  'pending',
  'flow',
  'known',
  'artifact',
  'status',
  'operation',
  'issues',
  'recorded',
  'current',
  'version',
  'wanted',
  'executionVersion',
  'runtimeVersion',
  'unfinished',
  'tags',
  'experiment',
];

/** The status and body that answer a thrown error. */
export function errorResponseOf(error: unknown): { status: number; body: ErrorBody } {
  if (RequestRejectedError.isInstance(error)) {
    return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  }
  if (KeelError.isInstance(error)) {
    const [status, code] = byName[error.name] ?? [500, snakeCode(error.name)];
    const details: Record<string, unknown> = {};
    for (const field of detailFields) {
      const value = (error as unknown as Record<string, unknown>)[field];
      if (value !== undefined) details[field] = toJsonView(value);
    }
    if (error.name === 'ExecutionLeasedError') {
      const lease = (error as unknown as { lease?: { expiresAt?: number; host?: string; pid?: number } }).lease;
      if (lease) details.lease = toJsonView(lease);
    }
    return { status, body: { error: { ...details, code, message: error.message } } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: { code: 'internal_error', message: `The server failed: ${message}` } } };
}

/** `StoreCorruptedError` → `store_corrupted`. */
function snakeCode(name: string): string {
  return (
    name
      .replace(/Error$/, '')
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .toLowerCase() || 'keel_error'
  );
}
