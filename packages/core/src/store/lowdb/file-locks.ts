import { randomUUID } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';

/** How {@link FileLocks} wait for, and break, locks held by other processes. */
export interface FileLocksOptions {
  /** The folder for this process's owner file (`<store>/locks`). */
  readonly directory: string;
  /**
   * A lock whose holder has not taken or released any lock for this long (ms) is broken even if the
   * holder still runs: a document write takes milliseconds, so such a holder is hung or stopped, and
   * waiting for it would stall every writer.
   */
  readonly staleAfter: number;
}

/** What an owner file holds, so that other processes can tell whether a lock's holder is alive. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: number;
}

const host = hostname();

/** `<dev>:<ino>` of the owner files of this process, to tell our locks from those of a dead process with our pid. */
const ownOwnerFiles = new Set<string>();

/**
 * The cross-process locks of a store folder. `<file>.lock` guards `file`: every process that
 * read-modify-writes the document holds it meanwhile, so two processes never update it at once.
 *
 * Taking a lock is one atomic, exclusive file system call: a hard link from this process's owner
 * file (`<store>/locks/<pid>-<uuid>.owner`, holding its pid and host) to `<file>.lock`, which fails
 * when the lock exists. A link, unlike creating a file, allocates no inode, which on ext4 is what
 * makes creating a small file cost up to a millisecond under load; and the lock always names its
 * holder, with no window in which it is empty. The link also refreshes the owner file's change time
 * (`ctime`), which therefore tells how long ago the holder last took or released a lock.
 *
 * While another process holds a lock, this waits with a short, growing, jittered backoff. A lock whose
 * holder died on this host (its pid is gone), or whose holder has been silent for `staleAfter`, is
 * broken.
 *
 * File operations are synchronous on purpose: each takes a few microseconds on a local disk, while the
 * same call through libuv's thread pool costs 25–50 µs, and a document write makes about ten. Only
 * the waiting is asynchronous.
 */
export class FileLocks {
  readonly #options: FileLocksOptions;
  #ownerFile: string | undefined;
  #ownerIdentity: string | undefined;

  constructor(options: FileLocksOptions) {
    this.#options = options;
  }

  /** Runs `action` while holding the lock of `file`. */
  async run<T>(file: string, action: () => Promise<T>): Promise<T> {
    const lockFile = `${file}.lock`;
    for (let attempt = 0; !this.#tryLock(lockFile); attempt++) {
      if (!this.#breakIfStale(lockFile)) await sleep(backoff(attempt));
    }
    try {
      return await action();
    } finally {
      this.#release(lockFile);
    }
  }

  /** Removes this process's owner file. Call when no lock is held any more. */
  dispose(): void {
    if (this.#ownerFile === undefined) return;
    unlinkIfPresent(this.#ownerFile);
    this.#ownerFile = this.#ownerIdentity = undefined;
  }

  #tryLock(lockFile: string): boolean {
    try {
      return tryLink(this.#owner(), lockFile);
    } catch (error) {
      // The owner file was removed under us (someone deleted the `locks` folder): make a new one.
      if (errorCode(error) !== 'ENOENT' || this.#ownerFile === undefined || existsSync(this.#ownerFile)) throw error;
      this.#ownerFile = this.#ownerIdentity = undefined;
      return tryLink(this.#owner(), lockFile);
    }
  }

  #owner(): string {
    if (this.#ownerFile !== undefined) return this.#ownerFile;
    removeDeadOwners(this.#options.directory);
    const file = join(this.#options.directory, `${process.pid}-${randomUUID()}.owner`);
    const owner: LockOwner = { pid: process.pid, host, startedAt: Date.now() };
    mkdirSync(this.#options.directory, { recursive: true });
    writeFileSync(file, JSON.stringify(owner), { flag: 'wx' });
    this.#ownerIdentity = identity(statSync(file));
    ownOwnerFiles.add(this.#ownerIdentity);
    return (this.#ownerFile = file);
  }

  #release(lockFile: string): void {
    // If this process stalled past `staleAfter`, another one broke the lock and may hold a new one now:
    // removing that would let a third process in, so only a lock that is still ours is removed.
    const lock = statSync(lockFile, { throwIfNoEntry: false });
    if (lock !== undefined && identity(lock) === this.#ownerIdentity) unlinkIfPresent(lockFile);
  }

  /** Breaks the lock when its holder is gone; returns whether the caller should try again at once. */
  #breakIfStale(lockFile: string): boolean {
    const seen = readLock(lockFile);
    if (seen === undefined) return true;
    if (!isStale(seen, this.#options.staleAfter)) return false;
    // Two waiters may find the same stale lock. Without a guard, the slower one could remove the lock
    // the faster one has just taken. Breaking therefore happens under a second lock, and only if the
    // lock is still the very one judged stale.
    const guardFile = `${lockFile}.break`;
    if (!tryLink(this.#owner(), guardFile)) {
      // A breaker that died between taking and removing its guard would block breaking forever.
      const guard = readLock(guardFile);
      if (guard !== undefined && isStale(guard, this.#options.staleAfter)) unlinkIfPresent(guardFile);
      return false;
    }
    try {
      const again = readLock(lockFile);
      if (again !== undefined && again.identity === seen.identity && again.changedAt === seen.changedAt) {
        unlinkIfPresent(lockFile);
      }
      return true;
    } finally {
      unlinkIfPresent(guardFile);
    }
  }
}

interface LockState {
  /** `<dev>:<ino>`: locks of one holder share its owner file's inode. */
  readonly identity: string;
  readonly owner: LockOwner | undefined;
  /** When the holder last took or released a lock (or when the lock file was written, for a plain file). */
  readonly changedAt: number;
}

function readLock(lockFile: string): LockState | undefined {
  try {
    const stats = statSync(lockFile);
    return {
      identity: identity(stats),
      owner: parseOwner(readFileSync(lockFile, 'utf8')),
      changedAt: Math.max(stats.ctimeMs, stats.mtimeMs),
    };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

function isStale(lock: LockState, staleAfter: number): boolean {
  if (Date.now() - lock.changedAt > staleAfter) return true;
  if (lock.owner === undefined || lock.owner.host !== host) return false;
  // Our own pid on a lock that is not linked to our owner file: an earlier process had the same pid
  // (containers often start their program with the same pid every time) and died holding it.
  if (lock.owner.pid === process.pid) return !ownOwnerFiles.has(lock.identity);
  return !isProcessAlive(lock.owner.pid);
}

/** Deletes the owner files that processes on this host left when they died, so they do not pile up. */
function removeDeadOwners(directory: string): void {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  for (const name of names) {
    if (!name.endsWith('.owner')) continue;
    const file = join(directory, name);
    const lock = readLock(file);
    if (lock?.owner?.host === host && lock.owner.pid !== process.pid && !isProcessAlive(lock.owner.pid)) {
      // A lock still linked to it stays valid (it is another name of the same file) and is broken as usual.
      unlinkIfPresent(file);
    }
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return errorCode(error) === 'EPERM';
  }
}

function parseOwner(content: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(content) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** Links `ownerFile` to `lockFile` (creating its folder if needed); `false` when the lock exists. */
function tryLink(ownerFile: string, lockFile: string): boolean {
  for (let attempt = 0; ; attempt++) {
    try {
      linkSync(ownerFile, lockFile);
      return true;
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return false;
      if (errorCode(error) !== 'ENOENT' || attempt > 0) throw error;
    }
    mkdirSync(dirname(lockFile), { recursive: true });
  }
}

function identity(stats: Stats): string {
  return `${stats.dev}:${stats.ino}`;
}

function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

// 1, 2, 4, 4 … ms, each ±50 %, so waiters that collided once do not collide again in lockstep.
function backoff(attempt: number): number {
  return Math.min(2 ** attempt, 4) * (0.5 + Math.random());
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
