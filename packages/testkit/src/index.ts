export { startFakeLLM } from './start-fake-llm.js';
export type { FakeLLM, FakeLLMOptions } from './start-fake-llm.js';
export type { FakeApi, FakeRequest, FakeRequestOutcome } from './fake-request.js';
export type {
  FakeDropFault,
  FakeErrorFault,
  FakeFault,
  FakeHangFault,
  FakeScriptEntry,
  FakeToolCall,
  FakeTurn,
  FakeTurnFunction,
  FakeUsage,
} from './turn.js';
export { FakeTurnInvalidError } from './turn-invalid-error.js';
