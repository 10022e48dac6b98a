import type { CallCounts } from './call-log.js';
import type { CallTotals, CostBasis } from './call-totals.js';

/**
 * What `--summary <file>` writes: what the demo did and saw, in machine-readable form. The test reads
 * it (and checks it against the store); scripts may too.
 */
export interface DemoSummary {
  readonly executionId: string;
  readonly store: string;
  readonly interests: readonly string[];
  /** `provider:modelId`. */
  readonly model: string;
  /** The call log the model and tools wrote (one JSON line per call event). */
  readonly callLog: string;
  /** The first process, which ran the scout until it was killed. */
  readonly run: { readonly pid: number; readonly command: readonly string[] };
  /** The kill, or `null` when the run never reached the call to hold (then nothing was killed). */
  readonly kill: {
    readonly pid: number;
    readonly signal: 'SIGKILL';
    /** How the process ended, as its `exit` event said. */
    readonly exitSignal: string | null;
    /** The call that was in flight (its checkpoint id). */
    readonly during: string;
    /** Call checkpoints completed before the kill. */
    readonly completedBefore: readonly string[];
    /** Calls the killed process had made (from the call log). */
    readonly callsMade: CallCounts;
  } | null;
  /** The resume in a new process. */
  readonly resume: {
    readonly pid: number;
    readonly command: readonly string[];
    readonly exitCode: number | null;
    /** Completed before the kill, taken from the store: not called again. */
    readonly reused: readonly string[];
    /** In flight at the kill: run again. */
    readonly reran: readonly string[];
    /** Not reached before the kill. */
    readonly ran: readonly string[];
    /** Attempts of every call checkpoint after the resume. */
    readonly attempts: Readonly<Record<string, number>>;
    /** Calls the resuming process made (from the call log). */
    readonly callsMade: CallCounts;
  } | null;
  readonly savings: {
    readonly wholeRun: CallTotals;
    readonly reused: CallTotals;
    /** The price the cost figures use, if any. */
    readonly price: CostBasis | null;
    readonly costSaved: number | null;
    readonly costWholeRun: number | null;
  } | null;
  readonly approval: {
    readonly wait: string;
    readonly question: string;
    /** The execution's status while it waited (and nothing ran). */
    readonly statusWhileWaiting: string;
    /** The exit code of the process that stopped at the wait (3 = waiting). */
    readonly exitCodeAtWait: number | null;
    /** The answer given, or `null` when the demo stopped to let a person answer. */
    readonly answer: { readonly approve: boolean; readonly reason?: string } | null;
    readonly answeredBy?: string;
    /** Calls made by the process that resumed after the answer (0 expected: everything was stored). */
    readonly callsMadeAfterAnswer?: CallCounts;
  } | null;
  readonly final: { readonly status: string; readonly published: boolean; readonly artifact: string | null };
  /** The commands printed for people (run them in `projectDir`). */
  readonly commands: Readonly<Record<string, string>>;
  /** The same commands as argument lists for `keel` (for scripts: `node <keelBin> ...args`). */
  readonly keelArguments: Readonly<Record<string, readonly string[]>>;
  readonly projectDir: string;
  readonly keelBin: string;
}
