import { createTwoFilesPatch } from 'diff';
import { toJsonView } from '../serialization/json-view.js';

/**
 * A unified diff of two values, for people: text as it is, anything else as indented JSON. Only the
 * hunks are kept (the file header says nothing here); `undefined` when they read the same.
 */
export function valueDiff(original: unknown, replay: unknown): string | undefined {
  const before = asText(original);
  const after = asText(replay);
  if (before === after) return undefined;
  const patch = createTwoFilesPatch('original', 'replay', ensureNewline(before), ensureNewline(after), undefined, undefined, { context: 2 });
  // The patch opens with a rule and the two file names: the hunks are what a person reads.
  return patch.split('\n').slice(3).join('\n').trimEnd();
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(toJsonView(value), null, 2) ?? 'undefined';
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
