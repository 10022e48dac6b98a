/**
 * What the `keel` process's exit code means, so scripts can branch on it without parsing output.
 */
export const exitCodes = {
  /** The command did what was asked; a run it started or continued completed. */
  ok: 0,
  /** A run it started or continued failed or was cancelled, or the command could not be carried out (store unreachable …). */
  failed: 1,
  /** Bad usage: an unknown command or option, malformed JSON, an unknown execution, flow, checkpoint, wait or artifact, an input the wait's schema refuses, an operation the execution's status or code version does not allow, an unknown or in-use deployed version or tag, a deployment that conflicts with the deployed one. Nothing was changed. */
  usage: 2,
  /** A run it started or continued is waiting for input. */
  waiting: 3,
  /** Interrupted by Ctrl-C while running a flow (the execution was handed back). */
  interrupted: 130,
} as const;

/** One of {@link exitCodes}. */
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];
