import type { UIMessageChunk } from 'ai';

/**
 * Makes a turn's UI message chunks the same in every session. A resumed turn regenerates its answer
 * from the recorded calls, and those give the same parts, but the SDK names text and reasoning
 * parts with fresh random ids (`aitxt-…`) and the message with a fresh id each time. Renaming them by
 * order of appearance (and the message after its turn) lets a reader compare the chunks of two
 * sessions, and a page keep the message it already shows.
 */
export class ChunkIds {
  readonly #names = new Map<string, string>();

  constructor(private readonly messageId: string) {}

  /** The chunk with stable ids. */
  normalize(chunk: UIMessageChunk): UIMessageChunk {
    if (chunk.type === 'start') return { ...chunk, messageId: this.messageId };
    const kind = partKind(chunk.type);
    if (!kind || !('id' in chunk)) return chunk;
    const key = `${kind}:${chunk.id}`;
    let name = this.#names.get(key);
    if (name === undefined) {
      name = `${kind}-${this.#names.size + 1}`;
      this.#names.set(key, name);
    }
    return { ...chunk, id: name } as UIMessageChunk;
  }
}

function partKind(type: string): 'text' | 'reasoning' | undefined {
  if (type.startsWith('text-')) return 'text';
  if (type.startsWith('reasoning-')) return 'reasoning';
  return undefined;
}
