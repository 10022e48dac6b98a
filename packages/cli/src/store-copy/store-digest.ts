import { createHash } from 'node:crypto';
import { blobReferences, type Store } from '@keel/core';
import { recordBlobHashes } from './blob-references.js';

/** How many records of each kind a digest covered. */
export interface RecordCounts {
  executions: number;
  checkpoints: number;
  waits: number;
  artifacts: number;
  logs: number;
  blobs: number;
  deployments: number;
  tags: number;
}

/** The deployments and tags, by key, a digest covers besides executions. */
export interface DigestRoutes {
  readonly deployments: readonly { readonly flow: string; readonly version: string }[];
  readonly tags: readonly { readonly flow: string; readonly tag: string }[];
}

/** A store's fingerprint of a set of executions: counts per kind and a sha256 over every record and blob. */
export interface StoreDigest {
  readonly counts: RecordCounts;
  /** `sha256:<hex>`. */
  readonly digest: string;
}

/**
 * Fingerprints the given executions with everything that belongs to them, read back through the Store
 * contract: the execution records (without `version`, `updatedAt` and `lease`, which a store manages
 * itself and a copy does not keep), checkpoints (by id), waits (by id), artifacts (by name), logs (in
 * their order), and every blob they reference — directly or through another blob (the links, messages
 * and envelopes of a model request's chain, or an earlier Keel's `BlobList`) — as its hash and the
 * sha256 of the content found — and the deployments and tags named in `routes`. Two stores holding the
 * same executions give the same digest, whatever their backend and key order.
 */
export async function storeDigest(store: Store, executionIds: readonly string[], routes: DigestRoutes = { deployments: [], tags: [] }): Promise<StoreDigest> {
  const hash = createHash('sha256');
  const counts: RecordCounts = { executions: 0, checkpoints: 0, waits: 0, artifacts: 0, logs: 0, blobs: 0, deployments: 0, tags: 0 };
  const blobHashes = new Set<string>();
  const write = (kind: string, value: unknown) => hash.update(`${kind} ${canonicalJson(value)}\n`);
  for (const id of [...executionIds].sort()) {
    const execution = await store.getExecution(id);
    if (execution === null) {
      write('missing-execution', id);
      continue;
    }
    const { version: _version, updatedAt: _updatedAt, lease: _lease, ...kept } = execution;
    const [checkpoints, waits, artifacts, logs] = await Promise.all([
      store.listCheckpoints(id),
      store.listWaits(id),
      store.listArtifacts(id),
      store.listLogs(id),
    ]);
    counts.executions++;
    write('execution', kept);
    for (const checkpoint of [...checkpoints].sort((a, b) => compare(a.id, b.id))) write('checkpoint', checkpoint);
    for (const wait of [...waits].sort((a, b) => compare(a.id, b.id))) write('wait', wait);
    for (const artifact of [...artifacts].sort((a, b) => compare(a.name, b.name))) write('artifact', artifact);
    for (const log of logs) write('log', log);
    counts.checkpoints += checkpoints.length;
    counts.waits += waits.length;
    counts.artifacts += artifacts.length;
    counts.logs += logs.length;
    for (const blob of recordBlobHashes({ execution, checkpoints, waits, artifacts })) blobHashes.add(blob);
  }
  // Blobs in hash order, following the references inside blobs (request chains) to the end.
  const contents = new Map<string, string | null>();
  let pending = [...blobHashes];
  while (pending.length > 0) {
    const next: string[] = [];
    for (const blob of pending) {
      if (contents.has(blob)) continue;
      const content = await store.getBlob(blob);
      contents.set(blob, content);
      if (content !== null) for (const nested of blobReferences(content)) if (!contents.has(nested)) next.push(nested);
    }
    pending = next;
  }
  for (const blob of [...contents.keys()].sort()) {
    const content = contents.get(blob)!;
    write('blob', [blob, content === null ? null : createHash('sha256').update(content).digest('hex')]);
    if (content !== null) counts.blobs++;
  }
  for (const { flow, version } of [...routes.deployments].sort((a, b) => compare(`${a.flow}\0${a.version}`, `${b.flow}\0${b.version}`))) {
    const deployment = await store.getDeployment(flow, version);
    write('deployment', deployment ?? ['missing-deployment', flow, version]);
    if (deployment !== null) counts.deployments++;
  }
  for (const { flow, tag } of [...routes.tags].sort((a, b) => compare(`${a.flow}\0${a.tag}`, `${b.flow}\0${b.tag}`))) {
    const record = await store.getTag(flow, tag);
    write('tag', record ?? ['missing-tag', flow, tag]);
    if (record !== null) counts.tags++;
  }
  return { counts, digest: `sha256:${hash.digest('hex')}` };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with object keys sorted and `undefined` fields left out, so key order and absent fields do not matter. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return inner;
    return Object.fromEntries(
      Object.entries(inner as Record<string, unknown>)
        .filter(([, item]) => item !== undefined)
        .sort(([a], [b]) => compare(a, b)),
    );
  });
}
