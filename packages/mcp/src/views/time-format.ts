/** An epoch-ms time as an ISO string (what answers show). */
export function isoTime(time: number): string {
  return new Date(time).toISOString();
}

/** A duration for people: `12 ms`, `3.2 s`, `4 min 5 s`, `2 h 3 min`. */
export function durationText(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.max(0, Math.round(milliseconds))} ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.floor(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
