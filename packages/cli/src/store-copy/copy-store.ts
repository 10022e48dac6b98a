import { hostname } from 'node:os';
import { blobReferences, type ExecutionRecord, type Store } from '@keel/core';
import type { ExecutionPatch } from '@keel/core/store';
import { StoreCopyConflictError } from '../errors/store-copy-conflict-error.js';
import { recordBlobHashes } from './blob-references.js';
import { copyDeployments, planDeploymentCopy, type DeploymentCopyPlan } from './copy-deployments.js';

/** Options of {@link copyStore}. */
export interface CopyStoreOptions {
  /** Leave executions that the target already has (same id) alone instead of refusing to copy. */
  readonly skipExisting: boolean;
  /** Called after each copied execution, for progress output. */
  readonly onExecution?: (execution: ExecutionRecord) => void;
}

/** What {@link copyStore} did. */
export interface CopyStoreResult {
  /** The executions copied, oldest first. */
  readonly copied: readonly string[];
  /** The executions left out because the target had them (only with `skipExisting`). */
  readonly skipped: readonly string[];
  /** The deployments and tags copied (and those the target had). */
  readonly deploymentCopy: DeploymentCopyPlan;
}

const pageSize = 100;

/** Every execution id of a store, oldest first, paging with the `before` cursor. */
export async function listAllExecutionIds(store: Store): Promise<string[]> {
  const ids: string[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await store.listExecutions({ limit: pageSize, ...(before !== undefined ? { before } : {}) });
    ids.push(...page.map((execution) => execution.id));
    if (page.length < pageSize) break;
    before = page[page.length - 1]!.id;
  }
  return ids.reverse();
}

/**
 * Copies executions with their checkpoints, waits, artifacts, logs and blobs, and the deployed flow
 * versions with their tags, from one store to another through the Store contract only. Before writing
 * anything it checks that the target has none of the ids (or, with `skipExisting`, leaves those out)
 * and no deployment or tag that differs (see {@link planDeploymentCopy}).
 *
 * Each execution is created holding a lease of this process, so a worker on the target does not take
 * a queued or abandoned one over while its checkpoints are still being copied; the last write sets
 * the fields a store may not take at creation (status, output, error, sessions …) and releases the
 * lease. `version` restarts in the target (the store manages it), and a source lease is not copied:
 * an execution that was running there is abandoned in the target and a worker there recovers it.
 */
export async function copyStore(source: Store, target: Store, options: CopyStoreOptions): Promise<CopyStoreResult> {
  const ids = await listAllExecutionIds(source);
  const existing: string[] = [];
  for (const id of ids) if ((await target.getExecution(id)) !== null) existing.push(id);
  if (existing.length > 0 && !options.skipExisting) throw new StoreCopyConflictError({ target: target.location, executionIds: existing });
  const deployments = await planDeploymentCopy(source, target, options);
  const skipped = new Set(existing);
  const copiedBlobs = new Set<string>();
  const copied: string[] = [];
  for (const id of ids) {
    if (skipped.has(id)) continue;
    const execution = await source.getExecution(id);
    // Deleted between listing and now: nothing to copy.
    if (execution === null) continue;
    const [checkpoints, waits, artifacts, logs] = await Promise.all([
      source.listCheckpoints(id),
      source.listWaits(id),
      source.listArtifacts(id),
      source.listLogs(id),
    ]);

    // Blobs first, so no record in the target ever points at a blob it lacks.
    let pending = recordBlobHashes({ execution, checkpoints, waits, artifacts });
    while (pending.length > 0) {
      const next: string[] = [];
      for (const hash of pending) {
        if (copiedBlobs.has(hash)) continue;
        copiedBlobs.add(hash);
        const content = await source.getBlob(hash);
        // A blob missing in the source stays missing; the digest on both sides records that.
        if (content === null) continue;
        await target.putBlob(hash, content);
        next.push(...blobReferences(content));
      }
      pending = next;
    }

    const { version: _version, updatedAt: _updatedAt, lease: _lease, ...fields } = execution;
    await target.createExecution({
      ...fields,
      lease: { owner: `keel-store-copy-${process.pid}`, host: hostname(), pid: process.pid, expiresAt: Date.now() + 10 * 60_000 },
    });
    for (const checkpoint of checkpoints) await target.putCheckpoint(checkpoint);
    for (const wait of waits) await target.putWait(wait);
    for (const artifact of artifacts) await target.putArtifact(artifact);
    if (logs.length > 0) await target.appendLogs(logs);
    const patch: { -readonly [K in keyof ExecutionPatch]: ExecutionPatch[K] } = { status: execution.status, sessions: execution.sessions, lease: null };
    if (execution.output !== undefined) patch.output = execution.output;
    if (execution.error !== undefined) patch.error = execution.error;
    if (execution.cancelRequested !== undefined) patch.cancelRequested = execution.cancelRequested;
    if (execution.metadata !== undefined) patch.metadata = execution.metadata;
    if (execution.endedAt !== undefined) patch.endedAt = execution.endedAt;
    if (execution.codeVersion !== undefined) patch.codeVersion = execution.codeVersion;
    await target.updateExecution(id, patch);
    copied.push(id);
    options.onExecution?.(execution);
  }
  // After the executions: a worker on the target serving a version finds its executions complete.
  await copyDeployments(target, deployments);
  return { copied, skipped: existing, deploymentCopy: deployments };
}
