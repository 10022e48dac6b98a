import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ExecutionRecord } from '../store/records.js';

/**
 * The code version Keel uses when none is configured: `git:` and the commit checked out in the
 * working directory (or a folder above it), read from the `.git` files without running git.
 *
 * Why the commit: it names exactly the code a process runs, whoever loads it and however it is
 * compiled or bundled (a digest of a function's source text would differ between the app, which runs
 * compiled code, and a worker that loads TypeScript through a transform). Its limits: it changes on
 * every commit, also one that does not touch a flow (pinned executions then need a worker of their
 * commit, or `compatibleWith`); uncommitted edits do not change it (divergence detection still catches
 * a changed call); and a deployment without its `.git` folder (a container image) has none — there,
 * set `KEEL_CODE_VERSION` to the build's commit or id. With no version at all, executions record none
 * and any code continues them.
 */
export function derivedCodeVersion(directory = process.cwd()): string | undefined {
  const cached = derivedByDirectory.get(directory);
  if (cached !== undefined || derivedByDirectory.has(directory)) return cached;
  let version: string | undefined;
  try {
    const commit = gitCommit(directory);
    version = commit === undefined ? undefined : `git:${commit.slice(0, 12)}`;
  } catch {
    version = undefined; // An unreadable checkout is a checkout without a version, not an error.
  }
  derivedByDirectory.set(directory, version);
  return version;
}

const derivedByDirectory = new Map<string, string | undefined>();

/** The commit `HEAD` points to in the git checkout containing `directory`, if any. */
function gitCommit(directory: string): string | undefined {
  const gitDirectory = findGitDirectory(resolve(directory));
  if (gitDirectory === undefined) return undefined;
  const head = readFileSync(join(gitDirectory, 'HEAD'), 'utf8').trim();
  if (/^[0-9a-f]{40,64}$/.test(head)) return head; // detached HEAD
  const ref = /^ref: (.+)$/.exec(head)?.[1];
  if (ref === undefined) return undefined;
  // A linked worktree keeps HEAD in its own folder and refs in the main repository's (`commondir`).
  const commonFile = join(gitDirectory, 'commondir');
  const common = existsSync(commonFile) ? resolve(gitDirectory, readFileSync(commonFile, 'utf8').trim()) : gitDirectory;
  for (const base of [gitDirectory, common]) {
    const loose = join(base, ref);
    if (existsSync(loose)) return readFileSync(loose, 'utf8').trim();
  }
  const packed = join(common, 'packed-refs');
  if (!existsSync(packed)) return undefined;
  for (const line of readFileSync(packed, 'utf8').split('\n')) {
    const [hash, name] = line.split(' ');
    if (name === ref && hash !== undefined) return hash;
  }
  return undefined;
}

function findGitDirectory(start: string): string | undefined {
  for (let directory = start; ; directory = dirname(directory)) {
    const candidate = join(directory, '.git');
    if (existsSync(candidate)) {
      if (statSync(candidate).isDirectory()) return candidate;
      // A worktree's `.git` is a file: `gitdir: <path>`.
      const target = /^gitdir: (.+)$/m.exec(readFileSync(candidate, 'utf8'))?.[1];
      return target === undefined ? undefined : resolve(directory, target.trim());
    }
    if (dirname(directory) === directory) return undefined;
  }
}

/** The digest of a function's source text, kept with deployments to tell two codes under one version apart. */
export function sourceDigest(fn: (...args: never[]) => unknown): string {
  return createHash('sha256').update(Function.prototype.toString.call(fn)).digest('hex');
}

/** The versions one runtime runs a flow with: its own, and the older ones it declared it can continue. */
export interface VersionPolicy {
  /** The version new executions of the flow record; `undefined` when none is configured or derivable. */
  readonly version: string | undefined;
  /** Versions whose executions this code can safely continue; `'*'` means any (for development). */
  readonly compatibleWith: readonly string[];
}

/**
 * Whether a runtime with `policy` may continue `execution`. Executions recorded without a code version
 * (before Keel kept them, or by code that had none) are continued by any version.
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
