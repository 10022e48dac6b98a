import { existsSync, readFileSync } from 'node:fs';
import type { CallEvent } from '../call-observer.js';

/** Calls that really ran, counted from the call log. */
export interface CallCounts {
  readonly model: number;
  readonly tool: number;
}

/** The events of a call log (`NEWS_SCOUT_CALL_LOG`), oldest first; none if the file does not exist yet. */
export function readCallLog(file: string): CallEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as CallEvent);
}

/** How many model and tool calls a process started (all processes without `pid`). */
export function countCalls(events: readonly CallEvent[], pid?: number): CallCounts {
  const started = events.filter((event) => event.event === 'start' && (pid === undefined || event.pid === pid));
  return { model: started.filter((event) => event.kind === 'model').length, tool: started.filter((event) => event.kind === 'tool').length };
}
