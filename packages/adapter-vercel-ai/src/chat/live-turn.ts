import type { UIMessageChunk } from 'ai';

/**
 * The UI message chunks of one session of a turn that runs in this process, kept in memory for the
 * connections that read it: each reader gets every chunk from the first, then the new ones as they
 * come, until the turn's stream ends. (Readers in other processes read the store's chunk log.)
 */
export class LiveTurn {
  readonly #chunks: UIMessageChunk[] = [];
  #ended = false;
  #wake: (() => void)[] = [];

  constructor(
    /** The turn's execution id. */
    readonly executionId: string,
    /** The execution's session that produces these chunks. */
    readonly session: number,
  ) {}

  /** Whether the stream ended (the turn finished, stopped at a wait, failed or was stopped). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Adds a chunk at the end. */
  push(chunk: UIMessageChunk): void {
    if (this.#ended) return;
    this.#chunks.push(chunk);
    this.#notify();
  }

  /** Ends the stream with these last chunks. */
  end(closing: readonly UIMessageChunk[] = []): void {
    if (this.#ended) return;
    this.#chunks.push(...closing);
    this.#ended = true;
    this.#notify();
  }

  /** Every chunk from index `from` on, live, until the stream ends or `signal` aborts. */
  async *read(from = 0, signal?: AbortSignal): AsyncGenerator<UIMessageChunk> {
    let index = from;
    let wake: (() => void) | undefined;
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        while (index < this.#chunks.length) yield this.#chunks[index++]!;
        if (this.#ended || signal?.aborted) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
          this.#wake.push(resolve);
        });
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #notify(): void {
    const waiting = this.#wake;
    this.#wake = [];
    for (const resolve of waiting) resolve();
  }
}

/** The turns running in this process, by execution id. */
export class LiveTurns {
  readonly #turns = new Map<string, LiveTurn>();
  readonly #waiting = new Map<string, ((turn: LiveTurn) => void)[]>();

  /** Opens the chunk stream of a new session of a turn (replacing an earlier session's). */
  open(executionId: string, session: number): LiveTurn {
    const turn = new LiveTurn(executionId, session);
    this.#turns.get(executionId)?.end();
    this.#turns.set(executionId, turn);
    for (const resolve of this.#waiting.get(executionId) ?? []) resolve(turn);
    this.#waiting.delete(executionId);
    return turn;
  }

  /** The turn's stream in this process, if it runs here (or ran here and its stream ended). */
  get(executionId: string): LiveTurn | undefined {
    return this.#turns.get(executionId);
  }

  /** Resolves with the next session opened for the turn, in this process. */
  opened(executionId: string): Promise<LiveTurn> {
    return new Promise((resolve) => this.#waiting.set(executionId, [...(this.#waiting.get(executionId) ?? []), resolve]));
  }

  /**
   * Forgets a turn whose stream ended. Its readers keep the object; later reconnects find the turn's
   * end in the store (its status is stored before its stream ends here).
   */
  forget(turn: LiveTurn): void {
    if (this.#turns.get(turn.executionId) === turn && turn.ended) this.#turns.delete(turn.executionId);
  }
}
