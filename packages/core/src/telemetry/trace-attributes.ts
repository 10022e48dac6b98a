/**
 * The attribute names of Keel's spans. Keel's own attributes live under `keel.`; a model call's
 * span also carries the OpenTelemetry GenAI semantic-convention attributes (`gen_ai.`), so trace
 * backends that understand GenAI show the model and the tokens of a Keel checkpoint.
 */
export const traceAttributes = {
  executionId: 'keel.execution.id',
  flow: 'keel.flow',
  /** `run`, `resume`, `retry` or `replay`. */
  operation: 'keel.session.operation',
  /** The session's number among the execution's sessions (1 for the first run). */
  session: 'keel.session.number',
  /** How the session ended: `completed`, `failed`, `waiting`, `cancelled` or `lease-lost`. */
  executionStatus: 'keel.execution.status',
  codeVersion: 'keel.code_version',
  /** The execution a replay was made from. */
  replayOf: 'keel.replay.of',
  checkpointId: 'keel.checkpoint.id',
  checkpointName: 'keel.checkpoint.name',
  checkpointKind: 'keel.checkpoint.kind',
  attempt: 'keel.checkpoint.attempt',
  checkpointStatus: 'keel.checkpoint.status',
  /** True when the checkpoint's output came from the store and its function did not run. */
  reused: 'keel.reused',
  genAiOperation: 'gen_ai.operation.name',
  genAiProvider: 'gen_ai.provider.name',
  genAiRequestModel: 'gen_ai.request.model',
  genAiInputTokens: 'gen_ai.usage.input_tokens',
  genAiOutputTokens: 'gen_ai.usage.output_tokens',
} as const;

/** The name of the tracer (and meter) Keel's spans (and instruments) come from. */
export const instrumentationName = '@keel/core';

/**
 * The execution metadata key under which each session leaves the W3C `traceparent` of its span, so
 * the session that continues the execution (in another process, days later) links to it.
 */
export const traceParentKey = 'keel.traceparent';
