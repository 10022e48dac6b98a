import type { ClaimFilter } from '../store/records.js';
import type { VersionPolicy } from './code-version.js';

/**
 * What a runtime may claim from the queue: each of its flows (only `only` when given) with the code
 * versions it continues: the rule of `servesExecution`, in a form a store can query.
 */
export function claimFilterFor(flows: Iterable<string>, versionOf: (flow: string) => VersionPolicy, only?: readonly string[]): ClaimFilter {
  const claimable = [...flows].filter((flow) => only === undefined || only.includes(flow));
  return {
    flows: claimable.map((flow) => {
      const policy = versionOf(flow);
      return { flow, codeVersions: [...(policy.version === undefined ? [] : [policy.version]), ...policy.compatibleWith] };
    }),
  };
}
