import type { CliContext } from '../cli-context.js';

/**
 * `keel mcp`: Keel's MCP server over stdio, for MCP clients that start it as a command. Nothing but
 * the protocol may reach stdout, so messages go to stderr. Without a config it can inspect executions
 * but not run them.
 */
export async function mcpCommand(context: CliContext): Promise<void> {
  const project = await context.open(false);
  if (project.configFile) await project.loadFlows();
  const { serveStdio } = await import('@keel/mcp');
  const served = await serveStdio({ runtime: project.runtime });
  await served.closed;
  // Resumes, retries and replays a client started end or reach a wait before the store closes.
  await served.idle();
}
