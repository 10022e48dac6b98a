import { openWait } from '@keel/core/adapter';
import type { PendingWait } from '@keel/core';
import { z } from 'zod';

/** An `interrupt()` that waits for an answer, found in a graph's state. */
export interface PendingInterrupt {
  /** LangGraph's interrupt id (what `Command({ resume: { [id]: value } })` answers). */
  readonly id: string;
  /** The node (task name) that called `interrupt()`. */
  readonly node: string;
  /** What the node passed to `interrupt()`. */
  readonly value: unknown;
  /** The JSON Schema of the expected answer, when `interrupt()` was given a `responseSchema`. */
  readonly responseSchema?: Record<string, unknown>;
}

/** The slice of LangGraph's `StateSnapshot` this module reads. */
export interface SnapshotLike {
  readonly values: unknown;
  readonly next: readonly string[];
  readonly tasks: readonly {
    readonly name: string;
    readonly error?: unknown;
    readonly result?: unknown;
    readonly interrupts: readonly { readonly id?: string; readonly value?: unknown; readonly response_schema?: unknown }[];
  }[];
}

/**
 * The interrupts of a snapshot that still wait for an answer: those of tasks that have not finished.
 * (A finished task keeps its answered interrupt in the snapshot, and LangGraph's `next` may be empty
 * while a task still waits, so neither can be taken as is.)
 */
export function pendingInterrupts(snapshot: SnapshotLike): PendingInterrupt[] {
  const pending: PendingInterrupt[] = [];
  for (const task of snapshot.tasks) {
    if (task.result !== undefined || task.error !== undefined) continue;
    for (const interrupt of task.interrupts) {
      if (typeof interrupt.id !== 'string') continue;
      const schema = interrupt.response_schema;
      pending.push({
        id: interrupt.id,
        node: task.name,
        value: interrupt.value,
        ...(typeof schema === 'object' && schema !== null ? { responseSchema: schema as Record<string, unknown> } : {}),
      });
    }
  }
  return pending;
}

/**
 * Waits durably for the answer to one interrupt: a Keel wait named after the node and keyed by the
 * interrupt id (`<node>:<interrupt id>`), so each interrupt has its own wait however many rounds of
 * questions a run goes through, and an answer once given is reused. It is identified by that key
 * alone (`ordered: false`): the run's calls change order between sessions. With no answer yet, the
 * execution becomes `waiting` here and the process may exit.
 */
export function waitForAnswer(interrupt: PendingInterrupt, options: { readonly timeout?: number }): Promise<unknown> {
  return openWait(interrupt.node, {
    key: interrupt.id,
    ordered: false,
    schema: answerSchema(interrupt.responseSchema),
    question: questionOf(interrupt),
    metadata: { interruptId: interrupt.id, node: interrupt.node, ...smallValue(interrupt.value) },
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
  });
}

/**
 * The interrupts a waiting execution reports, LangGraph-style (`{ id, value }`), from its Keel waits:
 * an `interrupt()`'s wait gives back its interrupt id and value; any other wait (an at-most-once
 * tool's rerun-or-fail decision) is reported under its wait id.
 */
export function interruptsOfWaits(waits: readonly PendingWait[]): { id: string; value: unknown }[] {
  return waits.map((wait) => {
    const interruptId = wait.metadata?.['interruptId'];
    if (typeof interruptId === 'string') return { id: interruptId, value: wait.metadata?.['value'] };
    return { id: wait.id, value: { wait: wait.name, question: wait.question, schema: wait.schema } };
  });
}

function answerSchema(responseSchema: Record<string, unknown> | undefined): z.ZodType {
  if (!responseSchema) return z.unknown();
  try {
    return z.fromJSONSchema(responseSchema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch {
    // A schema zod cannot read still reaches LangGraph, which validates the answer itself.
    return z.unknown();
  }
}

/** The question a person sees: the interrupt's text, or what it asks for. */
function questionOf(interrupt: PendingInterrupt): string {
  const value = interrupt.value;
  if (typeof value === 'string' && value.trim()) return value;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of ['question', 'message', 'prompt', 'description']) {
      if (typeof record[key] === 'string' && record[key]) return record[key];
    }
    // langchain's humanInTheLoopMiddleware asks to review tool calls.
    const requests = record['actionRequests'];
    if (Array.isArray(requests) && requests.length) {
      const calls = requests.map((request: { name?: unknown; args?: unknown; description?: unknown }) =>
        typeof request.description === 'string' && request.description ? request.description : `${String(request.name)}(${safeJson(request.args)})`,
      );
      return `Review ${calls.length === 1 ? 'this tool call' : 'these tool calls'}: ${calls.join('; ')}`;
    }
  }
  return `The graph node "${interrupt.node}" asks for input (interrupt ${interrupt.id}).`;
}

/** The interrupt's value, for the wait's metadata, when it is small JSON. */
function smallValue(value: unknown): { value?: unknown } {
  const json = safeJson(value);
  if (json === undefined || json.length > 4000) return {};
  return { value: JSON.parse(json) as unknown };
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
