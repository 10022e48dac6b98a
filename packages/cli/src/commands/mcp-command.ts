import type { CliContext } from '../cli-context.js';
import { flowCodeHint } from '../project/flow-code.js';

/**
 * `keel mcp`: Keel's MCP server over stdio, for MCP clients that start it as a command. Nothing but
 * the protocol may reach stdout, so messages go to stderr. Without a config it works on the store alone:
 * inspecting, giving input and cancelling work; what needs a flow's code says so and how to load it.
 */
export async function mcpCommand(context: CliContext): Promise<void> {
  const project = await context.open(false);
  if (project.configFile) await project.loadFlows();
  const { serveStdio } = await import('@keel/mcp');
  const served = await serveStdio({ runtime: project.runtime, ...(project.configFile ? {} : { flowCodeMissing: flowCodeHint('mcp', project.root) }) });
  await served.closed;
  // Resumes, retries and replays a client started end or reach a wait before the store closes.
  await served.idle();
}
