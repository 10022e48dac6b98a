import { fstatSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The store's append-only JSON Lines files (checkpoint segments, blob packs) and how they are read and
 * written. Such a file only grows: lines are appended with one `write` under a lock, so readers without
 * the lock see whole lines, and at most a last one still being written.
 *
 * A last line without its newline is an append a crash cut short (its write never returned, so nothing
 * depends on it): readers skip it, and the next writer cuts it off before appending. Only when it is a
 * whole line that lacks just its newline (an edit by hand) is it kept, and the next append writes the
 * newline first.
 */

/** How far a process has read an appended file. */
export interface ReadProgress {
  /** Identity of the file read (`ino`); appends keep it, so a new inode means a new file. */
  readonly inode: number;
  /** Bytes read so far: up to and including the last complete line. */
  consumed: number;
  /** Complete lines in those bytes, so that a damaged line is named by its number. */
  lines: number;
  /** Size and modification time of the file when this process last read or wrote it. */
  signature: string;
}

/** A progress at the start of the file described by `stats`. */
export function startOfFile(stats: Stats): ReadProgress {
  return { inode: stats.ino, consumed: 0, lines: 0, signature: '' };
}

/**
 * Whether `progress` can continue where it stopped in the file described by `stats`: the same inode,
 * still as long. A file only grows (appends, and cuts of a torn last line that was never consumed), so
 * the bytes read before are still there unless the file was replaced or edited by hand.
 */
export function canContinue(progress: ReadProgress, stats: Stats): boolean {
  return progress.inode === stats.ino && progress.consumed <= stats.size;
}

/** Whether `progress` has read everything the file described by `stats` holds (nobody appended since). */
export function isCurrent<T extends ReadProgress>(progress: T | undefined, stats: Stats): progress is T {
  return progress !== undefined && progress.inode === stats.ino && progress.signature === signatureOf(stats);
}

/**
 * Reads the open file from `progress.consumed` to `stats.size`, hands each complete line that is not
 * blank to `visit` (with the byte offset of its start and its line number), and advances `progress`
 * past them. When `visit` throws, `progress` is left as it was. Returns the bytes after the last newline: a torn append, or a whole line that lacks its
 * newline, for the caller to tell apart.
 */
export function readNewLines(
  descriptor: number,
  progress: ReadProgress,
  stats: Stats,
  visit: (line: Buffer, offset: number, lineNumber: number) => void,
): Buffer {
  const bytes = readFrom(descriptor, progress.consumed, stats.size - progress.consumed);
  let start = 0;
  let lineNumber = progress.lines;
  for (let end = bytes.indexOf(newline); end !== -1; end = bytes.indexOf(newline, start)) {
    const line = bytes.subarray(start, end);
    if (!isBlank(line)) visit(line, progress.consumed + start, ++lineNumber);
    else lineNumber++;
    start = end + 1;
  }
  // Only once every line was taken, so a damaged line leaves `progress` where it was.
  progress.lines = lineNumber;
  progress.consumed += start;
  progress.signature = signatureOf(stats);
  return bytes.subarray(start);
}

/** Opens `file` for appending (and reading what it holds), creating it and its folder when needed. */
export function openForAppend(file: string): number {
  try {
    return openSync(file, 'a+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dirname(file), { recursive: true });
    return openSync(file, 'a+');
  }
}

/**
 * Appends `lines` (each without its newline) to the open file, whose bytes up to `progress.consumed`
 * this process has read, and advances `progress` past them. What follows the last complete line is
 * kept when `isWholeLine` accepts it (the append then starts with its newline) and cut off otherwise.
 * Returns the byte offset at which the first of `lines` starts.
 */
export function appendLines(
  file: string,
  descriptor: number,
  progress: ReadProgress,
  size: number,
  lines: readonly string[],
  isWholeLine: (tail: Buffer) => boolean,
): number {
  let start = size;
  let prefix = '';
  if (progress.consumed < size) {
    if (isWholeLine(readFrom(descriptor, progress.consumed, size - progress.consumed))) prefix = '\n';
    else {
      ftruncateSync(descriptor, progress.consumed);
      start = progress.consumed;
    }
  }
  const bytes = Buffer.from(`${prefix}${lines.join('\n')}\n`);
  try {
    // A regular file takes the whole buffer in one call, short of a full disk.
    for (let written = 0; written < bytes.length;) written += writeSync(descriptor, bytes, written);
  } catch (error) {
    try {
      ftruncateSync(descriptor, start);
    } catch {
      // The write's error is the one worth reporting; the torn line is cut by the next append.
    }
    throw new Error(`lowdb store: could not append to ${file}: ${(error as Error).message}`, { cause: error });
  }
  progress.lines += lines.length + (prefix === '' ? 0 : 1);
  progress.consumed = start + bytes.length;
  progress.signature = signatureOf(fstatSync(descriptor));
  return start + prefix.length;
}

/** Up to `length` bytes of the open file from `position`. */
export function readFrom(descriptor: number, position: number, length: number): Buffer {
  if (length <= 0) return Buffer.alloc(0);
  const buffer = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const count = readSync(descriptor, buffer, read, length - read, position + read);
    if (count === 0) break;
    read += count;
  }
  return buffer.subarray(0, read);
}

const newline = 0x0a;

function isBlank(line: Buffer): boolean {
  for (const byte of line) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  return true;
}

function signatureOf(stats: Stats): string {
  return `${stats.size}:${stats.mtimeMs}`;
}
