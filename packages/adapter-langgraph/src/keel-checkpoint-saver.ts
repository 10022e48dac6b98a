import { defaultRuntime, type ArtifactRecord, type PayloadRef, type Runtime, type Store } from '@keel/core';
import { RecordKeeper } from '@keel/core/adapter';
import {
  BaseCheckpointSaver,
  TASKS,
  WRITES_IDX_MAP,
  compareWritesSortKeys,
  copyCheckpoint,
  maxChannelVersion,
  getCheckpointId,
  writesSortKey,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type PendingWrite,
  type SerializerProtocol,
} from '@langchain/langgraph-checkpoint';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  checkpointArtifactName,
  checkpointArtifactType,
  deletedArtifactType,
  placeOf,
  writesArtifactName,
  writesArtifactType,
  type ArtifactPlace,
} from './checkpoint-artifacts.js';
import { reviveValue, storeValue, type StoredValue } from './langchain-values.js';
import { ThreadIdMissingError } from './thread-id-missing-error.js';
import { WritesCheckpointMissingError } from './writes-checkpoint-missing-error.js';
import { threadFlowName, threadIdOf, threadKeeper } from './thread-executions.js';

/** Options of {@link KeelCheckpointSaver}. */
export interface KeelCheckpointSaverOptions {
  /** The runtime whose store keeps the checkpoints (default: the default runtime, see `configure()`). */
  readonly runtime?: Runtime;
  /** A store to use directly instead of a runtime's (tests, tools). */
  readonly store?: Store;
  /** LangGraph's serializer for checkpoint values (default: its `JsonPlusSerializer`). */
  readonly serde?: SerializerProtocol;
}

/**
 * What a checkpoint artifact holds: the checkpoint without its channel values, and for each channel
 * the version it has and the blob of that version's value (`null` for a cleared channel). A put
 * stores only the values of the channels that changed (`newVersions`); the others point to the blobs
 * the parent checkpoint points to, so a long thread does not store unchanged state over and over.
 */
interface StoredCheckpoint {
  readonly thread_id: string;
  readonly checkpoint_ns: string;
  readonly checkpoint_id: string;
  readonly parent_checkpoint_id: string | null;
  readonly checkpoint: StoredValue;
  readonly metadata: StoredValue;
  readonly channels: Readonly<Record<string, StoredChannel>>;
}

/** One channel of a stored checkpoint: its version, and the blob of its value (`null`: empty). */
interface StoredChannel {
  readonly version: string | number;
  readonly value: PayloadRef | null;
}

/** One pending write as stored: its index (negative for LangGraph's special channels), channel and value. */
interface StoredWrite {
  readonly idx: number;
  readonly channel: string;
  readonly value: StoredValue;
}

/** What a writes artifact holds: every write one task made against one checkpoint. */
interface StoredWrites {
  readonly thread_id: string;
  readonly checkpoint_ns: string;
  readonly checkpoint_id: string;
  readonly task_id: string;
  readonly task_path: string;
  readonly writes: readonly StoredWrite[];
}

/** A thread's live artifacts, indexed. */
interface ThreadIndex {
  readonly keeper: RecordKeeper;
  /** Per namespace (in first-saved order): checkpoint id → its artifact. */
  readonly checkpoints: Map<string, Map<string, ArtifactRecord>>;
  /** Per `namespace \0 checkpoint id`: the writes artifacts of its tasks. */
  readonly writes: Map<string, ArtifactRecord[]>;
}

/**
 * LangGraph's checkpointer on the Keel store: graph state lives beside the call-level checkpoints of
 * the same runs and moves with them when the store is swapped (lowdb files, SQLite, PostgreSQL).
 *
 * Each thread is kept by one Keel execution of flow `langgraph:thread`, whose id is derived from the
 * thread id (`lgthread_<thread>_<hash>`); every checkpoint and every task's pending writes is an
 * artifact of it (`langgraph/<checkpoint_ns>/<checkpoint_id>`, `…/writes/<task_id>`), its value the
 * JSON LangGraph's serializer writes. Channel values are blobs, written when they change (content
 * addressed, so an unchanged value is stored once however many checkpoints refer to it); a list
 * value (the messages) as the version before plus the items appended, so a long thread stores each
 * message once. Several processes can share it, one writer per thread at a time
 * (which is what `durableGraph` guarantees with its lease).
 *
 * @example
 * ```ts
 * const graph = builder.compile({ checkpointer: new KeelCheckpointSaver() });
 * ```
 */
export class KeelCheckpointSaver extends BaseCheckpointSaver {
  readonly #options: KeelCheckpointSaverOptions;
  readonly #keepers = new Map<string, RecordKeeper>();
  /** Serializes read-modify-write of one writes artifact within this process. */
  readonly #writeLocks = new Map<string, Promise<void>>();

  constructor(options: KeelCheckpointSaverOptions = {}) {
    super(options.serde);
    this.#options = options;
  }

  /** Where the checkpoints are kept: the store given, else the runtime's. */
  #source(): Runtime | Store {
    return this.#options.store ?? this.#options.runtime ?? defaultRuntime();
  }

  /** The keeper of a thread's checkpoints (one per thread and saver, so it is created once). */
  #keeper(threadId: string): RecordKeeper {
    let keeper = this.#keepers.get(threadId);
    if (!keeper) this.#keepers.set(threadId, (keeper = threadKeeper(this.#source(), threadId)));
    return keeper;
  }

  /** The runtime this saver was given, if any (`durableGraph` runs the graph on the same one). */
  get runtime(): Runtime | undefined {
    return this.#options.runtime;
  }

  /** The checkpoint `config` names (`checkpoint_id`), or the thread's newest in its namespace, with its pending writes. */
  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = config.configurable?.['thread_id'] as unknown;
    if (typeof threadId !== 'string' || threadId === '') return undefined;
    const namespace = (config.configurable?.['checkpoint_ns'] as string | undefined) ?? '';
    const index = await this.#index(threadId);
    const byId = index?.checkpoints.get(namespace);
    if (!index || !byId) return undefined;
    const checkpointId = getCheckpointId(config) || latest(byId.keys());
    const record = checkpointId ? byId.get(checkpointId) : undefined;
    if (!record) return undefined;
    return this.#tuple(index, record);
  }

  /** Checkpoints newest first: of a thread (or all threads), a namespace, before a checkpoint, matching metadata. */
  override async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const { before, filter } = options;
    let limit = options.limit;
    const threadId = config.configurable?.['thread_id'] as string | undefined;
    const namespace = config.configurable?.['checkpoint_ns'] as string | undefined;
    const wantedId = getCheckpointId(config) || undefined;
    const beforeId = before?.configurable?.['checkpoint_id'] as string | undefined;
    const threadIds = threadId !== undefined ? [threadId] : await this.#threadIds();
    for (const thread of threadIds) {
      const index = await this.#index(thread);
      if (!index) continue;
      for (const [checkpointNamespace, byId] of index.checkpoints) {
        if (namespace !== undefined && checkpointNamespace !== namespace) continue;
        for (const checkpointId of [...byId.keys()].sort().reverse()) {
          if (wantedId !== undefined && checkpointId !== wantedId) continue;
          if (beforeId !== undefined && checkpointId >= beforeId) continue;
          const record = byId.get(checkpointId)!;
          const stored = (await index.keeper.read(record)) as StoredCheckpoint;
          const metadata = (await reviveValue(this.serde, stored.metadata)) as CheckpointMetadata;
          if (filter && !matches(metadata, filter)) continue;
          if (limit !== undefined) {
            if (limit <= 0) return;
            limit -= 1;
          }
          yield await this.#tuple(index, record, stored, metadata);
        }
      }
    }
  }

  /** Stores a checkpoint (and the values of the channels that changed) and returns its config. */
  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    const threadId = threadIdFrom(config, 'put');
    const namespace = (config.configurable?.['checkpoint_ns'] as string | undefined) ?? '';
    const keeper = this.#keeper(threadId);
    const { channel_values: values, ...rest } = copyCheckpoint(checkpoint);
    const parentId = (config.configurable?.['checkpoint_id'] as string | undefined) ?? null;
    const parent = parentId === null ? null : await keeper.record(checkpointArtifactName(namespace, parentId));
    const inherited = parent?.type === checkpointArtifactType ? ((await keeper.read(parent)) as StoredCheckpoint).channels : {};
    const channels: Record<string, StoredChannel> = {};
    for (const [channel, version] of Object.entries(checkpoint.channel_versions)) {
      // Unchanged since the parent: the parent's blob holds this very version.
      if (!(channel in newVersions) && inherited[channel]?.version === version) channels[channel] = inherited[channel];
    }
    for (const [channel, version] of Object.entries(newVersions)) {
      const value =
        channel in values ? await keepChannel(keeper, await storeValue(this.serde, (values as Record<string, unknown>)[channel]), channel, threadId) : null;
      channels[channel] = { version, value };
    }
    const stored: StoredCheckpoint = {
      thread_id: threadId,
      checkpoint_ns: namespace,
      checkpoint_id: checkpoint.id,
      parent_checkpoint_id: (config.configurable?.['checkpoint_id'] as string | undefined) ?? null,
      checkpoint: await storeValue(this.serde, rest),
      metadata: await storeValue(this.serde, metadata),
      channels,
    };
    await keeper.write(checkpointArtifactName(namespace, checkpoint.id), checkpointArtifactType, stored);
    return { configurable: { thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: checkpoint.id } };
  }

  /** Stores a task's writes against a checkpoint (regular writes once; special ones replaced). */
  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void> {
    const threadId = threadIdFrom(config, 'putWrites');
    const namespace = (config.configurable?.['checkpoint_ns'] as string | undefined) ?? '';
    const checkpointId = config.configurable?.['checkpoint_id'] as string | undefined;
    if (!checkpointId) throw new WritesCheckpointMissingError({ threadId, taskId });
    const keeper = this.#keeper(threadId);
    const name = writesArtifactName(namespace, checkpointId, taskId);
    const values = await Promise.all(writes.map(([, value]) => storeValue(this.serde, value)));
    await this.#exclusive(`${keeper.executionId}\u0000${name}`, async () => {
      const existing = await keeper.record(name);
      const current = existing?.type === writesArtifactType ? ((await keeper.read(existing)) as StoredWrites).writes : [];
      const byIndex = new Map(current.map((write) => [write.idx, write]));
      writes.forEach(([channel], position) => {
        const idx = WRITES_IDX_MAP[channel] ?? position;
        // Like every LangGraph saver: a regular write is kept as first stored (a retried task must not
        // change what an earlier attempt recorded); a special one (error, interrupt, resume) is replaced.
        if (idx >= 0 && byIndex.has(idx)) return;
        byIndex.set(idx, { idx, channel, value: values[position]! });
      });
      const stored: StoredWrites = {
        thread_id: threadId,
        checkpoint_ns: namespace,
        checkpoint_id: checkpointId,
        task_id: taskId,
        task_path: taskPath ?? '',
        writes: [...byIndex.values()],
      };
      await keeper.write(name, writesArtifactType, stored);
    });
  }

  /**
   * Forgets a thread: its checkpoints and writes stop being found. The Store contract has no delete,
   * so each artifact is overwritten by a tombstone; the blobs they pointed to stay in the store until
   * it is compacted (see the README).
   */
  override async deleteThread(threadId: string): Promise<void> {
    const keeper = this.#keeper(threadId);
    for (const record of await keeper.records()) {
      if (placeOf(record)) await keeper.write(record.name, deletedArtifactType, null);
    }
  }

  async #tuple(index: ThreadIndex, record: ArtifactRecord, known?: StoredCheckpoint, knownMetadata?: CheckpointMetadata): Promise<CheckpointTuple> {
    const stored = known ?? ((await index.keeper.read(record)) as StoredCheckpoint);
    const { thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id } = stored;
    const checkpoint = (await reviveValue(this.serde, stored.checkpoint)) as Omit<Checkpoint, 'channel_values'> & {
      channel_values?: Record<string, unknown>;
    };
    const values: Record<string, unknown> = { ...checkpoint.channel_values };
    for (const [channel, { value }] of Object.entries(stored.channels ?? {})) {
      if (value !== null) values[channel] = await reviveValue(this.serde, (await index.keeper.readValue(value)) as StoredValue);
    }
    const full: Checkpoint = { ...checkpoint, channel_values: values };
    if (full.v < 4 && parent_checkpoint_id !== null) await this.#migratePendingSends(index, full, checkpoint_ns, parent_checkpoint_id);
    const tuple: CheckpointTuple = {
      config: { configurable: { thread_id, checkpoint_ns, checkpoint_id } },
      checkpoint: full,
      metadata: knownMetadata ?? ((await reviveValue(this.serde, stored.metadata)) as CheckpointMetadata),
      pendingWrites: await this.#pendingWrites(index, index.writes.get(`${checkpoint_ns}\u0000${checkpoint_id}`) ?? []),
    };
    if (parent_checkpoint_id !== null) {
      tuple.parentConfig = { configurable: { thread_id, checkpoint_ns, checkpoint_id: parent_checkpoint_id } };
    }
    return tuple;
  }

  /**
   * Checkpoints of format 3 and older kept `Send`s as writes of their parent; newer LangGraph reads
   * them from the `__pregel_tasks` channel, so they are moved there on read (as every LangGraph saver does).
   */
  async #migratePendingSends(index: ThreadIndex, checkpoint: Checkpoint, namespace: string, parentId: string): Promise<void> {
    const parentWrites = await this.#pendingWrites(index, index.writes.get(`${namespace}\u0000${parentId}`) ?? []);
    const sends = parentWrites.filter(([, channel]) => channel === TASKS).map(([, , value]) => value);
    (checkpoint.channel_values as Record<string, unknown>)[TASKS] = sends;
    const versions = Object.values(checkpoint.channel_versions);
    (checkpoint.channel_versions as Record<string, string | number>)[TASKS] =
      versions.length > 0 ? maxChannelVersion(...versions) : this.getNextVersion(undefined);
  }

  /**
   * Channel versions are strings `<counter>.<random>`, as in LangGraph's Python savers: a counter
   * alone would give two forks of a thread the same version of a channel with different values,
   * and the value stored for one fork would be read by the other.
   */
  override getNextVersion(current: number | undefined): number {
    const previous = current === undefined ? 0 : Number.parseInt(String(current).split('.')[0] ?? '0', 10) || 0;
    const random = Math.random().toString(16).slice(2, 18).padEnd(16, '0');
    return `${String(previous + 1).padStart(32, '0')}.${random}` as unknown as number;
  }

  /** A checkpoint's pending writes in `writesSortKey` order, the order LangGraph applies them in. */
  async #pendingWrites(index: ThreadIndex, records: readonly ArtifactRecord[]): Promise<CheckpointPendingWrite[]> {
    const keyed: { key: ReturnType<typeof writesSortKey>; write: CheckpointPendingWrite }[] = [];
    for (const record of records) {
      const stored = (await index.keeper.read(record)) as StoredWrites;
      for (const write of stored.writes) {
        keyed.push({
          key: writesSortKey(stored.task_path, stored.task_id, write.idx),
          write: [stored.task_id, write.channel, await reviveValue(this.serde, write.value)],
        });
      }
    }
    keyed.sort((a, b) => compareWritesSortKeys(a.key, b.key));
    return keyed.map(({ write }) => write);
  }

  async #index(threadId: string): Promise<ThreadIndex | undefined> {
    const keeper = this.#keeper(threadId);
    const artifacts = await keeper.records();
    if (artifacts.length === 0) return undefined;
    const index: ThreadIndex = { keeper, checkpoints: new Map(), writes: new Map() };
    for (const record of artifacts) {
      const place: ArtifactPlace | undefined = placeOf(record);
      if (!place) continue;
      if (place.kind === 'checkpoint') {
        let byId = index.checkpoints.get(place.namespace);
        if (!byId) index.checkpoints.set(place.namespace, (byId = new Map()));
        byId.set(place.checkpointId, record);
      } else {
        const key = `${place.namespace}\u0000${place.checkpointId}`;
        const list = index.writes.get(key);
        if (list) list.push(record);
        else index.writes.set(key, [record]);
      }
    }
    return index;
  }

  async #threadIds(): Promise<string[]> {
    const executions = await RecordKeeper.list(this.#source(), threadFlowName);
    return executions.map(threadIdOf).filter((id): id is string => id !== undefined);
  }

  async #exclusive(key: string, fn: () => Promise<void>): Promise<void> {
    const previous = this.#writeLocks.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.then(
      () => {},
      () => {},
    );
    this.#writeLocks.set(key, settled);
    try {
      await next;
    } finally {
      if (this.#writeLocks.get(key) === settled) this.#writeLocks.delete(key);
    }
  }
}

function threadIdFrom(config: RunnableConfig, operation: string): string {
  const threadId = config.configurable?.['thread_id'] as unknown;
  if (typeof threadId !== 'string' || threadId === '') throw new ThreadIdMissingError({ operation });
  return threadId;
}

function latest(ids: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const id of ids) if (best === undefined || id > best) best = id;
  return best;
}

/** Whether every `filter` entry equals the metadata's (deep equality on JSON values). */
function matches(metadata: CheckpointMetadata, filter: Record<string, unknown>): boolean {
  const record = metadata as unknown as Record<string, unknown>;
  return Object.entries(filter).every(([key, value]) => JSON.stringify(record[key]) === JSON.stringify(value));
}

/**
 * Keeps a channel's value. A list (the `messages` channel) grows by a few items a step and is stored
 * again at every step: kept as the version before plus what was appended, a thread of n steps stores
 * its messages once, not n times.
 */
function keepChannel(keeper: RecordKeeper, value: StoredValue, channel: string, threadId: string): Promise<PayloadRef> {
  const what = `channel "${channel}" of LangGraph thread "${threadId}"`;
  return 'json' in value && Array.isArray(value.json) ? keeper.keepGrowingValue(value, 'json', what) : keeper.keepValue(value, what);
}
