import type { Terminal } from './terminal.js';
import { columns, visibleWidth } from './text-layout.js';

/**
 * Prints commands to run next, each with a dimmed note on what it does. Notes are aligned in a column
 * unless a command is too long for that to read well.
 */
export function printNextSteps(terminal: Terminal, title: string, steps: readonly (readonly [command: string, note?: string])[]): void {
  const { colors } = terminal;
  terminal.line(colors.dim(title));
  const rows = steps.map(([command, note]) => [`  ${command}`, note ? colors.dim(note) : '']);
  const aligned = Math.max(...rows.map(([command]) => visibleWidth(command!))) <= 56;
  for (const line of aligned ? columns(rows) : rows.map((row) => row.filter(Boolean).join('  '))) terminal.line(line);
}
