import { createHash } from 'node:crypto';
import type { RunnableConfig } from '@langchain/core/runnables';
import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';

/**
 * Where a call is made in a LangGraph run: the task (one execution of a node in one super-step)
 * it belongs to.
 */
export interface TaskPlace {
  /**
   * A key for the task that is the same when LangGraph runs it again after a crash or an
   * `interrupt()`: `<node>@<step>` (plus a hash of the task path for `Send` tasks, and of the parent
   * namespace inside subgraphs). It is built from the node, step and path rather than LangGraph's
   * task id, because the task id derives from a checkpoint id, and a checkpoint LangGraph had not yet
   * written when the process died is written again under a new id.
   */
  readonly key: string;
  readonly node: string;
  readonly step: number | undefined;
  /** LangGraph's per-attempt scratchpad: a fresh object each time the task runs. */
  readonly attempt: object;
}

const counters = new WeakMap<object, Map<string, number>>();

/** The task the calling code runs in (from `config`, else from LangGraph's async context). */
export function currentTask(config?: RunnableConfig): TaskPlace | undefined {
  const source = config?.configurable?.['__pregel_scratchpad'] ? config : AsyncLocalStorageProviderSingleton.getRunnableConfig();
  const configurable = source?.configurable as Record<string, unknown> | undefined;
  const scratchpad = configurable?.['__pregel_scratchpad'];
  if (typeof scratchpad !== 'object' || scratchpad === null) return undefined;
  const metadata = (source?.metadata ?? {}) as Record<string, unknown>;
  const node = typeof metadata['langgraph_node'] === 'string' ? metadata['langgraph_node'] : 'task';
  const step = typeof metadata['langgraph_step'] === 'number' ? metadata['langgraph_step'] : undefined;
  if (step === undefined) {
    // Without a step LangGraph's own task id is the only stable identity there is.
    return { key: `${node}@${String(configurable?.['__pregel_task_id'] ?? 'unknown')}`, node, step, attempt: scratchpad };
  }
  const namespace = typeof configurable?.['checkpoint_ns'] === 'string' ? configurable['checkpoint_ns'] : '';
  const parent = namespace.split('|').slice(0, -1).join('|');
  const path = metadata['langgraph_path'];
  const pulled = Array.isArray(path) && path.length === 2 && path[0] === '__pregel_pull';
  const key = `${parent ? `${shortHash(parent)}.` : ''}${node}@${step}${pulled || path === undefined ? '' : `.${shortHash(JSON.stringify(path))}`}`;
  return { key, node, step, attempt: scratchpad };
}

/** The next number for calls of `kind` in this attempt of the task: 1, 2, 3 … */
export function nextCallNumber(task: TaskPlace, kind: string): number {
  let perKind = counters.get(task.attempt);
  if (!perKind) counters.set(task.attempt, (perKind = new Map()));
  const next = (perKind.get(kind) ?? 0) + 1;
  perKind.set(kind, next);
  return next;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
