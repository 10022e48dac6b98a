import { readFile } from 'node:fs/promises';
import { ArgumentInvalidError } from './errors/argument-invalid-error.js';

/** Parses a JSON option value, naming the option and the mistake when it is not JSON. */
export function parseJsonArgument(text: string, argument: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const hint =
      /^[A-Za-z]/.test(text.trim()) && !/^(true|false|null)$/.test(text.trim())
        ? ` A string needs JSON quotes inside shell quotes: ${argument} '"${text.replace(/'/g, '')}"'.`
        : ` JSON needs double-quoted keys and strings, inside shell single quotes: ${argument.split(' ')[0]} '{"key": "value"}'.`;
    throw new ArgumentInvalidError({ argument, problem: `not valid JSON (${reason}).${hint}` });
  }
}

/** Reads JSON from a file, or from stdin for `-`. */
export async function readJsonFile(path: string, argument: string): Promise<unknown> {
  let text: string;
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (error) {
    throw new ArgumentInvalidError({ argument, problem: `cannot read ${path}: ${(error as Error).message}` });
  }
  return parseJsonArgument(text, `${argument} ${path}`);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses an amount option value: a finite number ≥ 0 (`0.50`, `200000`). */
export function parseAmount(text: string, argument: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new ArgumentInvalidError({ argument, problem: `"${text}" is not a number of at least 0.` });
  }
  return value;
}

/** Parses a whole number option value of at least `minimum`. */
export function parseWholeNumber(text: string, argument: string, minimum: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) {
    throw new ArgumentInvalidError({ argument, problem: `"${text}" is not a whole number of at least ${minimum}.` });
  }
  return value;
}
