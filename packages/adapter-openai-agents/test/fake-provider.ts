import { OpenAIProvider, setTracingDisabled } from '@openai/agents';
import OpenAI from 'openai';
import type { FakeLLM } from '@keel/testkit';

// Tracing would export spans to api.openai.com.
setTracingDisabled(true);

/** The SDK's own OpenAI provider (Responses API), pointed at the fake server, without client retries. */
export function providerFor(fake: FakeLLM): OpenAIProvider {
  return new OpenAIProvider({ openAIClient: new OpenAI({ baseURL: fake.url, apiKey: 'test', maxRetries: 0 }) });
}
