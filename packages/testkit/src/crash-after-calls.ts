import type { FakeLLM } from './start-fake-llm.js';
import { lineMatches, type ChildExit, type LineMatcher, type RunningChild } from './start-child.js';

/** When {@link crashAfterCalls} kills the first process. */
export type KillPoint =
  /** Once `count` requests have reached the fake LLM server (script the k-th to hang, so it stays unfinished). */
  | { readonly requests: number }
  /** Once the child printed `count` lines that match (a tool that announces itself, a `paused` line). */
  | { readonly lines: LineMatcher; readonly count?: number };

/** Options of {@link crashAfterCalls}. */
export interface CrashAfterCallsOptions {
  /** Starts the process to kill (with `startChild`). */
  readonly start: () => RunningChild;
  /** When to SIGKILL it. */
  readonly killAt: KillPoint;
  /** Starts the process that resumes the run once the first is gone. */
  readonly resume: () => RunningChild;
  /** The fake LLM server the agent talks to: required for `killAt.requests`, and counts requests either way. */
  readonly fake?: FakeLLM;
}

/** What {@link crashAfterCalls} saw. */
export interface CrashAfterCallsResult {
  /** The killed process (its `signal` is `SIGKILL`). */
  readonly killed: ChildExit;
  /** The resuming process, run to its end. */
  readonly resumed: ChildExit;
  /** Requests that reached the fake server by the time the first process was gone (0 without `fake`). */
  readonly requestsBeforeKill: number;
  /** Requests made by the resuming process: the calls it made live, not reused from the store. */
  readonly requestsAfterResume: number;
}

/**
 * The crash proof, in one call: runs an agent in a child process, SIGKILLs it at a kill point (after k
 * calls reached the fake LLM server or a tool), resumes in a new process, and counts the requests on
 * each side of the crash. The kill is only as precise as the kill point: to leave exactly call k
 * unfinished, make the k-th request hang (`{ fault: { hang: true } }`) or the tool block.
 *
 * @example
 * const { resumed, requestsAfterResume } = await crashAfterCalls({
 *   fake, killAt: { requests: 2 },
 *   start: () => startChild(agent, ['run']),
 *   resume: () => startChild(agent, ['recover']),
 * });
 * expect(requestsAfterResume).toBe(2); // call 2 again, then call 3
 */
export async function crashAfterCalls(options: CrashAfterCallsOptions): Promise<CrashAfterCallsResult> {
  const { killAt, fake } = options;
  const first = options.start();
  if ('requests' in killAt) {
    if (fake === undefined) throw new TypeError('crashAfterCalls: `killAt.requests` counts requests at the fake LLM server; pass `fake`');
    // Whichever comes first: the k-th request, or the child ending by itself (which kill() reports).
    await Promise.race([fake.waitForRequests(killAt.requests), first.exited]);
  } else {
    await waitForLines(first, killAt.lines, killAt.count ?? 1);
  }
  const killed = await first.kill();
  const requestsBeforeKill = fake?.requests.length ?? 0;
  const resumed = await options.resume().exited;
  return { killed, resumed, requestsBeforeKill, requestsAfterResume: (fake?.requests.length ?? 0) - requestsBeforeKill };
}

async function waitForLines(child: RunningChild, matcher: LineMatcher, count: number): Promise<void> {
  // The line being tested is already in `child.lines`, so this counts it too.
  await child.waitForLine((line) => lineMatches(matcher, line) && child.lines.filter((seen) => lineMatches(matcher, seen)).length >= count);
}
