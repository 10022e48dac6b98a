import type { Terminal } from './terminal.js';
import { columns } from './text-layout.js';

/** Prints commands to run next, aligned, each with a dimmed note on what it does. */
export function printNextSteps(terminal: Terminal, title: string, steps: readonly (readonly [command: string, note?: string])[]): void {
  const { colors } = terminal;
  terminal.line(colors.dim(title));
  for (const line of columns(steps.map(([command, note]) => [`  ${command}`, note ? colors.dim(note) : '']))) terminal.line(line);
}
