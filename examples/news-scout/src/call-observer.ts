import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** One line of the call log: a model or tool call that really ran in some process. */
export interface CallEvent {
  readonly at: number;
  readonly pid: number;
  readonly kind: 'model' | 'tool';
  /** The tool's name, or the model id. */
  readonly name: string;
  /** `start` and `end` of a call; `hold` when the call is being held open (see `NEWS_SCOUT_HOLD`). */
  readonly event: 'start' | 'end' | 'error' | 'hold';
  /** A URL, a query, a step: what the call was about. */
  readonly detail?: string;
}

/** Options of {@link CallObserver}. */
export interface CallObserverOptions {
  /** Append one JSON line per call event to this file (`NEWS_SCOUT_CALL_LOG`). */
  readonly logFile?: string;
  /** Wait this long before each call, so a person can follow a run that is otherwise instant (`NEWS_SCOUT_PACE_MS`). */
  readonly paceMs?: number;
  /** Hold the n-th call of this tool open (`NEWS_SCOUT_HOLD=investigate:2`): the demo kills the process there. */
  readonly hold?: { readonly name: string; readonly occurrence: number };
  /** How long a held call waits before it goes on after all (`NEWS_SCOUT_HOLD_MS`, default 60 000). */
  readonly holdMs?: number;
}

/**
 * Sees every call the scout's model and tools really make — not the ones a resumed run takes from
 * the store — which is how the demo and the tests count what ran where. It is the demo's
 * instrumentation, driven by environment variables so that it works the same in a process the `keel`
 * CLI starts; with none of them set it does nothing.
 */
export class CallObserver {
  readonly #options: CallObserverOptions;
  readonly #started = new Map<string, number>();

  constructor(options: CallObserverOptions = {}) {
    this.#options = options;
  }

  /** The observer the environment asks for (see {@link CallObserverOptions} for the variables). */
  static fromEnvironment(environment: NodeJS.ProcessEnv = process.env): CallObserver {
    const hold = /^([\w-]+):(\d+)$/.exec(environment['NEWS_SCOUT_HOLD'] ?? '');
    return new CallObserver({
      ...(environment['NEWS_SCOUT_CALL_LOG'] ? { logFile: environment['NEWS_SCOUT_CALL_LOG'] } : {}),
      ...(environment['NEWS_SCOUT_PACE_MS'] ? { paceMs: Number(environment['NEWS_SCOUT_PACE_MS']) } : {}),
      ...(hold ? { hold: { name: hold[1]!, occurrence: Number(hold[2]) } } : {}),
      ...(environment['NEWS_SCOUT_HOLD_MS'] ? { holdMs: Number(environment['NEWS_SCOUT_HOLD_MS']) } : {}),
    });
  }

  /** Runs one call, logging its start and end, pacing it, and holding it open if asked to. */
  async observe<T>(kind: CallEvent['kind'], name: string, detail: string, call: () => Promise<T>): Promise<T> {
    const occurrence = (this.#started.get(name) ?? 0) + 1;
    this.#started.set(name, occurrence);
    this.#log({ kind, name, event: 'start', detail });
    const { paceMs, hold, holdMs } = this.#options;
    if (paceMs && paceMs > 0) await sleep(paceMs);
    if (hold && hold.name === name && hold.occurrence === occurrence) {
      this.#log({ kind, name, event: 'hold', detail });
      // Long enough for whoever asked to kill the process; a safety net, not a timing assumption.
      await sleep(holdMs ?? 60_000);
    }
    try {
      const result = await call();
      this.#log({ kind, name, event: 'end', detail });
      return result;
    } catch (error) {
      this.#log({ kind, name, event: 'error', detail });
      throw error;
    }
  }

  #log(event: Omit<CallEvent, 'at' | 'pid'>): void {
    if (!this.#options.logFile) return;
    const line: CallEvent = { at: Date.now(), pid: process.pid, ...event };
    appendFileSync(this.#options.logFile, `${JSON.stringify(line)}\n`);
  }
}

let shared: CallObserver | undefined;

/** The process's observer, configured from the environment on first use. */
export function callObserver(): CallObserver {
  shared ??= CallObserver.fromEnvironment();
  return shared;
}
