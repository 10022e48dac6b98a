import type { CliContext } from '../cli-context.js';
import { parseJsonArgument, readJsonFile } from '../command-arguments.js';
import { ArgumentInvalidError } from '../errors/argument-invalid-error.js';

/** Options of `keel invoke`. */
export interface InvokeCommandOptions {
  readonly tag?: string;
  readonly version?: string;
  readonly input?: string;
  readonly inputFile?: string;
  readonly json?: boolean;
}

/**
 * `keel invoke <flow>`: starts a queued execution pinned to the version a tag points to (default
 * `prod`) or to a named version; a worker serving that version runs it. The input is checked against
 * the deployed input schema, so this needs only the store, not the flow's code.
 */
export async function invokeCommand(context: CliContext, flow: string, options: InvokeCommandOptions): Promise<void> {
  if (options.tag !== undefined && options.version !== undefined) {
    throw new ArgumentInvalidError({ argument: '--version', problem: 'give either --tag or --version, not both.' });
  }
  if (options.input !== undefined && options.inputFile !== undefined) {
    throw new ArgumentInvalidError({ argument: '--input', problem: 'give either --input or --input-file, not both.' });
  }
  const input =
    options.input !== undefined
      ? parseJsonArgument(options.input, '--input')
      : options.inputFile !== undefined
        ? await readJsonFile(options.inputFile, '--input-file')
        : undefined;
  const project = await context.open(false);
  const route = options.version !== undefined ? { version: options.version } : { tag: options.tag ?? 'prod' };
  const { executionId, version } = await project.runtime.deployments.invoke(flow, input, route);
  const { terminal } = context;
  if (options.json) {
    terminal.line(JSON.stringify({ executionId, flow, version, status: 'queued', ...('tag' in route ? { tag: route.tag } : {}) }, null, 2));
    return;
  }
  const { colors } = terminal;
  terminal.line(`${colors.dim('○')} queued ${executionId} (${flow} ${version}${'tag' in route ? ` via tag ${route.tag}` : ''})`);
  terminal.line(
    colors.dim(
      `A worker of version ${version} runs it (KEEL_CODE_VERSION=${version} ${context.hint('worker')}). Follow it: ${context.hint('executions', 'show', executionId)}`,
    ),
  );
}
