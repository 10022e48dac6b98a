import { existsSync, readFileSync } from 'node:fs';

/**
 * The JSON values of a JSON Lines file (one value per line, blank lines skipped), or none while the file
 * does not exist yet: what a child process or an observer has logged so far.
 */
export function readJsonLines<Value = unknown>(file: string): Value[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Value);
}
