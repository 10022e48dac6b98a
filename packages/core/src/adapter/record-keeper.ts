import type { Runtime } from '../runtime/runtime-api.js';
import { encodeValue } from '../serialization/codec.js';
import { ConversationChains } from '../serialization/conversation-chains.js';
import { PayloadReader } from '../serialization/payload-reader.js';
import { contentHash } from '../serialization/content-hash.js';
import type { ArtifactRecord, ExecutionRecord, PayloadRef } from '../store/records.js';
import type { Store } from '../store/store.js';

/** What a {@link RecordKeeper}'s execution is created with, on its first write. */
export interface RecordKeeperCreation {
  /** A flow nobody registers (`langgraph:thread`), so no surface runs the keeper. */
  readonly flow: string;
  /** Its input: what it keeps records of (`{ thread_id }`). */
  readonly input: unknown;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/**
 * An execution that keeps a harness's own persistent records — LangGraph's checkpoints of a thread —
 * beside the runs that use them, in the same store, so they move with the store. It is a record keeper,
 * not a run: created `completed` under a flow nobody registers, so no worker picks it up and a replay of
 * it fails plainly. Its records are artifacts (a name, a type, a JSON value) and it can keep values by
 * content hash, stored once however many records refer to them.
 *
 * This is the adapter's door to storage: an adapter keeps what it must through a keeper and never
 * writes Store records itself.
 */
export class RecordKeeper {
  readonly #source: Runtime | Store;
  readonly #creation: RecordKeeperCreation;
  #created = false;
  readonly #growing = new ConversationChains();

  /** The keeper with id `executionId` (derived by the adapter, so every process finds the same one). */
  constructor(
    source: Runtime | Store,
    readonly executionId: string,
    creation: RecordKeeperCreation,
  ) {
    this.#source = source;
    this.#creation = creation;
  }

  /** The keepers of a flow (e.g. every LangGraph thread's), oldest first. */
  static async list(source: Runtime | Store, flow: string): Promise<ExecutionRecord[]> {
    return (await storeOf(source)).listExecutions({ flow });
  }

  /** Its records, in the order they were first written; none before the keeper is created. */
  async records(): Promise<ArtifactRecord[]> {
    return (await storeOf(this.#source)).listArtifacts(this.executionId);
  }

  /** The record named `name`, or `null`. */
  async record(name: string): Promise<ArtifactRecord | null> {
    return (await storeOf(this.#source)).getArtifact(this.executionId, name);
  }

  /** A record's value. @throws {BlobMissingError} when the store lost it. */
  read(record: ArtifactRecord): Promise<unknown> {
    return this.readValue(record.payload);
  }

  /** Writes (or replaces) the record `name`, creating the keeper on its first write. */
  async write(name: string, type: string, value: unknown): Promise<void> {
    const store = await storeOf(this.#source);
    await this.#ensureCreated(store);
    const payload = await this.keepValue(value, `the record "${name}" of ${this.executionId}`);
    await store.putArtifact({ executionId: this.executionId, name, type, payload, checkpointId: null, createdAt: Date.now() });
  }

  /** Keeps a value by its content hash (a record refers to it by the returned reference). */
  async keepValue(value: unknown, what = `a value kept by ${this.executionId}`): Promise<PayloadRef> {
    const text = encodeValue(value, what);
    const ref = { hash: contentHash(text), size: Buffer.byteLength(text) };
    await (await storeOf(this.#source)).putBlob(ref.hash, text);
    return ref;
  }

  /**
   * Keeps a value whose `field` is a list that grows from one version to the next (a thread's
   * messages): as the version this keeper kept before plus the items appended, so the versions of a
   * long thread take storage that grows with it, not with its square. Read it with {@link readValue}.
   */
  async keepGrowingValue(value: unknown, field: string, what = `a value kept by ${this.executionId}`): Promise<PayloadRef> {
    return this.#growing.store(await storeOf(this.#source), value, what, field);
  }

  /**
   * A value kept with {@link RecordKeeper.keepValue} or {@link RecordKeeper.keepGrowingValue}.
   * @throws {BlobMissingError} when the store lost it.
   */
  async readValue(ref: PayloadRef): Promise<unknown> {
    return new PayloadReader(await storeOf(this.#source)).load(ref, { executionId: this.executionId });
  }

  async #ensureCreated(store: Store): Promise<void> {
    if (this.#created) return;
    if (!(await store.getExecution(this.executionId))) {
      const { flow, input, metadata } = this.#creation;
      const now = Date.now();
      try {
        await store.createExecution({
          id: this.executionId,
          flow,
          status: 'completed',
          input: await this.keepValue(input, `the input of ${this.executionId}`),
          lease: null,
          sessions: 0,
          createdAt: now,
          endedAt: now,
          ...(metadata ? { metadata: { ...metadata } } : {}),
        });
      } catch (error) {
        // Another process created it a moment ago: that one is as good as ours.
        if (!(await store.getExecution(this.executionId))) throw error;
      }
    }
    this.#created = true;
  }
}

function storeOf(source: Runtime | Store): Promise<Store> {
  return 'executions' in source ? source.store() : Promise.resolve(source);
}
