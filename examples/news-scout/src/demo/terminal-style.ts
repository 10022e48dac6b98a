/** Text styles for the demo's output; plain text when colour is off. */
export interface TerminalStyle {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly green: (text: string) => string;
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
}

/**
 * Colour on a terminal, plain text in a pipe or a log: `NO_COLOR` turns it off, `FORCE_COLOR` on, as
 * usual (https://no-color.org).
 */
export function terminalStyle(stream: NodeJS.WriteStream = process.stdout, environment: NodeJS.ProcessEnv = process.env): TerminalStyle {
  const forced = environment['FORCE_COLOR'] !== undefined && environment['FORCE_COLOR'] !== '0';
  const enabled = forced || (stream.isTTY === true && environment['NO_COLOR'] === undefined && environment['TERM'] !== 'dumb');
  const style = (open: number, close: number) => (text: string) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { bold: style(1, 22), dim: style(2, 22), green: style(32, 39), red: style(31, 39), yellow: style(33, 39), cyan: style(36, 39) };
}

/** A number with thousands separators (`31,204`). */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** US dollars with enough decimals to show small amounts (`$0.0712`). */
export function formatDollars(value: number): string {
  return `$${value < 1 ? value.toFixed(4) : value.toFixed(2)}`;
}

/** Pads a string to a width (by code points; the demo's strings carry no wide characters). */
export function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** Right-aligns a string in a width. */
export function padStart(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}
