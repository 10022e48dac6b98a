import type { CliContext } from '../cli-context.js';
import { ArgumentInvalidError } from '../errors/argument-invalid-error.js';

/**
 * `keel tag <flow> <tag> <version>`: points a tag at a deployed version (moving it from the one it
 * pointed to). New invocations through the tag go there; executions already started stay on their
 * version. With `--remove`, deletes the tag instead.
 */
export async function tagCommand(
  context: CliContext,
  flow: string,
  tag: string,
  version: string | undefined,
  options: { remove?: boolean; json?: boolean },
): Promise<void> {
  if (options.remove && version !== undefined)
    throw new ArgumentInvalidError({ argument: '--remove', problem: 'a tag is removed without a version: keel tag <flow> <tag> --remove.' });
  if (!options.remove && version === undefined)
    throw new ArgumentInvalidError({ argument: '<version>', problem: 'name the version to point the tag at (keel versions lists them), or give --remove.' });
  const project = await context.open(false);
  const { deployments } = project.runtime;
  const { terminal } = context;
  const { colors } = terminal;
  if (options.remove) {
    await deployments.untag(flow, tag);
    if (options.json) terminal.line(JSON.stringify({ flow, tag, removed: true }, null, 2));
    else terminal.line(`${colors.green('✓')} removed tag ${tag} of ${colors.bold(flow)}`);
    return;
  }
  const before = (await deployments.list({ flow })).find((deployment) => deployment.tags.includes(tag));
  const updatedBy = context.environment.USER ?? context.environment.USERNAME;
  const record = await deployments.tag(flow, tag, version!, updatedBy ? { updatedBy } : {});
  if (options.json) {
    terminal.line(JSON.stringify({ ...record, ...(before ? { previousVersion: before.version } : {}) }, null, 2));
    return;
  }
  const moved = before && before.version !== version ? ` (was ${before.version}; executions already started stay on it)` : '';
  terminal.line(`${colors.green('✓')} ${colors.bold(flow)} ${tag} → ${version}${moved}`);
}
