// eslint-disable-next-line no-control-regex
const ansi = /\u001b\[[0-9;]*m/g;

/** The width a string takes on screen (colour codes take none). */
export function visibleWidth(text: string): number {
  return [...text.replace(ansi, '')].length;
}

/** Pads to `width` visible characters. */
export function padVisible(text: string, width: number): string {
  const missing = width - visibleWidth(text);
  return missing > 0 ? text + ' '.repeat(missing) : text;
}

/** Cuts plain text to `width` characters, ending in `…` when cut. */
export function truncate(text: string, width: number): string {
  const characters = [...text];
  if (characters.length <= width) return text;
  return width <= 1 ? '…' : `${characters.slice(0, width - 1).join('')}…`;
}

/** One line of text: newlines and runs of whitespace become single spaces. */
export function singleLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Lays rows out in columns as wide as their widest cell (so output keeps its shape from one run to the
 * next), separated by two spaces; the last column is not padded.
 */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, visibleWidth(cell))));
  return rows.map((row) =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : padVisible(cell, widths[index]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** Cuts text that may hold colour codes to `width` visible characters (so a line never wraps). */
export function truncateVisible(text: string, width: number): string {
  if (visibleWidth(text) <= width) return text;
  let result = '';
  let visible = 0;
  for (const part of text.split(/(\u001b\[[0-9;]*m)/)) {
    if (part.startsWith('\u001b[')) {
      result += part;
      continue;
    }
    for (const character of part) {
      if (visible >= width - 1) return `${result}…\u001b[0m`;
      result += character;
      visible++;
    }
  }
  return result;
}
