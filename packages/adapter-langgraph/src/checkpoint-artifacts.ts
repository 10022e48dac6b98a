import type { ArtifactRecord } from '@keel/core';

/** Artifact type of a stored LangGraph checkpoint. */
export const checkpointArtifactType = 'application/vnd.langgraph.checkpoint+json';

/** Artifact type of the pending writes one task made against a checkpoint. */
export const writesArtifactType = 'application/vnd.langgraph.writes+json';

/** Artifact type of a checkpoint or writes artifact whose thread was deleted. */
export const deletedArtifactType = 'application/vnd.langgraph.deleted';

const prefix = 'langgraph/';
const writesSegment = '/writes/';

/**
 * Names of the artifacts that hold a thread's checkpoints, on the thread's execution:
 *
 * ```
 * langgraph/<checkpoint_id>                                 a root-graph checkpoint
 * langgraph/<checkpoint_ns>/<checkpoint_id>                 a subgraph checkpoint
 * langgraph/[<checkpoint_ns>/]<checkpoint_id>/writes/<task_id>   the writes one task made against it
 * ```
 */
export function checkpointArtifactName(namespace: string, checkpointId: string): string {
  return namespace === '' ? `${prefix}${checkpointId}` : `${prefix}${namespace}/${checkpointId}`;
}

/** The name of the artifact holding the writes task `taskId` made against a checkpoint. */
export function writesArtifactName(namespace: string, checkpointId: string, taskId: string): string {
  return `${checkpointArtifactName(namespace, checkpointId)}${writesSegment}${taskId}`;
}

/** Where a checkpoint or writes artifact belongs, read from its name and type. */
export type ArtifactPlace =
  | { readonly kind: 'checkpoint'; readonly namespace: string; readonly checkpointId: string; readonly record: ArtifactRecord }
  | { readonly kind: 'writes'; readonly namespace: string; readonly checkpointId: string; readonly taskId: string; readonly record: ArtifactRecord };

/** Reads an artifact's place; `undefined` for artifacts that are not live LangGraph records. */
export function placeOf(record: ArtifactRecord): ArtifactPlace | undefined {
  if (!record.name.startsWith(prefix)) return undefined;
  const rest = record.name.slice(prefix.length);
  if (record.type === checkpointArtifactType) {
    const slash = rest.lastIndexOf('/');
    return { kind: 'checkpoint', namespace: slash < 0 ? '' : rest.slice(0, slash), checkpointId: rest.slice(slash + 1), record };
  }
  if (record.type === writesArtifactType) {
    const at = rest.lastIndexOf(writesSegment);
    if (at < 0) return undefined;
    const head = rest.slice(0, at);
    const slash = head.lastIndexOf('/');
    return {
      kind: 'writes',
      namespace: slash < 0 ? '' : head.slice(0, slash),
      checkpointId: head.slice(slash + 1),
      taskId: rest.slice(at + writesSegment.length),
      record,
    };
  }
  return undefined;
}
