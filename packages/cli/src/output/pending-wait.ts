import type { PendingWait } from '@keel/core';
import type { CliContext } from '../cli-context.js';
import { describeSchema, sampleFromSchema, withoutDialect } from './json-schema-text.js';
import { formatRelativeTime } from './quantity-format.js';
import { statusIcon } from './status-style.js';

/** The command that answers a wait, with a sample value built from its schema. */
export function inputCommand(context: CliContext, executionId: string, wait: Pick<PendingWait, 'name' | 'schema'>, waitKey = wait.name): string {
  return context.hint('executions', 'input', executionId, '--wait', waitKey, '--value', JSON.stringify(sampleFromSchema(wait.schema)));
}

/**
 * A pending wait as a person needs it: its name and id, the question, the expected value as a short
 * type and as its JSON Schema, and the exact command that answers it.
 */
export function renderPendingWait(
  context: CliContext,
  executionId: string,
  wait: PendingWait & { readonly createdAt?: number },
  options: { readonly ambiguous?: boolean; readonly indent?: string; readonly answer?: boolean } = {},
): string[] {
  const { colors } = context.terminal;
  const indent = options.indent ?? '  ';
  const when = [
    wait.createdAt !== undefined ? `asked ${formatRelativeTime(wait.createdAt)}` : undefined,
    wait.expiresAt !== undefined ? `times out ${formatRelativeTime(wait.expiresAt)}` : undefined,
  ].filter(Boolean);
  const lines = [
    `${indent}${statusIcon('waiting', colors)} ${colors.bold(wait.name)} ${colors.dim(`(${wait.id})`)}${when.length ? colors.dim(` · ${when.join(' · ')}`) : ''}`,
  ];
  if (wait.question) lines.push(`${indent}  ${wait.question}`);
  lines.push(`${indent}  ${colors.dim('expects')}  ${describeSchema(wait.schema)}`);
  lines.push(`${indent}  ${colors.dim('schema ')}  ${colors.dim(JSON.stringify(withoutDialect(wait.schema)))}`);
  if (wait.metadata && Object.keys(wait.metadata).length) lines.push(`${indent}  ${colors.dim('details')}  ${colors.dim(JSON.stringify(wait.metadata))}`);
  if (options.answer !== false)
    lines.push(`${indent}  ${colors.dim('answer ')}  ${inputCommand(context, executionId, wait, options.ambiguous ? wait.id : wait.name)}`);
  return lines;
}
