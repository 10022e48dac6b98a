import type { Store } from '../store/store.js';
import type { PayloadRef } from '../store/records.js';
import { ChainedRequest } from './chained-request.js';
import { encodeValue } from './codec.js';
import { contentHash } from './content-hash.js';
import { encodePayload, storePayload, type EncodedPayload } from './payloads.js';

/** The fields of a model request that may hold its conversation, in the order they are looked for. */
const conversationFields = ['messages', 'prompt', 'input'] as const;

/** A request stored as a link, as the next request of its conversation may extend it. */
interface StoredLink {
  readonly ref: PayloadRef;
  /** The hash of its envelope (the request without its conversation). */
  readonly envelope: string;
}

/** A place in a conversation: the messages up to here (by their encoded text), and the request stored with exactly them. */
interface ConversationPoint {
  readonly next: Map<string, ConversationPoint>;
  link?: StoredLink;
}

/**
 * Stores the model requests of one session as chains of {@link ChainedRequest} links, so that storage
 * grows with the conversation, not with its square.
 *
 * It remembers every request it stored in a tree of message hashes (one tree per conversation field):
 * a new request is stored as the longest earlier request whose messages begin it, plus the messages
 * that follow. Several agents talking in one execution each extend their own branch; a request that
 * drops or edits earlier messages (a trimmed history) starts a new chain. Nothing is read back from
 * the store: a session resumed in another process starts new chains.
 */
export class ConversationChains {
  readonly #trees = new Map<string, ConversationPoint>();

  /**
   * Stores a model request, returning the reference a record keeps. Anything that is not a plain
   * object with a non-empty message list is stored whole.
   * @param subject - What is being stored, for a `SerializationError` (`the captured input of "model"`).
   * @param listField - The field holding the growing list; by default the first of `messages`,
   *   `prompt`, `input` that is a list.
   */
  async store(store: Store, request: unknown, subject: string, listField?: string): Promise<PayloadRef> {
    const field = conversationFieldOf(request, listField);
    if (field === undefined) return storePayload(store, request, subject);
    const fields = request as Record<string, unknown>;
    // Every message is encoded (what the caller sends may have changed anywhere), but only the new
    // ones are hashed: the tree is keyed by the encoded text.
    const messages = (fields[field] as unknown[]).map((message, index) => encodeValue(message, `${subject}.${field}[${index}]`));
    // The conversation field stays in place (an empty list), so the rebuilt request keeps its key order.
    const envelope = encodePayload({ ...fields, [field]: [] }, subject);

    const tree = this.#tree(field);
    let point = tree;
    let base: { link: StoredLink; length: number } | undefined;
    for (let index = 0; index < messages.length; index++) {
      const next = point.next.get(messages[index]!);
      if (!next) break;
      point = next;
      if (point.link) base = { link: point.link, length: index + 1 };
    }
    // The same messages and envelope as a request stored before: the same link.
    if (base?.length === messages.length && base.link.envelope === envelope.ref.hash) return base.link.ref;

    const appended = messages.slice(base?.length ?? 0).map(addressed);
    const envelopeChanged = base?.link.envelope !== envelope.ref.hash;
    const link = encodePayload(
      new ChainedRequest({
        previous: base?.link.ref.hash,
        appended: appended.map((message) => message.ref.hash),
        ...(envelopeChanged ? { envelope: envelope.ref.hash, field } : {}),
      }),
      subject,
    );
    // What the link refers to first: a crash in between never leaves a link to a blob not written.
    const referred: EncodedPayload[] = envelopeChanged ? [...appended, envelope] : appended;
    await Promise.all(referred.map((payload) => store.putBlob(payload.ref.hash, payload.text)));
    await store.putBlob(link.ref.hash, link.text);
    // Remembered only once written, so a later request never extends a link the store may lack.
    this.#remember(tree, messages, { ref: link.ref, envelope: envelope.ref.hash });
    return link.ref;
  }

  #tree(field: string): ConversationPoint {
    let tree = this.#trees.get(field);
    if (!tree) this.#trees.set(field, (tree = { next: new Map() }));
    return tree;
  }

  #remember(tree: ConversationPoint, messages: readonly string[], link: StoredLink): void {
    let point = tree;
    for (const message of messages) {
      let next = point.next.get(message);
      if (!next) point.next.set(message, (next = { next: new Map() }));
      point = next;
    }
    point.link = link;
  }
}

/** The field holding a request's conversation: `listField`, or the first of `messages`, `prompt`, `input`, if a non-empty list. */
function conversationFieldOf(request: unknown, listField: string | undefined): string | undefined {
  if (request === null || typeof request !== 'object' || Object.getPrototypeOf(request) !== Object.prototype) return undefined;
  const fields = request as Record<string, unknown>;
  return (listField === undefined ? conversationFields : [listField]).find((field) => Array.isArray(fields[field]) && (fields[field] as unknown[]).length > 0);
}

/** An encoded message with its address. */
function addressed(text: string): EncodedPayload {
  return { text, ref: { hash: contentHash(text), size: Buffer.byteLength(text) } };
}
