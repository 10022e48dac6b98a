import { Writable, type Readable } from 'node:stream';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createKeelMcpServer, reportToStderr, type KeelMcpServerOptions } from './create-keel-mcp-server.js';
import { BackgroundRuns } from './runs/background-runs.js';

/** Options of {@link serveStdio}. */
export interface StdioServeOptions extends Omit<KeelMcpServerOptions, 'runs'> {
  /** Where requests come from (default `process.stdin`). */
  readonly stdin?: Readable;
  /** Where answers go (default `process.stdout`). */
  readonly stdout?: Writable;
  /**
   * Send whatever else writes to `process.stdout` (a `console.log` in a flow or tool that resume runs
   * here) to stderr while serving, so it cannot corrupt the protocol. Default `true` when answering on
   * `process.stdout`.
   */
  readonly guardStdout?: boolean;
}

/** A running stdio server. */
export interface StdioMcpServer {
  readonly server: McpServer;
  /** Resolves when the client closed stdin (it went away) or {@link StdioMcpServer.close} was called. */
  readonly closed: Promise<void>;
  /** Ids of executions that runs started here (resume, retry, replay) are still running. */
  running(): string[];
  /** Resolves once every run started here has ended or reached a wait. */
  idle(): Promise<void>;
  /** Stops answering and gives stdout back. Runs started here keep going; await {@link StdioMcpServer.idle} for them. */
  close(): Promise<void>;
}

/**
 * Serves Keel's MCP server over stdio, the way MCP clients launch local servers
 * (`{ "command": "npx", "args": ["@keel/cli", "mcp"] }`). It answers until the client closes stdin.
 *
 * @example
 * ```ts
 * const served = await serveStdio({ runtime });
 * await served.closed;
 * await served.idle();
 * await runtime.close();
 * ```
 */
export async function serveStdio(options: StdioServeOptions): Promise<StdioMcpServer> {
  const stdin = options.stdin ?? process.stdin;
  const answersOnProcessStdout = options.stdout === undefined || options.stdout === process.stdout;
  const restoreStdout = (options.guardStdout ?? answersOnProcessStdout) && answersOnProcessStdout ? guardProcessStdout() : undefined;
  const stdout = restoreStdout ? restoreStdout.protocol : (options.stdout ?? process.stdout);
  const runs = new BackgroundRuns(reportToStderr);
  const server = createKeelMcpServer({
    runtime: options.runtime,
    runs,
    ...(options.flowCodeMissing !== undefined ? { flowCodeMissing: options.flowCodeMissing } : {}),
  });
  const transport = new StdioServerTransport(stdin, stdout);
  transport.onerror = (error) => process.stderr.write(`keel mcp: ${error.message}\n`);
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      stdin.off('end', close);
      stdin.off('close', close);
      await server.close().catch(() => {});
      restoreStdout?.restore();
      markClosed();
    })());
  stdin.once('end', close);
  stdin.once('close', close);
  await server.connect(transport);
  return { server, closed, running: () => runs.running(), idle: () => runs.idle(), close };
}

/**
 * Keeps the real `process.stdout` for protocol messages and sends every other write to stderr.
 * @returns The protocol stream and a function that puts `process.stdout.write` back.
 */
function guardProcessStdout(): { protocol: Writable; restore: () => void } {
  const original = process.stdout.write;
  const write = original.bind(process.stdout) as (chunk: unknown, encoding: BufferEncoding, callback: (error?: Error | null) => void) => boolean;
  const protocol = new Writable({
    write(chunk, encoding, callback) {
      write(chunk, encoding, callback);
    },
  });
  process.stdout.write = ((...args: Parameters<typeof process.stderr.write>) => process.stderr.write(...args)) as typeof process.stdout.write;
  return {
    protocol,
    restore: () => {
      if (process.stdout.write !== original) process.stdout.write = original;
    },
  };
}
