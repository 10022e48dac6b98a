import { z } from 'zod';

/**
 * The input every adapter's approval wait expects: `{ approve: true }` runs the tool call,
 * `{ approve: false, reason: '…' }` rejects it and the model is told why. One schema for all
 * harnesses, so a surface (CLI, HTTP, MCP) answers any adapter's approval the same way.
 */
export const approvalSchema = z.object({
  approve: z.boolean().describe('Whether the tool call may run'),
  reason: z.string().optional().describe('Why (sent to the model when the call is rejected)'),
});

/** A decision about one tool call: what an approval wait returns. */
export type ApprovalDecision = z.output<typeof approvalSchema>;

/** The name of the wait that asks for approval of a call of `toolName`. */
export function approvalWaitName(toolName: string): string {
  return `approve_${toolName}`;
}
