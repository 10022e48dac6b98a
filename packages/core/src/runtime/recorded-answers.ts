import type { CheckpointRecord } from '../store/records.js';

/**
 * The original's completed tool calls and answered waits, for a replay with a change: its calls run
 * again (the change may make them differ), and each tool call or wait is answered from the original's
 * record of the same call, matched by name and request (the adapter's fingerprint of the tool's
 * input), not by position: a changed model may ask in another order.
 */
export class RecordedAnswers {
  readonly #tools = new Map<string, CheckpointRecord[]>();
  readonly #used = new Set<CheckpointRecord>();
  readonly #waits = new Map<string, CheckpointRecord>();

  constructor(records: readonly CheckpointRecord[]) {
    for (const record of records) {
      if (record.status !== 'completed' || !record.durable || !record.output) continue;
      if (record.kind === 'wait') this.#waits.set(record.id, record);
      if (record.kind !== 'tool' && record.kind !== 'mcp') continue;
      const key = keyOf(record.name, record.fingerprint);
      const same = this.#tools.get(key);
      if (same) same.push(record);
      else this.#tools.set(key, [record]);
    }
  }

  /**
   * The original's record of a call of `tool` with this request: the first not handed out yet, so
   * calls the original made twice are answered in the order it made them; once all were handed out,
   * the last one again (the same question asked once more gets the same answer).
   */
  tool(name: string, fingerprint: string | undefined): CheckpointRecord | undefined {
    const same = this.#tools.get(keyOf(name, fingerprint));
    if (!same) return undefined;
    const record = same.find((candidate) => !this.#used.has(candidate)) ?? same[same.length - 1]!;
    this.#used.add(record);
    return record;
  }

  /** The original's answered wait with this id: the same question gets the same answer. */
  wait(id: string): CheckpointRecord | undefined {
    return this.#waits.get(id);
  }
}

function keyOf(name: string, fingerprint: string | undefined): string {
  return `${name}\u0000${fingerprint ?? ''}`;
}

/** The change a replay's session runs with, and the original's answers. */
export interface ActiveChange {
  readonly change: import('./replay-change.js').ReplayChange;
  readonly answers: RecordedAnswers;
  /** The replayed execution's id. */
  readonly original: string;
}
