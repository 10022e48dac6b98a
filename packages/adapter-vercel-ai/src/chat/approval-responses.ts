import type { UIMessage } from 'ai';

/** A person's answer to an approval request, as the page sends it back. */
export interface ApprovalResponse {
  /** The approval id the request carried: the id of the turn's wait. */
  readonly approvalId: string;
  readonly approved: boolean;
  readonly reason?: string;
}

/**
 * The approval answers in the last message of a `POST`: tool parts in state `approval-responded`, as
 * `addToolApprovalResponse` leaves them in the assistant message it sends back.
 */
export function approvalResponses(messages: readonly UIMessage[]): ApprovalResponse[] {
  const last = messages.at(-1);
  if (last?.role !== 'assistant') return [];
  const answers: ApprovalResponse[] = [];
  for (const part of last.parts as readonly Record<string, unknown>[]) {
    const approval = part['approval'] as { id?: unknown; approved?: unknown; reason?: unknown } | undefined;
    if (part['state'] !== 'approval-responded' || typeof approval?.id !== 'string' || typeof approval.approved !== 'boolean') continue;
    answers.push({ approvalId: approval.id, approved: approval.approved, ...(typeof approval.reason === 'string' ? { reason: approval.reason } : {}) });
  }
  return answers;
}
