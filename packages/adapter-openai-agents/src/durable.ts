import type { Agent } from '@openai/agents';
import { DurableAgent } from './durable-agent.js';
import type { DurableAgentOptions } from './durable-options.js';

/**
 * Makes an `@openai/agents` agent durable: every model request, tool call and MCP call of its runs
 * becomes a Keel checkpoint, and every tool approval (`needsApproval`) a durable wait. A run that
 * crashes, or stops for an approval, continues later — in another process — without repeating the
 * calls that already completed.
 *
 * @example
 * ```ts
 * const scout = durable(new Agent({ name: 'news_scout', instructions, tools: [searchNews, investigate] }));
 * const result = await scout.run('Find the most important AI news');          // the SDK's RunResult
 * const streamed = await scout.run('…', { stream: true });                    // the SDK's StreamedRunResult
 * ```
 */
export function durable<TAgent extends Agent<any, any>>(agent: TAgent, options: DurableAgentOptions = {}): DurableAgent<TAgent> {
  return new DurableAgent(agent, options);
}
