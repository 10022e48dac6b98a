import type { CheckpointRecord } from '@keel/core';
import { renderCheckpointTree } from './checkpoint-tree.js';
import { formatDuration } from './quantity-format.js';
import { statusIcon, statusWord } from './status-style.js';
import type { Terminal } from './terminal.js';
import { padVisible, truncateVisible } from './text-layout.js';

/** Options of {@link LiveProgress}. */
export interface LiveProgressOptions {
  /** The execution to follow, when known up front. */
  readonly executionId?: string;
  /** Finds the execution to follow when it is created by the operation being watched (a replay). */
  readonly locate?: () => Promise<string | undefined>;
  /** How often to read the store, in ms. */
  readonly intervalMs?: number;
}

const spinner = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Shows an execution's checkpoints while it runs, by reading its checkpoint records from the store
 * (so it shows the same thing whether the run is in this process or another one).
 *
 * On a terminal it redraws the checkpoint tree in place (the last screenful of it, with a spinner
 * line); elsewhere (a pipe, CI logs) it prints one line per checkpoint as it completes, fails or
 * starts waiting, since redrawing would garble a log.
 */
export class LiveProgress {
  readonly #terminal: Terminal;
  readonly #listCheckpoints: (executionId: string) => Promise<CheckpointRecord[]>;
  readonly #options: LiveProgressOptions;
  readonly #startedAt = Date.now();
  readonly #printed = new Map<string, string>();
  #executionId: string | undefined;
  #records: CheckpointRecord[] = [];
  #drawnLines = 0;
  #frame = 0;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  /** @param listCheckpoints - Reads an execution's checkpoint records (the store's `listCheckpoints`). */
  constructor(terminal: Terminal, listCheckpoints: (executionId: string) => Promise<CheckpointRecord[]>, options: LiveProgressOptions) {
    this.#terminal = terminal;
    this.#listCheckpoints = listCheckpoints;
    this.#options = options;
    this.#executionId = options.executionId;
  }

  /**
   * Reads what earlier sessions recorded before this one starts, so that only changes are printed as
   * events: completed checkpoints are listed once as reused, the rest when they change.
   */
  async prime(): Promise<void> {
    if (this.#executionId === undefined) return;
    const records = await this.#listCheckpoints(this.#executionId).catch(() => []);
    for (const record of records) {
      this.#printed.set(record.id, record.status);
      if (!this.#terminal.interactive && record.status === 'completed') this.#printEvent(record, 'recorded earlier, reused');
    }
  }

  /** Starts following. */
  start(): void {
    this.#loop = this.#run();
  }

  /** Stops following, after showing the final state of every checkpoint. */
  async stop(): Promise<CheckpointRecord[]> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
    await this.#tick();
    if (this.#terminal.interactive) {
      this.#erase();
      const lines = renderCheckpointTree(this.#records, { colors: this.#terminal.colors, indent: '  ' });
      for (const line of lines) this.#terminal.line(line);
    }
    return this.#records;
  }

  /** Removes the live lines (before something else is printed, e.g. on Ctrl-C). */
  clear(): void {
    this.#stopped = true;
    if (this.#terminal.interactive) this.#erase();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      await this.#tick();
      if (this.#stopped) return;
      this.#draw();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#options.intervalMs ?? 150);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async #tick(): Promise<void> {
    try {
      this.#executionId ??= await this.#options.locate?.();
      if (this.#executionId === undefined) return;
      this.#records = await this.#listCheckpoints(this.#executionId);
    } catch {
      // Not written yet, or a read raced a write: the next tick sees it.
      return;
    }
    if (!this.#terminal.interactive) this.#printEvents();
  }

  #printEvents(): void {
    for (const record of this.#records) {
      if (record.status === 'running' || this.#printed.get(record.id) === record.status) continue;
      this.#printed.set(record.id, record.status);
      this.#printEvent(record);
    }
  }

  #printEvent(record: CheckpointRecord, note?: string): void {
    const { colors } = this.#terminal;
    const duration = record.endedAt !== undefined ? formatDuration(record.endedAt - record.startedAt) : '';
    const attempts = `${record.attempts} ${record.attempts === 1 ? 'attempt' : 'attempts'}`;
    const error = record.status === 'failed' && record.error ? `  ${record.error.name}: ${record.error.message.split('\n')[0]}` : '';
    this.#terminal.line(
      `  ${statusIcon(record.status, colors)} ${padVisible(record.id, 28)} ${padVisible(record.kind, 5)} ${padVisible(statusWord(record.status, colors), 10)} ${padVisible(duration, 7)} ${attempts}${error}${note ? colors.dim(`  ${note}`) : ''}`.trimEnd(),
    );
  }

  #draw(): void {
    if (!this.#terminal.interactive) return;
    const { colors, columns, rows } = this.#terminal;
    this.#erase();
    let lines = renderCheckpointTree(this.#records, { colors, indent: '  ' });
    const room = Math.max(3, rows - 4);
    if (lines.length > room) lines = [colors.dim(`  … ${lines.length - room + 1} earlier lines`), ...lines.slice(-(room - 1))];
    const running = this.#records.filter((record) => record.status === 'running').map((record) => record.id);
    const frame = spinner[this.#frame++ % spinner.length]!;
    lines.push(
      `${colors.cyan(frame)} ${statusWord('running', colors)} ${formatDuration(Date.now() - this.#startedAt)}` +
        (running.length ? colors.dim(` · ${running.slice(-3).join(', ')}`) : '') +
        (this.#records.length ? '' : colors.dim(` · ${statusIcon('queued', colors)} no checkpoint yet`)),
    );
    for (const line of lines) this.#terminal.line(truncateVisible(line, columns - 1));
    this.#drawnLines = lines.length;
  }

  #erase(): void {
    if (this.#drawnLines > 0) this.#terminal.write(`\u001b[${this.#drawnLines}A\r\u001b[J`);
    this.#drawnLines = 0;
  }
}
