export { startFakeLLM } from './start-fake-llm.js';
export type { FakeLLM, FakeLLMOptions } from './start-fake-llm.js';
export type { FakeApi, FakeRequest, FakeRequestOutcome } from './fake-request.js';
export type { FakeDropFault, FakeErrorFault, FakeFault, FakeHangFault, FakeScriptEntry, FakeToolCall, FakeTurn, FakeTurnFunction, FakeUsage } from './turn.js';
export { FakeTurnInvalidError } from './turn-invalid-error.js';
export { startChild, killAllChildren, jsonLine, lineMatches } from './start-child.js';
export type { ChildExit, LineMatcher, RunningChild, StartChildOptions } from './start-child.js';
export { readmeSnippet, runReadmeSnippet } from './readme-snippet.js';
export type { ReadmeSnippetLocation, RunReadmeSnippetOptions } from './readme-snippet.js';
export { ReadmeSnippetMissingError } from './readme-snippet-missing-error.js';
export { startTcpProxy } from './tcp-proxy.js';
export type { TcpProxy, TcpProxyOptions } from './tcp-proxy.js';
export { crashAfterCalls } from './crash-after-calls.js';
export type { CrashAfterCallsOptions, CrashAfterCallsResult, KillPoint } from './crash-after-calls.js';
export { toolResultsOf } from './tool-results.js';
export { effectRuns, runCheckpointSteps } from './run-checkpoint-steps.js';
export { readJsonLines } from './read-json-lines.js';
export type { CheckpointStepsOptions, CheckpointStepsRuntime } from './run-checkpoint-steps.js';
export { prometheusSamples, sampleValue, type PrometheusSample } from './prometheus-samples.js';
export { serveConformanceAgent } from './serve-conformance-agent.js';
export type {
  ConformanceContext,
  ConformanceRunResult,
  ConformanceRuntime,
  ConformanceTools,
  ServeConformanceAgentOptions,
} from './serve-conformance-agent.js';
export { conformanceAnswers, conformancePrompt, conformanceUsage, longLoopSteps } from './conformance-protocol.js';
export type { ConformanceConfig, ConformanceOutcome, ConformanceRequestStorage, ConformanceScenario } from './conformance-protocol.js';
