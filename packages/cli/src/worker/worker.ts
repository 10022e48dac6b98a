import type { RecoveryReport } from '@keel/core';
import type { OpsServer } from '@keel/server';
import type { CliContext } from '../cli-context.js';
import { exitCodes, type ExitCode } from '../exit-codes.js';
import { executionLeaseState } from '@keel/core';
import { formatDuration } from '../output/quantity-format.js';
import { statusIcon, statusWord } from '../output/status-style.js';
import { singleLine, truncate } from '../output/text-layout.js';
import type { FlowCatalog } from '../project/flow-catalog.js';
import type { Project } from '../project/open-project.js';
import { handBack } from './hand-back.js';
import { IsolatedRuns, type IsolationLimits } from './isolated-runs.js';
import { isPostgresUrl, listenForPostgresWork, type WakeUpListener } from './postgres-wake-up.js';
import { StoreHealth } from './store-health.js';
import { isStoreUnreachable } from './store-unreachable.js';

/** The longest a worker waits between two tries to reach a store that is down, in ms. */
const longestBackoffMs = 30_000;

/** Options of {@link Worker}. */
export interface WorkerOptions {
  /** Do what is owed now, then exit. */
  readonly once: boolean;
  /** How many executions run at the same time. */
  readonly concurrency: number;
  /** How long an idle worker sleeps before looking again, in ms. */
  readonly pollMs: number;
  /** On SIGINT/SIGTERM, how long in-flight executions may take to finish before they are handed back, in ms. */
  readonly graceMs: number;
  /** One JSON object per line instead of text. */
  readonly json: boolean;
  /** Run each execution in its own child process, with these limits (`--isolate`). */
  readonly isolate?: IsolationLimits;
  /** Serve `/metrics`, `/healthz` and `/readyz` on this port and address (`--metrics-port`, `--metrics-host`). */
  readonly metrics?: { readonly port: number; readonly host?: string };
}

/**
 * Runs what is owed — queued executions, waiting ones whose waits all got input (or timed out), and
 * abandoned ones (lease expired, or a holder process on this machine that is gone) — by calling
 * `runtime.executions.recover({ limit: 1 })` in `concurrency` loops, each sleeping `pollMs` when there
 * is nothing to do. Several workers may share a store: the lease each execution is taken with
 * (compare-and-set) makes sure only one of them runs it.
 *
 * Stopping (SIGINT/SIGTERM): no new execution is started; the ones in flight get `graceMs` to finish,
 * and whatever is still running then (or at a second signal) is handed back — its lease released —
 * so another worker takes it over at once from its last completed checkpoint instead of waiting for
 * the lease to expire. The calls that were in flight then run again there (at-least-once).
 *
 * The store: one that cannot be opened (its package is not installed, its URL is malformed, its schema
 * is from a newer Keel) stops the worker at once with that error — waiting would not fix it. One that
 * cannot be reached (the database is down, the network is cut) is an outage: the worker says so, tries
 * again with backoff (from `pollMs`, doubling, up to 30 s) and carries on when it answers; {@link
 * Worker.health} says which of the two the store is in, for `/healthz`.
 */
export class Worker {
  readonly #context: CliContext;
  readonly #project: Project;
  readonly #catalog: FlowCatalog;
  readonly #options: WorkerOptions;
  readonly #warned = new Set<string>();
  #stopping = false;
  #exiting = false;
  #failures = 0;
  readonly #outcomes = new Map<string, number>();
  #forced!: () => void;
  readonly #forcedStop = new Promise<void>((resolve) => (this.#forced = resolve));
  readonly #sleepers = new Set<() => void>();
  /** Counts wake-ups (PostgreSQL notifications), so a slot that was busy when one came does not sleep past it. */
  #wakeUps = 0;

  readonly #isolated: IsolatedRuns | undefined;
  readonly #health = new StoreHealth();
  #listener: WakeUpListener | undefined;
  /** Listening for notifications failed (the store was down): try again once it answers. */
  #listenFailed = false;

  constructor(context: CliContext, project: Project, catalog: FlowCatalog, options: WorkerOptions) {
    this.#context = context;
    this.#project = project;
    this.#catalog = catalog;
    this.#options = options;
    const { store, config } = context.globals;
    this.#isolated = options.isolate
      ? new IsolatedRuns(
          project.runtime,
          { cwd: context.cwd, ...(store !== undefined ? { store } : {}), ...(config !== undefined ? { config } : {}) },
          options.isolate,
          catalog.names,
        )
      : undefined;
  }

  /** Whether the store answers, since when, and the last error if it does not (for `/healthz`). */
  get health(): StoreHealth {
    return this.#health;
  }

  /**
   * Runs until stopped (or, with `once`, until nothing is owed). Throws, before doing anything, when
   * the store cannot be opened.
   */
  async run(): Promise<ExitCode> {
    const { terminal } = this.#context;
    const { colors } = terminal;
    const { options } = this;
    // Opening builds the store from its URL without contacting it: what fails here fails every time.
    await this.#project.runtime.store();
    this.#event(
      { event: 'started', pid: process.pid, owner: this.#project.runtime.ownerId, store: this.#project.storeLabel, flows: this.#catalog.names, ...options },
      `${colors.cyan('▸')} keel worker ${colors.dim(`pid ${process.pid}`)} · store ${this.#project.storeLabel} · flows ${this.#catalog.names.join(', ') || colors.red('none')}` +
        colors.dim(
          ` · concurrency ${options.concurrency}${options.isolate ? ` · isolated (a process per execution${options.isolate.memoryMb !== undefined ? `, ${options.isolate.memoryMb} MB heap` : ''}${options.isolate.timeoutMs !== undefined ? `, ${formatDuration(options.isolate.timeoutMs)} limit` : ''})` : ''}${options.once ? ' · once' : ` · polling every ${formatDuration(options.pollMs)} (Ctrl-C stops)`}`,
        ),
    );
    this.#announceVersions();
    const onSignal = (signal: NodeJS.Signals) => this.stop(signal);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const ops = await this.#serveMetrics();
    try {
      if (await this.#reachStore()) {
        if (!options.once) this.#listener = await this.#listen();
        await this.#warnAboutUnknownFlows();
        const slots = Array.from({ length: options.concurrency }, () => this.#slot());
        await Promise.race([Promise.all(slots), this.#forcedStop]);
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await this.#listener?.close().catch(() => {});
      await ops?.close().catch(() => {});
    }
    this.#exiting = true;
    const outcomes = [...this.#outcomes].map(([status, count]) => `${count} ${status}`).join(', ');
    const total = [...this.#outcomes.values()].reduce((sum, count) => sum + count, 0);
    const health = this.#health.state;
    const ran = total
      ? `ran ${total} ${total === 1 ? 'execution' : 'executions'} (${outcomes})`
      : health.store === 'unreachable'
        ? 'ran nothing'
        : 'nothing to run';
    const outage = health.store === 'unreachable' ? `; the store is unreachable (since ${clockTime(health.since)})` : '';
    this.#event(
      { event: 'stopped', outcomes: Object.fromEntries(this.#outcomes), health },
      (outage ? colors.yellow : colors.dim)(`worker stopped: ${ran}${outage}`),
    );
    return options.once && this.#failures > 0 ? exitCodes.failed : exitCodes.ok;
  }

  /**
   * Makes a first call to the store, so that a store that cannot be used (wrong credentials, a schema
   * from a newer Keel) stops the worker at once, and one that is down is reported and waited out before
   * any work starts. `false` when the worker stopped (or, with `once`, gave up) before the store answered.
   */
  async #reachStore(): Promise<boolean> {
    while (!this.#stopping) {
      try {
        await (await this.#project.runtime.store()).listExecutions({ limit: 1 });
        this.#storeReached();
        return true;
      } catch (error) {
        if (!isStoreUnreachable(error)) throw error;
        this.#failures++;
        this.#storeUnreachable(error);
        if (this.#options.once) return false;
        await this.#sleep(this.#backoffMs());
      }
    }
    return false;
  }

  /** Records a call that reached the store; says so when that ends an outage. */
  #storeReached(): void {
    const outage = this.#health.reached();
    if (!outage) return;
    const unreachableForMs = Date.now() - outage.since;
    this.#event(
      { event: 'store-reachable', unreachableForMs },
      `${this.#context.terminal.colors.green('✓')} store reachable again after ${formatDuration(unreachableForMs)}; carrying on`,
    );
    // Listening could not start while the store was down.
    if (this.#listenFailed && !this.#stopping) {
      this.#listenFailed = false;
      void this.#listen().then((listener) => (this.#listener = listener));
    }
  }

  /** Records a call that could not reach the store, and says when the next try is. */
  #storeUnreachable(error: unknown): void {
    const started = this.#health.unreachable(error);
    const { since, lastError } = this.#health.state;
    const { colors } = this.#context.terminal;
    const retryInMs = this.#options.once ? null : this.#backoffMs();
    const next =
      retryInMs === null
        ? 'not trying again (--once)'
        : `next try in ${formatDuration(retryInMs)}, then with growing pauses up to ${formatDuration(longestBackoffMs)}; work continues when it answers`;
    this.#event(
      { event: 'store-unreachable', since, lastError, attempts: this.#health.failures, retryInMs },
      started
        ? `${colors.yellow('!')} store unreachable: ${lastError}\n  ${colors.dim(next)}`
        : colors.dim(`  store still unreachable (${this.#health.failures} tries since ${clockTime(since)}); next try in ${formatDuration(retryInMs ?? 0)}`),
    );
  }

  /** How long to wait before trying an unreachable store again: `pollMs`, doubling with each failed try, up to 30 s. */
  #backoffMs(): number {
    const doublings = Math.max(0, this.#health.failures - 1);
    return Math.max(this.#options.pollMs, Math.min(longestBackoffMs, this.#options.pollMs * 2 ** Math.min(doublings, 16)));
  }

  get options(): WorkerOptions {
    return this.#options;
  }

  /** First call: finish what is in flight (up to the grace period), start nothing new. Second call: hand back now. */
  stop(signal: string): void {
    const { colors } = this.#context.terminal;
    if (this.#stopping) {
      void this.#handBack(`${signal} again`);
      return;
    }
    this.#stopping = true;
    for (const wake of this.#sleepers) wake();
    this.#event(
      { event: 'stopping', signal, graceMs: this.#options.graceMs },
      colors.yellow(
        `${signal}: starting no new work; executions in flight get ${formatDuration(this.#options.graceMs)} to finish, then are handed back (${signal === 'SIGINT' ? 'Ctrl-C' : 'signal'} again: now)`,
      ),
    );
    const timer = setTimeout(() => void this.#handBack('grace period over'), this.#options.graceMs);
    timer.unref();
  }

  async #handBack(reason: string): Promise<void> {
    if (this.#exiting) return;
    this.#exiting = true;
    try {
      // Isolated runs die with their processes; their leases' holders are then gone, so they are recovered at once here.
      const killed = this.#isolated?.killAll() ?? [];
      if (killed.length)
        this.#event(
          { event: 'killed', pids: killed },
          `${reason}: stopped the processes of isolated runs (pids ${killed.join(', ')}); their executions are recovered from the last completed checkpoint`,
        );
      const handed = await handBack(this.#project.runtime);
      this.#event(
        { event: 'handed-back', reason, executionIds: handed },
        handed.length
          ? `${reason}: handed back ${handed.join(', ')}; another worker continues ${handed.length === 1 ? 'it' : 'them'} from the last completed checkpoint`
          : `${reason}: nothing in flight to hand back`,
      );
    } catch (error) {
      this.#event(
        { event: 'error', message: (error as Error).message },
        `could not hand back executions: ${(error as Error).message}; they are recovered once their leases expire`,
      );
    }
    this.#forced();
  }

  /**
   * On PostgreSQL, wakes the idle slots when a run is queued or a wait gets input (LISTEN/NOTIFY), so
   * they look again at once instead of after the poll interval. Polling stays: a notification sent while
   * the connection is down is lost, and abandoned executions send none.
   */
  async #listen(): Promise<WakeUpListener | undefined> {
    const storeUrl = this.#project.storeUrl;
    if (!isPostgresUrl(storeUrl)) return undefined;
    const onError = (error: unknown) => {
      // During an outage the listener's reconnect attempts would repeat what the worker already reported.
      if (this.#health.state.store === 'unreachable' && isStoreUnreachable(error)) return;
      this.#event(
        { event: 'error', message: `listening for PostgreSQL notifications: ${(error as Error).message}` },
        this.#context.terminal.colors.yellow(`! listening for PostgreSQL notifications: ${(error as Error).message} (polling continues)`),
      );
    };
    try {
      const listener = await listenForPostgresWork(storeUrl, this.#project.root, () => this.#wake(), onError);
      if (listener)
        this.#event(
          { event: 'listening' },
          this.#context.terminal.colors.dim('listening for PostgreSQL notifications: queued runs and input wake this worker at once'),
        );
      return listener;
    } catch (error) {
      this.#listenFailed = true;
      onError(error);
      return undefined;
    }
  }

  /** The `--metrics-port` listener (see `startOpsServer` in `@keel/server`). */
  async #serveMetrics(): Promise<OpsServer | undefined> {
    const { metrics } = this.#options;
    if (!metrics) return undefined;
    const { startOpsServer } = await import('@keel/server');
    const ops = await startOpsServer({ runtime: this.#project.runtime, ...metrics, health: () => ({ store: this.#health.state }) });
    this.#event(
      { event: 'metrics', url: ops.url },
      this.#context.terminal.colors.dim(`metrics at ${ops.url}/metrics · health at ${ops.url}/healthz, ${ops.url}/readyz`),
    );
    return ops;
  }

  #wake(): void {
    this.#wakeUps++;
    for (const wake of this.#sleepers) wake();
  }

  async #slot(): Promise<void> {
    const seen = new Set<string>();
    while (!this.#stopping) {
      let reports: RecoveryReport[];
      const startedAt = Date.now();
      const wakeUps = this.#wakeUps;
      try {
        const onSkip = (skipped: Parameters<Worker['reportSkipped']>[0]) => this.reportSkipped(skipped);
        reports = this.#isolated ? await this.#isolated.runNext(onSkip) : await this.#project.runtime.executions.recover({ limit: 1, onSkip });
      } catch (error) {
        if (this.#exiting) return;
        this.#failures++;
        if (isStoreUnreachable(error)) {
          this.#storeUnreachable(error);
          if (this.#options.once) return;
          await this.#sleep(this.#backoffMs());
          continue;
        }
        this.#event({ event: 'error', message: (error as Error).message }, `${this.#context.terminal.colors.red('error:')} ${(error as Error).message}`);
        if (this.#options.once) return;
        await this.#sleep(this.#options.pollMs);
        continue;
      }
      if (this.#exiting) return;
      this.#storeReached();
      if (reports.length === 0) {
        if (this.#options.once) return;
        // Work announced while this slot was looking may not have been visible to it yet: look again.
        if (this.#wakeUps === wakeUps) await this.#sleep(this.#options.pollMs);
        await this.#warnAboutUnknownFlows();
        continue;
      }
      for (const report of reports) this.#report(report, Date.now() - startedAt);
      const report = reports[0]!;
      // An execution that keeps erroring before it can run (not a flow failure) would be picked again at
      // once: in a single pass, stop there; otherwise wait a poll interval before the next try.
      if (report.error) {
        if (this.#options.once && seen.has(report.executionId)) return;
        await this.#sleep(this.#options.pollMs);
      }
      seen.add(report.executionId);
    }
  }

  #report(report: RecoveryReport, elapsedMs: number): void {
    const { colors } = this.#context.terminal;
    const outcome = report.error ? 'could not run' : report.result!.status;
    this.#outcomes.set(outcome, (this.#outcomes.get(outcome) ?? 0) + 1);
    if (report.error) {
      this.#failures++;
      this.#event(
        {
          event: 'execution',
          executionId: report.executionId,
          flow: report.flow,
          found: report.found,
          error: { name: report.error.name, message: report.error.message },
        },
        `${colors.red('✗')} ${report.executionId} ${report.flow} ${colors.dim(`(${report.found})`)} could not run: ${report.error.message}`,
      );
      return;
    }
    const result = report.result!;
    if (result.status === 'failed' || result.status === 'cancelled') this.#failures++;
    const detail =
      result.status === 'waiting'
        ? `waits for ${(result.waits ?? []).map((wait) => wait.name).join(', ')}`
        : result.status === 'failed' && result.error
          ? colors.red(truncate(singleLine(`${result.error.name}: ${result.error.message}`), 100))
          : '';
    this.#event(
      {
        event: 'execution',
        executionId: report.executionId,
        flow: report.flow,
        found: report.found,
        status: result.status,
        durationMs: elapsedMs,
        ...(result.error ? { error: { name: result.error.name, message: result.error.message } } : {}),
      },
      `${statusIcon(result.status, colors)} ${report.executionId} ${colors.bold(report.flow)} ${colors.dim(`${report.found === 'running' ? 'abandoned' : report.found} →`)} ${statusWord(result.status, colors)} ${colors.dim(formatDuration(elapsedMs))}${detail ? `  ${detail}` : ''}`,
    );
  }

  /** Says which code version of each flow this worker runs, and which older versions it also continues. */
  #announceVersions(): void {
    const { colors } = this.#context.terminal;
    const versions = this.#catalog.names.map((flow) => ({ flow, ...this.#project.runtime.versionOf(flow) }));
    if (versions.length === 0) return;
    const shown = versions.map(
      ({ flow, version, compatibleWith }) =>
        `${flow} ${version ?? colors.dim('unversioned')}${compatibleWith.length ? colors.dim(` (+ ${compatibleWith.join(', ')})`) : ''}`,
    );
    this.#event({ event: 'serving', versions }, `${colors.dim('serving')} ${shown.join(colors.dim(' · '))}`);
  }

  /** Says once per execution that it is owed but another code version started it, so this worker leaves it alone. */
  reportSkipped(skipped: { readonly executionId: string; readonly flow: string; readonly codeVersion: string; readonly runtimeVersion: string }): void {
    if (this.#warned.has(skipped.executionId)) return;
    this.#warned.add(skipped.executionId);
    this.#event(
      { event: 'skipped', ...skipped, reason: 'other code version' },
      this.#context.terminal.colors.yellow(
        `! left ${skipped.executionId} (${skipped.flow}) of ${skipped.codeVersion} alone: this worker runs ${skipped.runtimeVersion}; a worker of ${skipped.codeVersion} continues it`,
      ),
    );
  }

  /** Says once per execution that it is owed but no flow module defines its flow, since recovery skips it silently. */
  async #warnAboutUnknownFlows(): Promise<void> {
    try {
      const candidates = await this.#project.runtime.executions.list({ status: ['queued', 'running'] });
      for (const execution of candidates) {
        if (this.#catalog.names.includes(execution.flow) || this.#warned.has(execution.id)) continue;
        // A running execution with a live holder (a script using runInFlow, say) is not owed to anyone.
        if (execution.status === 'running' && executionLeaseState(execution) === 'held') continue;
        this.#warned.add(execution.id);
        this.#event(
          { event: 'skipped', executionId: execution.id, flow: execution.flow, reason: 'flow not defined' },
          this.#context.terminal.colors.yellow(
            `! ${execution.id} (${execution.status}) belongs to flow "${execution.flow}", which no module in the config defines; this worker leaves it alone`,
          ),
        );
      }
    } catch (error) {
      // Only a warning; but an outage found here is said at once, not after the slot's next call also waits out the store's retries.
      if (isStoreUnreachable(error) && !this.#stopping) this.#storeUnreachable(error);
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleepers.add(wake);
    });
  }

  #event(json: Record<string, unknown>, text: string): void {
    const { terminal } = this.#context;
    terminal.line(this.#options.json ? JSON.stringify({ time: Date.now(), ...json }) : text);
  }
}

/** A moment as the time of day in UTC, for messages about an outage that is likely minutes old. */
function clockTime(time: number): string {
  return `${new Date(time).toISOString().slice(11, 19)} UTC`;
}
