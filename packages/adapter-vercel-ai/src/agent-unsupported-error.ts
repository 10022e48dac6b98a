import { KeelError, isKeelErrorNamed } from '@keel/core';

/**
 * `durable()` was given an agent whose model and tools it cannot reach. It rebuilds the agent per
 * call from its settings, which `ToolLoopAgent` (ai 6 and 7) keeps; a hand-written `Agent` does not
 * expose them.
 */
export class AgentUnsupportedError extends KeelError {
  constructor({ agent }: { agent: unknown }) {
    const kind = typeof agent === 'object' && agent !== null ? (agent.constructor?.name ?? 'object') : typeof agent;
    super(
      `Keel cannot make this agent (${kind}) durable: durable() needs a ToolLoopAgent, whose settings hold its model and tools. ` +
        'For another Agent implementation, build it from durableModel(model) and durableTools(tools) and call it inside a flow.',
    );
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'AgentUnsupportedError';

  /** True for this error, from any copy of the package (where `instanceof` would not work). */
  static override isInstance = isKeelErrorNamed<AgentUnsupportedError>('AgentUnsupportedError');
}
