import type {
  ArtifactRecord,
  CheckpointRecord,
  CheckpointWrite,
  CheckpointWriteReceipt,
  ExecutionFilter,
  ExecutionPatch,
  ExecutionRecord,
  DeploymentRecord,
  FlowTagRecord,
  LeaseFence,
  LogRecord,
  PayloadRef,
  UpdateResult,
  WaitRecord,
} from './records.js';
import type { Store } from './store.js';
import { matchesExecutionFilter } from './execution-filter.js';
import { applyExecutionPatch } from './execution-patch.js';
import { byDeployment, byTag } from './deployment-order.js';
import { fencedLogExecution, holdsLease } from './lease-fence.js';
import { checkpointWriteExecution, describeCheckpointWrite } from './checkpoint-write.js';
import { ExecutionExistsError } from '../errors/execution-exists-error.js';
import { LeaseLostError } from '../errors/lease-lost-error.js';

/**
 * A {@link Store} in this process's memory: for tests, and for flows whose history may die with the
 * process. Records are copied in and out, so callers never share objects with the store.
 */
export function memoryStore(): Store {
  return new MemoryStore();
}

class MemoryStore implements Store {
  readonly specificationVersion = 'v4' as const;
  readonly name = 'memory';
  readonly location = 'memory';

  readonly #executions = new Map<string, ExecutionRecord>();
  readonly #checkpoints = new Map<string, Map<string, CheckpointRecord>>();
  readonly #waits = new Map<string, Map<string, WaitRecord>>();
  readonly #artifacts = new Map<string, Map<string, ArtifactRecord>>();
  readonly #logs = new Map<string, LogRecord[]>();
  readonly #blobs = new Map<string, string>();
  /** By `flow\0version` and `flow\0tag`. */
  readonly #deployments = new Map<string, DeploymentRecord>();
  readonly #tags = new Map<string, FlowTagRecord>();

  async createExecution(record: Omit<ExecutionRecord, 'version' | 'updatedAt'>): Promise<ExecutionRecord> {
    if (this.#executions.has(record.id)) throw new ExecutionExistsError({ executionId: record.id, location: this.location });
    const stored: ExecutionRecord = { ...copy(record), version: 1, updatedAt: record.createdAt };
    this.#executions.set(record.id, stored);
    return copy(stored);
  }

  async getExecution(id: string): Promise<ExecutionRecord | null> {
    const record = this.#executions.get(id);
    return record ? copy(record) : null;
  }

  async updateExecution(
    id: string,
    patch: ExecutionPatch,
    condition?: { readonly version?: number; readonly fence?: LeaseFence },
  ): Promise<UpdateResult<ExecutionRecord>> {
    const current = this.#executions.get(id);
    if (!current) return { ok: false, reason: 'not-found' };
    this.#checkFence(id, condition?.fence, 'an update of the execution');
    if (condition?.version !== undefined && condition.version !== current.version) {
      return { ok: false, reason: 'conflict', current: copy(current) };
    }
    const next = applyExecutionPatch(current, copy(patch), Date.now());
    this.#executions.set(id, next);
    return { ok: true, record: copy(next) };
  }

  async listExecutions(filter: ExecutionFilter = {}): Promise<ExecutionRecord[]> {
    const matching = [...this.#executions.values()]
      .filter((record) => matchesExecutionFilter(record, filter))
      .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return (filter.limit === undefined ? matching : matching.slice(0, filter.limit)).map(copy);
  }

  async putCheckpoint(record: CheckpointRecord, fence?: LeaseFence): Promise<void> {
    this.#checkFence(record.executionId, fence, `checkpoint "${record.id}"`);
    table(this.#checkpoints, record.executionId).set(record.id, copy(record));
  }

  async writeCheckpoints(write: CheckpointWrite, fence?: LeaseFence): Promise<CheckpointWriteReceipt> {
    const executionId = checkpointWriteExecution(write);
    let cancelRequested = false;
    if (executionId !== undefined && fence !== undefined) {
      this.#checkFence(executionId, fence, describeCheckpointWrite(write.checkpoints));
      cancelRequested = this.#executions.get(executionId)?.cancelRequested === true;
    }
    // Nothing is awaited in here, so the fence check, the blobs and the records are one step.
    for (const blob of write.blobs ?? []) if (!this.#blobs.has(blob.hash)) this.#blobs.set(blob.hash, blob.content);
    for (const record of write.checkpoints) table(this.#checkpoints, record.executionId).set(record.id, copy(record));
    return { cancelRequested };
  }

  async getCheckpoint(executionId: string, id: string): Promise<CheckpointRecord | null> {
    const record = this.#checkpoints.get(executionId)?.get(id);
    return record ? copy(record) : null;
  }

  async listCheckpoints(executionId: string): Promise<CheckpointRecord[]> {
    const records = [...(this.#checkpoints.get(executionId)?.values() ?? [])];
    return records.sort((a, b) => a.seq - b.seq).map(copy);
  }

  async putWait(record: WaitRecord, fence?: LeaseFence): Promise<void> {
    this.#checkFence(record.executionId, fence, `wait "${record.id}"`);
    table(this.#waits, record.executionId).set(record.id, copy(record));
  }

  async getWait(executionId: string, id: string): Promise<WaitRecord | null> {
    const record = this.#waits.get(executionId)?.get(id);
    return record ? copy(record) : null;
  }

  async listWaits(executionId: string, filter?: { readonly status?: WaitRecord['status'] }): Promise<WaitRecord[]> {
    const records = [...(this.#waits.get(executionId)?.values() ?? [])];
    return records.filter((wait) => !filter?.status || wait.status === filter.status).map(copy);
  }

  async resolveWait(
    executionId: string,
    id: string,
    resolution: { readonly input: PayloadRef; readonly resolvedBy?: string; readonly resolvedAt: number },
  ): Promise<UpdateResult<WaitRecord>> {
    const current = this.#waits.get(executionId)?.get(id);
    if (!current) return { ok: false, reason: 'not-found' };
    if (current.status !== 'pending') return { ok: false, reason: 'conflict', current: copy(current) };
    const next: WaitRecord = { ...current, ...copy(resolution), status: 'resolved' };
    table(this.#waits, executionId).set(id, next);
    return { ok: true, record: copy(next) };
  }

  async putArtifact(record: ArtifactRecord, fence?: LeaseFence): Promise<void> {
    this.#checkFence(record.executionId, fence, `artifact "${record.name}"`);
    table(this.#artifacts, record.executionId).set(record.name, copy(record));
  }

  async getArtifact(executionId: string, name: string): Promise<ArtifactRecord | null> {
    const record = this.#artifacts.get(executionId)?.get(name);
    return record ? copy(record) : null;
  }

  async listArtifacts(executionId: string): Promise<ArtifactRecord[]> {
    return [...(this.#artifacts.get(executionId)?.values() ?? [])].map(copy);
  }

  async putBlob(hash: string, content: string): Promise<void> {
    if (!this.#blobs.has(hash)) this.#blobs.set(hash, content);
  }

  async getBlob(hash: string): Promise<string | null> {
    return this.#blobs.get(hash) ?? null;
  }

  async getBlobs(hashes: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const hash of hashes) {
      const content = this.#blobs.get(hash);
      if (content !== undefined) found.set(hash, content);
    }
    return found;
  }

  async appendLogs(records: readonly LogRecord[], fence?: LeaseFence): Promise<void> {
    if (fence !== undefined && records.length > 0) this.#checkFence(fencedLogExecution(records), fence, `${records.length} log lines`);
    for (const record of records) {
      let lines = this.#logs.get(record.executionId);
      if (!lines) this.#logs.set(record.executionId, (lines = []));
      lines.push(copy(record));
    }
  }

  async listLogs(executionId: string, options: { readonly offset?: number; readonly limit?: number } = {}): Promise<LogRecord[]> {
    const lines = this.#logs.get(executionId) ?? [];
    const start = options.offset ?? 0;
    const end = options.limit === undefined ? undefined : start + options.limit;
    return lines.slice(start, end).map(copy);
  }

  async createDeployment(record: DeploymentRecord): Promise<UpdateResult<DeploymentRecord>> {
    const key = pairKey(record.flow, record.version);
    const current = this.#deployments.get(key);
    if (current) return { ok: false, reason: 'conflict', current: copy(current) };
    this.#deployments.set(key, copy(record));
    return { ok: true, record: copy(record) };
  }

  async getDeployment(flow: string, version: string): Promise<DeploymentRecord | null> {
    const record = this.#deployments.get(pairKey(flow, version));
    return record ? copy(record) : null;
  }

  async listDeployments(filter: { readonly flow?: string } = {}): Promise<DeploymentRecord[]> {
    return [...this.#deployments.values()]
      .filter((record) => filter.flow === undefined || record.flow === filter.flow)
      .sort(byDeployment)
      .map(copy);
  }

  async deleteDeployment(flow: string, version: string): Promise<boolean> {
    return this.#deployments.delete(pairKey(flow, version));
  }

  async putTag(record: FlowTagRecord): Promise<void> {
    this.#tags.set(pairKey(record.flow, record.tag), copy(record));
  }

  async getTag(flow: string, tag: string): Promise<FlowTagRecord | null> {
    const record = this.#tags.get(pairKey(flow, tag));
    return record ? copy(record) : null;
  }

  async listTags(filter: { readonly flow?: string } = {}): Promise<FlowTagRecord[]> {
    return [...this.#tags.values()]
      .filter((record) => filter.flow === undefined || record.flow === filter.flow)
      .sort(byTag)
      .map(copy);
  }

  async deleteTag(flow: string, tag: string): Promise<boolean> {
    return this.#tags.delete(pairKey(flow, tag));
  }

  async close(): Promise<void> {}

  /** Refuses a fenced write whose fence is not the execution's lease (nothing is awaited between this and the write). */
  #checkFence(executionId: string, fence: LeaseFence | undefined, write: string): void {
    if (fence === undefined) return;
    const current = this.#executions.get(executionId) ?? null;
    if (holdsLease(current, fence)) return;
    throw new LeaseLostError({ executionId, write, fence, current: current && copy(current), store: this.location });
  }
}

/** One map key for a pair of names; NUL cannot appear in a flow, version or tag name. */
function pairKey(flow: string, name: string): string {
  return `${flow}\0${name}`;
}

function table<V>(tables: Map<string, Map<string, V>>, executionId: string): Map<string, V> {
  let rows = tables.get(executionId);
  if (!rows) tables.set(executionId, (rows = new Map()));
  return rows;
}

// Records are JSON by contract, so a JSON round trip is an exact, cheap deep copy.
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
