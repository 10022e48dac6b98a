import type { DeployResult } from '@keel/core';
import type { CliContext } from '../cli-context.js';
import { requireFlow } from './run-command.js';

/** Options of `keel deploy`. */
export interface DeployCommandOptions {
  /** Tags to point at the deployed versions (`--tag prod`, repeatable). */
  readonly tag: readonly string[];
  /** Who deploys; default the user name from the environment. */
  readonly deployedBy?: string;
  readonly json?: boolean;
}

/**
 * `keel deploy [flow…]`: registers the version of each flow that this code runs (its code version,
 * from `KEEL_CODE_VERSION`, the config, or the flow's source digest) with its input schema, and points
 * the given tags at it. Deploying the same version with the same code again changes nothing; with
 * other code it is refused (`DeploymentConflictError`). Flows are deployed one after another in the
 * order given, so a refused flow leaves the ones before it deployed.
 */
export async function deployCommand(context: CliContext, flows: readonly string[], options: DeployCommandOptions): Promise<void> {
  const project = await context.open(true);
  const catalog = await project.loadFlows();
  const names = flows.length ? flows : catalog.names;
  for (const name of names) requireFlow(catalog, name);
  const deployedBy = options.deployedBy ?? context.environment.USER ?? context.environment.USERNAME;
  const results: DeployResult[] = [];
  for (const name of names) {
    results.push(await project.runtime.deployments.deploy(name, { tags: options.tag, ...(deployedBy ? { deployedBy } : {}) }));
  }
  const { terminal } = context;
  if (options.json) {
    terminal.line(
      JSON.stringify(
        results.map(({ deployment, created }) => ({ ...deployment, created })),
        null,
        2,
      ),
    );
    return;
  }
  const { colors } = terminal;
  if (results.length === 0) terminal.line("No flows to deploy: the config's modules define none.");
  for (const { deployment, created } of results) {
    const tags = deployment.tags.length ? colors.dim(` · tags ${deployment.tags.join(', ')}`) : '';
    terminal.line(
      created
        ? `${colors.green('✓')} deployed ${colors.bold(deployment.flow)} ${deployment.version}${tags}`
        : `${colors.dim('=')} ${colors.bold(deployment.flow)} ${deployment.version} was already deployed (same code)${tags}`,
    );
  }
  if (results.length)
    terminal.line(
      colors.dim(
        `Invoke: ${context.hint('invoke', results[0]!.deployment.flow, '--tag', options.tag[0] ?? 'prod', '--input', 'JSON')}   Versions: ${context.hint('versions')}`,
      ),
    );
}
