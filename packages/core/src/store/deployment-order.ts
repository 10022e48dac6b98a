import type { DeploymentRecord, FlowTagRecord } from './records.js';

/**
 * The order {@link Store.listDeployments} returns: oldest deployment first, by version on a tie.
 * Shared by the backends that sort in code rather than in a query.
 */
export function byDeployment(a: DeploymentRecord, b: DeploymentRecord): number {
  return a.deployedAt - b.deployedAt || compareText(a.flow, b.flow) || compareText(a.version, b.version);
}

/** The order {@link Store.listTags} returns: by flow, then tag. */
export function byTag(a: FlowTagRecord, b: FlowTagRecord): number {
  return compareText(a.flow, b.flow) || compareText(a.tag, b.tag);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
