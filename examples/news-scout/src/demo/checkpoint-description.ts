import type { CheckpointInfo } from '@keel/core';
import { formatCount } from './terminal-style.js';

/** Token usage as the adapter records it in a model checkpoint's metadata. */
export interface RecordedUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** The usage recorded on a model checkpoint (zero when none was recorded). */
export function usageOf(checkpoint: Pick<CheckpointInfo, 'metadata'>): RecordedUsage {
  const usage = (checkpoint.metadata?.['usage'] ?? {}) as { inputTokens?: unknown; outputTokens?: unknown };
  return {
    inputTokens: typeof usage.inputTokens === 'number' ? usage.inputTokens : 0,
    outputTokens: typeof usage.outputTokens === 'number' ? usage.outputTokens : 0,
  };
}

/** Whether a checkpoint is a call the agent made (a model request or a tool call), not a grouping step or a wait. */
export function isCall(checkpoint: Pick<CheckpointInfo, 'kind'>): boolean {
  return checkpoint.kind === 'model' || checkpoint.kind === 'tool' || checkpoint.kind === 'mcp';
}

/** The tool's name, or `model`, or the checkpoint's name. */
export function callName(checkpoint: Pick<CheckpointInfo, 'name' | 'metadata'>): string {
  const toolName = checkpoint.metadata?.['toolName'];
  return typeof toolName === 'string' ? toolName : checkpoint.name;
}

/** One line on what a checkpoint did, read from its recorded input and output. */
export function describeCheckpoint(checkpoint: CheckpointInfo): string {
  const input = (checkpoint.input ?? {}) as Record<string, unknown>;
  const output = checkpoint.output as Record<string, unknown> | undefined;
  if (checkpoint.kind === 'model') return describeModelCall(checkpoint, output);
  if (checkpoint.kind === 'wait') return checkpoint.status === 'completed' ? `answered ${JSON.stringify(checkpoint.output)}` : 'waiting';
  switch (callName(checkpoint)) {
    case 'settings': {
      const settings = output as { interests?: string[]; asOf?: string; model?: { modelId?: string }; live?: boolean } | undefined;
      return settings
        ? `interests ${settings.interests?.join(', ')} · model ${settings.model?.modelId} · ${settings.live ? 'live web' : 'offline corpus'} · as of ${settings.asOf}`
        : '';
    }
    case 'search_news': {
      const results = output?.['results'] as unknown[] | undefined;
      return `"${String(input['query'] ?? '')}"${results ? ` → ${results.length} articles` : ''}`;
    }
    case 'investigate': {
      if (!output) return `reading ${String(input['url'] ?? '')}`;
      return output['status'] !== undefined && Number(output['status']) >= 400
        ? `${String(output['url'])} → HTTP ${String(output['status'])}`
        : `"${String(output['title'])}" (${String(output['source'])})`;
    }
    case 'fetch_url':
      return `${String(input['url'] ?? '')}${output ? ` → ${String(output['status'])} "${String(output['title'] ?? '')}"` : ''}`;
    case 'publish_report':
      return output ? `saved final_report (${formatCount(Number(output['characters'] ?? 0))} characters)` : 'publishing';
    default:
      return '';
  }
}

function describeModelCall(checkpoint: CheckpointInfo, output: Record<string, unknown> | undefined): string {
  if (!output) return 'thinking';
  const usage = usageOf(checkpoint);
  const tokens = usage.inputTokens + usage.outputTokens > 0 ? ` · ${formatCount(usage.inputTokens + usage.outputTokens)} tokens` : '';
  const content = (output['content'] ?? []) as { type: string; toolName?: string; text?: string }[];
  const text = content
    .filter((part) => part.type === 'text')
    .map((part) => part.text ?? '')
    .join('')
    .trim();
  const tools = content.filter((part) => part.type === 'tool-call').map((part) => part.toolName ?? '?');
  // A step that calls tools says why in its text (its first line); the last step's text is the brief.
  if (tools.length > 0) return `${text ? truncate(text.split('\n')[0]!, 64) : `→ ${[...new Set(tools)].join(', ')}`}${tokens}`;
  return `wrote the brief (${formatCount(text.length)} characters)${tokens}`;
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
