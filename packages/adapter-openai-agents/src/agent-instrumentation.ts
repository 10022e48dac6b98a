import type { Agent, FunctionTool, Tool } from '@openai/agents';
import { currentLane } from './durable-lane.js';
import { DurableModel } from './durable-model.js';
import { makeToolDurable } from './durable-tool.js';

const instrumented = Symbol.for('keel.openai-agents.instrumented-get-all-tools');

type GetAllTools = Agent<any, any>['getAllTools'];

/**
 * Instruments the class of `agent` once: its `getAllTools` — the runner's single source of an agent's
 * tools, asked right before every model request — makes the returned function tools (MCP tools
 * included) durable, decorates a `Model` instance set on the agent, and tells the lane which agent
 * the next model request is for.
 *
 * The class, not the instance, because a run reaches agents that `durable()` never sees: handoff
 * targets returned at run time, agents used as tools (their nested runs ask their own `getAllTools`).
 * The instrumentation only acts inside a durable run; elsewhere the agent behaves as before.
 */
export function instrumentAgentClass(agent: Agent<any, any>): void {
  let prototype: object | null = Object.getPrototypeOf(agent) as object | null;
  while (prototype && !Object.prototype.hasOwnProperty.call(prototype, 'getAllTools')) {
    prototype = Object.getPrototypeOf(prototype) as object | null;
  }
  if (!prototype || (prototype as Record<symbol, unknown>)[instrumented]) return;
  const original = (prototype as { getAllTools: GetAllTools }).getAllTools;
  const instrumentedGetAllTools: GetAllTools = async function getAllTools(this: Agent<any, any>, ...args) {
    const tools = await original.apply(this, args);
    const lane = currentLane();
    if (!lane) return tools;
    lane.agent = this.name;
    decorateAgentModel(this);
    return makeToolsDurable(this, tools);
  };
  Object.defineProperty(prototype, 'getAllTools', { value: instrumentedGetAllTools, writable: true, configurable: true });
  Object.defineProperty(prototype, instrumented, { value: true });
}

/** Decorates a `Model` instance set on the agent (model names go through the decorated provider). */
export function decorateAgentModel(agent: Agent<any, any>): void {
  const model = agent.model;
  if (typeof model === 'object' && model !== null && !DurableModel.isDurable(model)) {
    agent.model = new DurableModel(model);
  }
}

function makeToolsDurable(agent: Agent<any, any>, tools: Tool<any>[]): Tool<any>[] {
  const own = new Set<unknown>(agent.tools);
  for (const tool of tools) {
    // Tools the agent was not configured with come from its MCP servers.
    if (tool.type === 'function') makeToolDurable(tool as FunctionTool<any, any, any>, own.has(tool) ? 'tool' : 'mcp');
  }
  return tools;
}
