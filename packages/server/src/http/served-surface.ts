/** A Keel surface (the HTTP API and dashboard, the MCP endpoint) serving on its own address. */
export interface ServedSurface {
  /** Where clients reach it, e.g. `http://127.0.0.1:7400` (the MCP endpoint: its path included). */
  readonly url: string;
  readonly host: string;
  /** The port it listens on (the one the system picked when asked for `0`). */
  readonly port: number;
  /** Ids of executions that runs started here (resume, retry, replay) are still running. */
  running(): string[];
  /** Resolves once every run started here in the background has ended or reached a wait. */
  idle(): Promise<void>;
  /**
   * Stops listening and ends live streams. Runs started here keep going in this process (they hold
   * their leases); await {@link ServedSurface.idle} for them.
   */
  close(): Promise<void>;
}
