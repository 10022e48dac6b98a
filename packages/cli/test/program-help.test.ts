import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { CliContext } from '../src/cli-context.js';
import type { Terminal } from '../src/output/terminal.js';
import { createProgram } from '../src/program.js';
import picocolors from 'picocolors';

function captureTerminal(): Terminal & { text: () => string } {
  let text = '';
  const colors = picocolors.createColors(false);
  return {
    colors,
    errorColors: colors,
    interactive: false,
    columns: 120,
    rows: 40,
    write: (chunk) => void (text += chunk),
    line: (line = '') => void (text += `${line}\n`),
    error: (line) => void (text += `${line}\n`),
    flush: async () => {},
    text: () => text,
  };
}

function allCommands(command: Command, path: string[] = []): [string[], Command][] {
  return [[path, command], ...command.commands.flatMap((child) => allCommands(child, [...path, child.name()]))];
}

describe('keel --help', () => {
  it('gives every command a description and at least one runnable example', () => {
    const terminal = captureTerminal();
    const program = createProgram(new CliContext(terminal, process.cwd(), {}));
    const commands = allCommands(program);
    expect(commands.map(([path]) => path.join(' '))).toEqual([
      '',
      'init',
      'run',
      'executions',
      'executions list',
      'executions show',
      'executions logs',
      'executions input',
      'executions resume',
      'executions retry',
      'executions cancel',
      'executions replay',
      'deploy',
      'invoke',
      'versions',
      'versions list',
      'versions remove',
      'experiments',
      'experiments run',
      'experiments resume',
      'experiments list',
      'experiments show',
      'tag',
      'artifacts',
      'artifacts list',
      'artifacts get',
      'store',
      'store copy',
      'worker',
      'serve',
      'mcp',
    ]);
    for (const [path, command] of commands) {
      const help = captureTerminal();
      command.configureOutput({ writeOut: help.write, writeErr: help.write });
      command.outputHelp();
      expect(command.description(), path.join(' ')).not.toBe('');
      const examples = help.text().split('Examples:\n')[1];
      expect(examples, `keel ${path.join(' ')} --help has examples`).toBeDefined();
      const first = examples!.split('\n')[0]!;
      expect(first).toMatch(new RegExp(`^  \\$ (KEEL_[A-Z_]+=\\S+ )?keel ${path.join(' ')}`.trimEnd()));
    }
  });
});
