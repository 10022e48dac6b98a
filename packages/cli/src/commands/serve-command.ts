import type { CliContext } from '../cli-context.js';
import { exitCodes } from '../exit-codes.js';
import { flowCodeHint } from '../project/flow-code.js';

/**
 * `keel serve`: the HTTP API and the dashboard, with Keel's MCP server mounted at `/mcp`. Resume,
 * retry and replay asked through them run in this process, so the config's flows are loaded. Without
 * a config it serves the store alone (`--store`, `KEEL_STORE`): inspecting, giving input and cancelling
 * work; what needs a flow's code says so and how to load it. Stops on SIGINT/SIGTERM after the runs it
 * started end (a second signal: at once).
 */
export async function serveCommand(context: CliContext, options: { host: string; port: number }): Promise<void> {
  const project = await context.open(false);
  if (project.configFile) await project.loadFlows();
  const flowCodeMissing = project.configFile ? {} : { flowCodeMissing: flowCodeHint('serve', project.root) };
  const { startServer, ServerTokenMissingError } = await import('@keel/server');
  const { createMcpHttpHandler } = await import('@keel/mcp');
  const { terminal } = context;
  // The server checks host, token, origin and body size for everything it serves, /mcp included.
  const mcp = createMcpHttpHandler({ runtime: project.runtime, token: null, allowedHosts: null, ...flowCodeMissing });
  let server;
  try {
    server = await startServer({ runtime: project.runtime, host: options.host, port: options.port, mount: { '/mcp': mcp.fetch }, ...flowCodeMissing });
  } catch (error) {
    if (ServerTokenMissingError.isInstance(error)) {
      terminal.error(terminal.errorColors.red(error.message));
      context.exitCode = exitCodes.usage;
      return;
    }
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      terminal.error(terminal.errorColors.red(`Port ${options.port} on ${options.host} is in use. Pass another with --port (0 picks a free one).`));
      context.exitCode = exitCodes.failed;
      return;
    }
    throw error;
  }
  const tokenNote = process.env.KEEL_API_TOKEN ? ' (sign in once at this address with ?token=<KEEL_API_TOKEN>)' : '';
  terminal.line(`Keel dashboard and API: ${server.url}${tokenNote}`);
  terminal.line(terminal.colors.dim(`  MCP (streamable HTTP): ${server.url}/mcp · OpenAPI: ${server.url}/api/openapi.json · store ${project.storeLabel}`));
  if (!project.configFile) {
    terminal.line(
      terminal.colors.yellow(
        `  No keel.config.ts here: serving the store alone. Inspecting, giving input and cancelling work; to resume, retry, replay and run, start it with --config <path to keel.config.ts>.`,
      ),
    );
  }
  terminal.line(terminal.colors.dim('  Ctrl-C to stop.'));
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) process.exit(exitCodes.interrupted);
      stopping = true;
      terminal.error(terminal.colors.dim('stopping: waiting for runs started here to end (again: now)'));
      void (async () => {
        await server.close();
        await server.idle();
        await mcp.idle();
        resolve();
      })();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
