/**
 * @module The Store contract of Keel, for store authors: implement {@link Store} and run
 * `runStoreConformance` from `@keel/core/testing` against it.
 */
export type { Store } from './store.js';
export type {
  ArtifactRecord,
  BlobWrite,
  CheckpointKind,
  CheckpointRecord,
  CheckpointStatus,
  CheckpointWrite,
  CheckpointWriteReceipt,
  ClaimFilter,
  Delivery,
  DeploymentRecord,
  FlowTagRecord,
  ErrorRecord,
  ExecutionFilter,
  ExecutionPatch,
  ExecutionRecord,
  ExecutionStatus,
  Lease,
  LeaseFence,
  LogLevel,
  LogRecord,
  PatchableExecutionField,
  PayloadRef,
  ReplayOrigin,
  UpdateResult,
  WaitRecord,
} from './records.js';
export { applyExecutionPatch } from './execution-patch.js';
export { matchesExecutionFilter } from './execution-filter.js';
export { byDeployment, byTag } from './deployment-order.js';
export { memoryStore } from './memory-store.js';
export { lowdbStore, type LowdbStoreOptions } from './lowdb/lowdb-store.js';
export { StoreCorruptedError } from '../errors/store-corrupted-error.js';
export { holdsLease, fencedLogExecution } from './lease-fence.js';
export { checkpointWriteExecution, describeCheckpointWrite } from './checkpoint-write.js';
export { LeaseLostError } from '../errors/lease-lost-error.js';
export { recordFromRow } from './record-from-row.js';
export { StoreSchemaOutdatedError } from '../errors/store-schema-outdated-error.js';
export { StoreSchemaTooNewError } from '../errors/store-schema-too-new-error.js';
