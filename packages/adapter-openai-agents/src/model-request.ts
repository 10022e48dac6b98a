import type { ModelRequest } from '@openai/agents';

/**
 * The part of a model request that decides the answer: input items, instructions, tools, handoffs,
 * output type, settings, prompt and server-side conversation ids. The abort signal, tracing switches
 * and the SDK's internal bookkeeping (tracing spans) are left out — they differ between a live call
 * and its replay without changing what the model is asked.
 */
export function normalizeModelRequest(request: ModelRequest): Record<string, unknown> {
  return {
    systemInstructions: request.systemInstructions,
    input: request.input,
    modelSettings: request.modelSettings,
    tools: request.tools,
    toolsExplicitlyProvided: request.toolsExplicitlyProvided,
    outputType: request.outputType,
    handoffs: request.handoffs,
    previousResponseId: request.previousResponseId,
    conversationId: request.conversationId,
    prompt: request.prompt,
    overridePromptModel: request.overridePromptModel,
  };
}
