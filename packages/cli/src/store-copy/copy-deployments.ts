import type { DeploymentRecord, FlowTagRecord, Store } from '@keel/core';
import { StoreCopyConflictError } from '../errors/store-copy-conflict-error.js';

/** The deployments and tags a copy writes, decided before anything is written. */
export interface DeploymentCopyPlan {
  /** Deployments the target lacks. */
  readonly deployments: readonly DeploymentRecord[];
  /** Tags the target lacks or already has pointing at the same version. */
  readonly tags: readonly FlowTagRecord[];
  /** `flow version` of the deployments the target already had with the same content. */
  readonly existingDeployments: readonly string[];
  /** `flow tag` of the tags the target had pointing elsewhere, left as they are (only with `skipExisting`). */
  readonly skippedTags: readonly string[];
}

/**
 * Compares the source's deployments and tags with the target's. A deployment the target has with other
 * content is always a conflict (deployments are immutable, and executions name their version); a tag
 * the target points elsewhere is a conflict unless `skipExisting`, which keeps the target's.
 */
export async function planDeploymentCopy(source: Store, target: Store, options: { readonly skipExisting: boolean }): Promise<DeploymentCopyPlan> {
  const deployments: DeploymentRecord[] = [];
  const existingDeployments: string[] = [];
  const conflicts: string[] = [];
  for (const deployment of await source.listDeployments()) {
    const found = await target.getDeployment(deployment.flow, deployment.version);
    if (found === null) deployments.push(deployment);
    else if (found.digest === deployment.digest) existingDeployments.push(`${deployment.flow} ${deployment.version}`);
    else conflicts.push(`deployment ${deployment.flow} ${deployment.version} (other code)`);
  }
  const tags: FlowTagRecord[] = [];
  const skippedTags: string[] = [];
  for (const tag of await source.listTags()) {
    const found = await target.getTag(tag.flow, tag.tag);
    if (found === null || found.version === tag.version) tags.push(tag);
    else if (options.skipExisting) skippedTags.push(`${tag.flow} ${tag.tag}`);
    else conflicts.push(`tag ${tag.flow} ${tag.tag} (→ ${found.version} there, ${tag.version} here)`);
  }
  if (conflicts.length > 0) throw new StoreCopyConflictError({ target: target.location, deployments: conflicts });
  return { deployments, tags, existingDeployments, skippedTags };
}

/** Writes what {@link planDeploymentCopy} decided: the deployments, then the tags that point to them. */
export async function copyDeployments(target: Store, plan: DeploymentCopyPlan): Promise<void> {
  for (const deployment of plan.deployments) await target.createDeployment(deployment);
  for (const tag of plan.tags) await target.putTag(tag);
}
