import type { VersionSummary } from '@keel/core';
import type { CliContext } from '../cli-context.js';
import { formatRelativeTime } from '../output/quantity-format.js';
import { columns } from '../output/text-layout.js';

/**
 * `keel versions`: per flow and code version, its executions that are queued, running, waiting and
 * failed, its tags, whether it can be retired (nothing unfinished, no tag), and whether the code here
 * serves it. Works with a store alone; "served" needs the config's flows.
 */
export async function versionsList(context: CliContext, options: { flow?: string; json?: boolean }): Promise<void> {
  const project = await context.open(false);
  // With the flows loaded, the summary can say which versions this code serves.
  if (project.configFile !== undefined) await project.loadFlows();
  const versions = await project.runtime.deployments.versions(options.flow !== undefined ? { flow: options.flow } : {});
  const { terminal } = context;
  if (options.json) {
    terminal.line(JSON.stringify(versions, null, 2));
    return;
  }
  const { colors } = terminal;
  if (versions.length === 0) {
    terminal.line(
      options.flow !== undefined
        ? `No versions of flow "${options.flow}" yet.`
        : `No versions yet in ${project.storeLabel}: deploy with ${context.hint('deploy', '--tag', 'prod')}.`,
    );
    return;
  }
  const now = Date.now();
  const rows: string[][] = [
    ['FLOW', 'VERSION', 'TAGS', 'QUEUED', 'RUNNING', 'WAITING', 'FAILED', 'DONE', 'DEPLOYED', 'RETIRABLE', 'SERVED HERE'].map((cell) => colors.dim(cell)),
  ];
  for (const version of versions) rows.push(row(version, now, colors));
  for (const line of columns(rows)) terminal.line(line);
  const stranded = versions.filter((version) => !version.served && version.executions.queued + version.executions.waiting + version.executions.running > 0);
  if (stranded.length && project.configFile !== undefined) {
    terminal.line(
      colors.dim(
        `Executions of a version this code does not serve stay as they are until a worker of that version runs them (KEEL_CODE_VERSION=<version> ${context.hint('worker')}).`,
      ),
    );
  }
}

function row(version: VersionSummary, now: number, colors: CliContext['terminal']['colors']): string[] {
  const count = (value: number, color: (text: string) => string) => (value ? color(String(value)) : colors.dim('0'));
  return [
    version.flow,
    colors.bold(version.version),
    version.tags.join(',') || colors.dim('-'),
    count(version.executions.queued, colors.cyan),
    count(version.executions.running, colors.cyan),
    count(version.executions.waiting, colors.yellow),
    count(version.executions.failed, colors.red),
    count(version.executions.completed, (text) => text),
    version.deployedAt !== undefined ? formatRelativeTime(version.deployedAt, now) : colors.dim('not deployed'),
    version.retirable ? colors.green('yes') : 'no',
    version.served ? colors.green('yes') : colors.dim('no'),
  ];
}
