import { readFileSync, writeFileSync } from 'node:fs';

import { ReadmeSnippetMissingError } from './readme-snippet-missing-error.js';
import { startChild, type RunningChild, type StartChildOptions } from './start-child.js';

/** Where a snippet is in a README. */
export interface ReadmeSnippetLocation {
  /** Path of the README (Markdown). */
  readonly readme: string;
  /**
   * Text that comes before the snippet: a marker such as `<!-- example: news-scout.mjs -->`, a
   * heading, or a phrase. The snippet is the first fenced block after its first occurrence.
   */
  readonly marker: string;
  /**
   * The block's info string (`js`, `ts`, `sh`; `''` for a bare fence). Default: any, so the first
   * block after the marker is taken whatever its language.
   */
  readonly language?: string;
}

/**
 * The code of the first fenced block after `marker` in a README, verbatim (without the fences). So a
 * README's example is the code a test runs, and the README cannot drift from what works.
 *
 * @throws ReadmeSnippetMissingError when the marker or a block after it is missing.
 */
export function readmeSnippet({ readme, marker, language }: ReadmeSnippetLocation): string {
  const text = readFileSync(readme, 'utf8');
  const start = text.indexOf(marker);
  if (start < 0) throw new ReadmeSnippetMissingError(readme, marker, `the README has no "${marker}"`);
  const fence = /^```([^\n]*)\n([\s\S]*?)^```/gm;
  fence.lastIndex = start + marker.length;
  for (let match = fence.exec(text); match !== null; match = fence.exec(text)) {
    if (language === undefined || match[1]!.trim() === language) return match[2]!;
  }
  const which = language === undefined ? 'fenced block' : `\`\`\`${language} block`;
  throw new ReadmeSnippetMissingError(readme, marker, `no ${which} follows "${marker}"`);
}

/** Options of {@link runReadmeSnippet}. */
export interface RunReadmeSnippetOptions extends ReadmeSnippetLocation, StartChildOptions {
  /**
   * Where to write the snippet before running it. Put it inside the package under test when the
   * snippet imports the package by name, so the import resolves as it would for a user.
   */
  readonly file: string;
  /** Command-line arguments for the script. */
  readonly args?: readonly string[];
}

/**
 * Writes a README's snippet to `file` and runs it with `node` in a child process.
 *
 * @example
 * const run = runReadmeSnippet({ readme, marker: '<!-- example: scout.mjs -->', language: 'js', file, env });
 * const { code, stdout } = await run.exited;
 */
export function runReadmeSnippet(options: RunReadmeSnippetOptions): RunningChild {
  writeFileSync(options.file, readmeSnippet(options));
  return startChild(options.file, options.args, options);
}
