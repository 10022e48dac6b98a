import type { ExecutionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { ArtifactNotFoundError } from '../errors/artifact-not-found-error.js';
import { ExecutionNotFoundError } from '../errors/execution-not-found-error.js';
import { PayloadReader } from '../serialization/payload-reader.js';
import { loadPayload } from '../serialization/payloads.js';
import { fromErrorRecord } from './error-records.js';
import type { Executions, WaitInfo } from './runtime-api.js';

/** The read-only part of {@link Executions}: what an execution stored, its payloads decoded. */
export type ExecutionReads = Pick<Executions, 'list' | 'get' | 'checkpoints' | 'waits' | 'artifacts' | 'artifact' | 'logs'>;

/**
 * The reads of stored executions, on the runtime's store (opened when a read runs). Each read of one
 * execution fails with `ExecutionNotFoundError` when the store has no such execution.
 */
export function executionReads(openStore: () => Promise<Store>): ExecutionReads {
  return {
    list: async (filter) => (await openStore()).listExecutions(filter),
    get: async (executionId) => {
      const store = await openStore();
      const execution = await getExecution(store, executionId);
      const { input, output, error, ...rest } = execution;
      return {
        ...rest,
        input: await loadPayload(store, input),
        ...(output ? { output: await loadPayload(store, output) } : {}),
        ...(error ? { error: await fromErrorRecord(store, error) } : {}),
        waits: await waitInfos(store, executionId),
      };
    },
    checkpoints: (async (executionId: string, options?: { payloads?: boolean }) => {
      const store = await openStore();
      await getExecution(store, executionId);
      const records = await store.listCheckpoints(executionId);
      if (options?.payloads === false) return records;
      // One reader for all: the requests of a conversation share their links and messages, read together.
      const reader = new PayloadReader(store);
      await reader.prefetchRequests(records);
      return Promise.all(
        records.map(async ({ input, output, ...rest }) => ({
          ...rest,
          ...(input ? { input: await reader.load(input) } : {}),
          ...(output ? { output: await reader.load(output) } : {}),
        })),
      );
    }) as Executions['checkpoints'],
    waits: async (executionId) => {
      const store = await openStore();
      await getExecution(store, executionId);
      return waitInfos(store, executionId);
    },
    artifacts: async (executionId) => {
      const store = await openStore();
      await getExecution(store, executionId);
      return store.listArtifacts(executionId);
    },
    artifact: async (executionId, name) => {
      const store = await openStore();
      await getExecution(store, executionId);
      const record = await store.getArtifact(executionId, name);
      if (!record) {
        const known = (await store.listArtifacts(executionId)).map((artifact) => artifact.name);
        throw new ArtifactNotFoundError({ executionId, artifact: name, known });
      }
      return { record, value: await loadPayload(store, record.payload) };
    },
    logs: async (executionId, options) => {
      const store = await openStore();
      await getExecution(store, executionId);
      return store.listLogs(executionId, options);
    },
  };
}

/** The stored execution, or `ExecutionNotFoundError` naming the store. */
export async function getExecution(store: Store, executionId: string): Promise<ExecutionRecord> {
  const execution = await store.getExecution(executionId);
  if (!execution) throw new ExecutionNotFoundError({ executionId, store: store.location });
  return execution;
}

async function waitInfos(store: Store, executionId: string): Promise<WaitInfo[]> {
  const waits = await store.listWaits(executionId);
  return Promise.all(waits.map(async ({ input, ...rest }) => ({ ...rest, ...(input ? { input: await loadPayload(store, input) } : {}) })));
}
