import picocolors from 'picocolors';

/** The colour functions of picocolors (all identity when colour is off). */
export type Colors = ReturnType<typeof picocolors.createColors>;

/** Where a command writes, and how: colour and redrawing only on a terminal. */
export interface Terminal {
  /** Colours for stdout. */
  readonly colors: Colors;
  /** Colours for stderr. */
  readonly errorColors: Colors;
  /** Whether stdout is a terminal (live redrawing, colour). */
  readonly interactive: boolean;
  /** The terminal's width, or a generous default when stdout is not a terminal. */
  readonly columns: number;
  /** The terminal's height. */
  readonly rows: number;
  /** Writes to stdout as is. */
  write(text: string): void;
  /** Writes a line to stdout. */
  line(text?: string): void;
  /** Writes a line to stderr. */
  error(text: string): void;
  /** Resolves once what was written has been handed to the OS (before exiting). */
  flush(): Promise<void>;
}

/**
 * The process's terminal. Colour follows picocolors' rules per stream (a TTY, unless `NO_COLOR` or
 * `--no-color`; `FORCE_COLOR` forces it).
 */
export function processTerminal(options: { color?: boolean } = {}): Terminal {
  const stdout = process.stdout;
  const stderr = process.stderr;
  // `keel executions list | head`: the reader went away; stop quietly rather than crash on EPIPE.
  for (const stream of [stdout, stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
  const wants = (stream: NodeJS.WriteStream) => {
    if (options.color === false || 'NO_COLOR' in process.env) return false;
    if ('FORCE_COLOR' in process.env && process.env.FORCE_COLOR !== '0') return true;
    return Boolean(stream.isTTY) && process.env.TERM !== 'dumb';
  };
  return {
    colors: picocolors.createColors(wants(stdout)),
    errorColors: picocolors.createColors(wants(stderr)),
    interactive: Boolean(stdout.isTTY) && process.env.TERM !== 'dumb',
    columns: stdout.isTTY ? stdout.columns || 100 : 160,
    rows: stdout.isTTY ? stdout.rows || 30 : 10_000,
    write: (text) => void stdout.write(text),
    line: (text = '') => void stdout.write(`${text}\n`),
    error: (text) => void stderr.write(`${text}\n`),
    flush: () =>
      Promise.all([new Promise<void>((resolve) => stdout.write('', () => resolve())), new Promise<void>((resolve) => stderr.write('', () => resolve()))]).then(
        () => undefined,
      ),
  };
}
