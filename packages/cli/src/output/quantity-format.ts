/** A duration for people: `840ms`, `4.2s`, `3m 05s`, `2h 07m`. */
export function formatDuration(milliseconds: number): string {
  const ms = Math.max(0, Math.round(milliseconds));
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/** A moment relative to now: `just now`, `12s ago`, `5m ago`, `3h ago`, `2d ago`, `in 10m`, or a date beyond a week. */
export function formatRelativeTime(time: number, now = Date.now()): string {
  const difference = now - time;
  const future = difference < 0;
  const seconds = Math.floor(Math.abs(difference) / 1000);
  if (seconds < 5) return future ? 'in a moment' : 'just now';
  let amount: string;
  if (seconds < 60) amount = `${seconds}s`;
  else if (seconds < 3600) amount = `${Math.floor(seconds / 60)}m`;
  else if (seconds < 86_400) amount = `${Math.floor(seconds / 3600)}h`;
  else if (seconds < 7 * 86_400) amount = `${Math.floor(seconds / 86_400)}d`;
  else return new Date(time).toISOString().slice(0, 10);
  return future ? `in ${amount}` : `${amount} ago`;
}

/** A clock time for log lines: `14:03:07.412`, local time. */
export function formatClock(time: number): string {
  const date = new Date(time);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** A byte count for people: `812 B`, `4.1 KB`, `2.3 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
