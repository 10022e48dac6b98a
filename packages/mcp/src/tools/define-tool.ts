import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Runtime } from '@keel/core';
import type { RunOperations } from '../runs/run-operations.js';
import { defaultMaxChars, largestMaxChars, pageText } from '../views/paged-text.js';
import { errorResult, textResult } from './tool-result.js';

/** What the tools work with. */
export interface ToolContext {
  readonly runtime: Runtime;
  readonly operations: RunOperations;
}

/** The arguments of every tool whose answer can be long: a page size and where the page starts. */
export const pagingShape = {
  maxChars: z
    .number()
    .int()
    .min(200)
    .max(largestMaxChars)
    .optional()
    .describe(
      `Return at most this many characters of the answer (default ${defaultMaxChars}). A longer answer ends with a note giving the offset to call again with.`,
    ),
  offset: z.number().int().min(0).optional().describe('Start at this character of the whole answer (default 0), as the truncation note says.'),
};

/** The tool's description of an execution id argument. */
export const executionIdArgument = z.string().min(1).describe('The execution id, e.g. "ex_01jdq3k8m2r7f3k9q2xw" (list_executions shows them).');

/**
 * A tool as clients list it. Definitions are module constants: building zod schemas costs more than
 * the rest of a server, and the HTTP endpoint builds a server per request.
 */
export interface ToolDefinition<Shape extends z.ZodRawShape = z.ZodRawShape> {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly inputSchema: Shape;
  readonly annotations: ToolAnnotations;
  /** Whether the answer is cut to `maxChars` from `offset` (the shape then includes {@link pagingShape}). */
  readonly paged?: boolean;
}

/**
 * Registers a tool whose handler returns its answer as text. Thrown errors become MCP tool errors
 * (`isError`) with the error's message, so a bad argument or an unknown id never stops the server;
 * a `paged` answer is cut to `maxChars` from `offset`.
 */
export function defineTool<Shape extends z.ZodRawShape>(
  server: McpServer,
  definition: ToolDefinition<Shape>,
  answer: (args: z.infer<z.ZodObject<Shape>>) => Promise<string>,
): void {
  const { name, paged, annotations, ...config } = definition;
  const handler = async (args: z.infer<z.ZodObject<Shape>>): Promise<CallToolResult> => {
    try {
      const text = await answer(args);
      if (!paged) return textResult(text);
      const paging = args as { maxChars?: number; offset?: number };
      return textResult(pageText(text, { maxChars: paging.maxChars, offset: paging.offset }));
    } catch (error) {
      return errorResult(error);
    }
  };
  server.registerTool(name, { ...config, annotations: { title: definition.title, ...annotations } }, handler as never);
}
