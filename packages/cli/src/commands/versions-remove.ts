import type { CliContext } from '../cli-context.js';

/**
 * `keel versions remove <flow> <version>`: removes a deployed version. Refused (`DeploymentInUseError`,
 * exit 2, nothing removed) while executions of it are unfinished or a tag points to it.
 */
export async function versionsRemove(context: CliContext, flow: string, version: string, options: { json?: boolean }): Promise<void> {
  const project = await context.open(false);
  await project.runtime.deployments.remove(flow, version);
  const { terminal } = context;
  if (options.json) terminal.line(JSON.stringify({ flow, version, removed: true }, null, 2));
  else terminal.line(`${terminal.colors.green('✓')} removed version ${version} of ${terminal.colors.bold(flow)}; its finished executions stay in the store`);
}
