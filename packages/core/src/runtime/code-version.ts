import { createHash } from 'node:crypto';
import type { ExecutionRecord } from '../store/records.js';

/**
 * The code version Keel gives a flow when none is configured: `src:` and a digest of the flow
 * function's source text. It changes exactly when the flow's own body changes (which is what decides
 * the order of its checkpoints), and not when unrelated code does. It does not see helpers the body
 * calls: for deployments, set the version explicitly (`codeVersion`, `KEEL_CODE_VERSION`), e.g. to the
 * git commit or the build id.
 */
export function derivedCodeVersion(fn: (...args: never[]) => unknown): string {
  return `src:${sourceDigest(fn).slice(0, 12)}`;
}

/** The full digest of a function's source text, kept with deployments to tell two codes apart. */
export function sourceDigest(fn: (...args: never[]) => unknown): string {
  return createHash('sha256').update(Function.prototype.toString.call(fn)).digest('hex');
}

/** The versions one runtime runs a flow with: its own, and the older ones it declared it can continue. */
export interface VersionPolicy {
  /** The version new executions of the flow record. */
  readonly version: string;
  /** Versions whose executions this code can safely continue; `'*'` means any (for development). */
  readonly compatibleWith: readonly string[];
}

/**
 * Whether a runtime with `policy` may continue `execution`. Executions recorded before Keel kept code
 * versions have none and are continued by any version.
 */
export function servesExecution(policy: VersionPolicy, execution: Pick<ExecutionRecord, 'codeVersion'>): boolean {
  const recorded = execution.codeVersion;
  if (recorded === undefined || recorded === policy.version) return true;
  return policy.compatibleWith.includes(recorded) || policy.compatibleWith.includes('*');
}

/** `KEEL_COMPATIBLE_WITH=v1,v2` as a list. */
export function compatibleVersionsFromEnvironment(): string[] {
  return (process.env.KEEL_COMPATIBLE_WITH ?? '')
    .split(',')
    .map((version) => version.trim())
    .filter((version) => version !== '');
}
