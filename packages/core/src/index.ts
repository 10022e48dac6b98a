/**
 * @module Keel: durable flows, checkpoints, waits, replay and artifacts for TypeScript AI agents.
 *
 * ```ts
 * import { flow, checkpoint, wait } from '@keel/core';
 * ```
 */
export { flow, configure, defaultRuntime, experiment } from './runtime/default-runtime.js';
export { checkpoint } from './runtime/checkpoint.js';
export { wait } from './runtime/wait.js';
export { patched } from './runtime/patched.js';
export { save, load } from './runtime/artifacts.js';
export { log } from './runtime/log.js';
export { createRuntime } from './runtime/runtime.js';
export type { Flow, Runtime, Executions, ExecutionInfo, CheckpointInfo, WaitInfo, RecoveryReport, RecoverOptions, RunHandle } from './runtime/runtime.js';
export type { Deployments, DeploymentInfo, DeployOptions, DeployResult, InvokeOptions, VersionSummary } from './runtime/deployments.js';
export type { VersionPolicy } from './runtime/code-version.js';
export type {
  Backoff,
  CaptureLevel,
  CapturePolicy,
  CheckpointContext,
  CheckpointOptions,
  FlowFunction,
  FlowOptions,
  PendingWait,
  ReplayOptions,
  RunOptions,
  RunResult,
  RuntimeOptions,
  WaitOptions,
} from './runtime/types.js';
export type { ReplayChange, ReplayChangeSummary, ToolAnswer, ToolAnswers, ToolAnswerKind, ResolvedToolAnswer } from './runtime/replay-change.js';
export type { Experiment, Experiments } from './experiments/experiments-api.js';
export type {
  Cohort,
  Evaluation,
  Evaluator,
  ExperimentAggregate,
  ExperimentDefinition,
  ExperimentInfo,
  ExperimentInput,
  ExperimentRunOptions,
  ExperimentSummary,
  MemberComparison,
  MemberResult,
  MemberSide,
  PriceFunction,
  SideStats,
  ToolAnswerCounts,
} from './experiments/experiment-types.js';
export { llmJudge, type LlmJudgeOptions } from './experiments/llm-judge.js';
export { experimentFlowName, experimentFlowPrefix } from './experiments/experiment-flow.js';
export { memoryStore } from './store/memory-store.js';
export { lowdbStore } from './store/lowdb/lowdb-store.js';
export { storeFromUrl } from './store/store-from-url.js';
export { executionLeaseState, isLeaseAbandoned } from './runtime/lease.js';
export { toPendingWait } from './runtime/pending-wait.js';
export { toJsonView, errorJsonView, type JsonValue, type StackOptions } from './serialization/json-view.js';
export { PayloadReader } from './serialization/payload-reader.js';
export { blobReferences } from './serialization/blob-references.js';
export { modelUsageOf, type ModelCall, type ModelUsage, type TokenUsage } from './runtime/model-usage.js';
export { estimateModelCost, estimateCallCost, costOfModelCall, priceTable, type ModelCost } from './runtime/model-cost.js';
export { costRollup, addSpend, type CostRollup } from './runtime/cost-rollup.js';
export { budgetDecisionSchema, budgetWaitName, describeSpend, formatUsd, type Budget, type BudgetDecision, type Spend } from './runtime/budget.js';
export { budgetOf, isReused } from './runtime/execution-budget.js';
export { instrumentationName, traceAttributes, traceParentKey } from './telemetry/trace-attributes.js';
export type { Store } from './store/store.js';
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
  ErrorRecord,
  ExecutionFilter,
  ExecutionRecord,
  ExecutionStatus,
  FlowTagRecord,
  Lease,
  LeaseFence,
  LogLevel,
  LogRecord,
  PayloadRef,
  WaitRecord,
} from './store/records.js';
export { KeelError, isKeelErrorNamed } from './errors/keel-error.js';
export { BudgetExceededError } from './errors/budget-exceeded-error.js';
export { BudgetInvalidError } from './errors/budget-invalid-error.js';
export { BlobMissingError, type BlobReferrer } from './errors/blob-missing-error.js';
export { ArtifactNotFoundError } from './errors/artifact-not-found-error.js';
export { CheckpointNotFoundError } from './errors/checkpoint-not-found-error.js';
export { CheckpointTimeoutError } from './errors/checkpoint-timeout-error.js';
export { CoreDuplicateError, type CoreCopyLocation } from './errors/core-duplicate-error.js';
export { DivergenceError, type DivergenceSide } from './errors/divergence-error.js';
export { ExecutionCancelledError } from './errors/execution-cancelled-error.js';
export { LeaseLostError } from './errors/lease-lost-error.js';
export { ExecutionLeasedError } from './errors/execution-leased-error.js';
export { ExecutionExistsError } from './errors/execution-exists-error.js';
export { ExecutionNotFoundError } from './errors/execution-not-found-error.js';
export { ExecutionWaitingError } from './errors/execution-waiting-error.js';
export { ExecutionStateError } from './errors/execution-state-error.js';
export { ExecutionVersionMismatchError } from './errors/execution-version-mismatch-error.js';
export { DeploymentConflictError } from './errors/deployment-conflict-error.js';
export { DeploymentInUseError } from './errors/deployment-in-use-error.js';
export { DeploymentNotFoundError } from './errors/deployment-not-found-error.js';
export { FlowInputInvalidError } from './errors/flow-input-invalid-error.js';
export { FlowCodeNotLoadedError, type FlowCodeOperation } from './errors/flow-code-not-loaded-error.js';
export { FlowNotFoundError } from './errors/flow-not-found-error.js';
export { ReplayMissError } from './errors/replay-miss-error.js';
export { ToolRecordMissError } from './errors/tool-record-miss-error.js';
export { CohortInvalidError } from './errors/cohort-invalid-error.js';
export { ExperimentNotFoundError } from './errors/experiment-not-found-error.js';
export { JudgeVerdictInvalidError } from './errors/judge-verdict-invalid-error.js';
export { SerializationError } from './errors/serialization-error.js';
export { StoreCorruptedError } from './errors/store-corrupted-error.js';
export { StorePackageMissingError } from './errors/store-package-missing-error.js';
export { StoreUrlInvalidError } from './errors/store-url-invalid-error.js';
export { StoreSchemaOutdatedError } from './errors/store-schema-outdated-error.js';
export { StoreSchemaTooNewError } from './errors/store-schema-too-new-error.js';
export { UnfinishedCallError } from './errors/unfinished-call-error.js';
export { WaitInputInvalidError, type InputIssue } from './errors/wait-input-invalid-error.js';
export { WaitNotFoundError } from './errors/wait-not-found-error.js';
export { WaitTimeoutError } from './errors/wait-timeout-error.js';
