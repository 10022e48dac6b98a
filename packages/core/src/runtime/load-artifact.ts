import type { Store } from '../store/store.js';
import { ArtifactNotFoundError } from '../errors/artifact-not-found-error.js';
import { loadPayload } from '../serialization/payloads.js';

/** Reads an artifact's value straight from a store. */
export async function loadArtifactValue(store: Store, executionId: string, name: string): Promise<unknown> {
  const record = await store.getArtifact(executionId, name);
  if (!record) {
    const known = (await store.listArtifacts(executionId)).map((artifact) => artifact.name);
    throw new ArtifactNotFoundError({ executionId, artifact: name, known });
  }
  return loadPayload(store, record.payload);
}
