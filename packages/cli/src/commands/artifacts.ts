import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliContext } from '../cli-context.js';
import { ArgumentInvalidError } from '../errors/argument-invalid-error.js';
import { toJsonView } from '@keel/core';
import { prettyJson } from '../output/json-value.js';
import { formatBytes, formatRelativeTime } from '../output/quantity-format.js';
import { columns } from '../output/text-layout.js';

/** `keel artifacts list <id>`: the artifacts an execution saved (its return value is `output`). */
export async function artifactsList(context: CliContext, executionId: string, options: { json?: boolean }): Promise<void> {
  const project = await context.open(false);
  const artifacts = await project.runtime.executions.artifacts(executionId);
  const { terminal } = context;
  const { colors } = terminal;
  if (options.json) {
    terminal.line(JSON.stringify(artifacts, null, 2));
    return;
  }
  if (artifacts.length === 0) {
    terminal.line(`Execution ${executionId} has no artifacts yet (flows save them with save(name, value) from @keel/core; the return value becomes "output").`);
    return;
  }
  const now = Date.now();
  const rows = [['NAME', 'TYPE', 'SIZE', 'SAVED', 'BY'].map((cell) => colors.dim(cell))];
  for (const artifact of artifacts) {
    rows.push([
      artifact.name,
      artifact.type,
      formatBytes(artifact.payload.size),
      formatRelativeTime(artifact.createdAt, now),
      artifact.checkpointId ?? colors.dim('(flow)'),
    ]);
  }
  for (const line of columns(rows)) terminal.line(line);
  terminal.line(colors.dim(`Print one: ${context.hint('artifacts', 'get', executionId, artifacts[0]!.name)}`));
}

/**
 * `keel artifacts get <id> <name> [--out <file>]`: text and markdown are printed as they are, JSON
 * pretty-printed; binary content needs `--out` (it would garble a terminal).
 */
export async function artifactsGet(context: CliContext, executionId: string, name: string, options: { out?: string }): Promise<void> {
  const project = await context.open(false);
  const { record, value } = await project.runtime.executions.artifact(executionId, name);
  const { terminal } = context;
  if (options.out !== undefined) {
    const file = resolve(context.cwd, options.out);
    const content = value instanceof Uint8Array ? value : typeof value === 'string' ? value : `${prettyJson(value)}\n`;
    await writeFile(file, content);
    const bytes = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
    terminal.error(`Wrote ${name} (${record.type}, ${formatBytes(bytes)}) to ${options.out}`);
    return;
  }
  if (value instanceof Uint8Array) {
    throw new ArgumentInvalidError({
      argument: name,
      problem: `artifact "${name}" of ${executionId} is binary (${record.type}, ${formatBytes(value.byteLength)}); write it to a file with --out <file>.`,
    });
  }
  if (typeof value === 'string') {
    terminal.write(value);
    if (terminal.interactive && !value.endsWith('\n')) terminal.write('\n');
    return;
  }
  terminal.line(JSON.stringify(toJsonView(value), null, 2));
}
