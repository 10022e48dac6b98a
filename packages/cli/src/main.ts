import { CommanderError } from 'commander';
import { CliContext } from './cli-context.js';
import { exitCodes, type ExitCode } from './exit-codes.js';
import { asksForVersion, createProgram, keelVersion } from './program.js';
import { processTerminal, type Terminal } from './output/terminal.js';

/** Errors that mean the command was asked for something that is not there or not allowed: exit 2. */
const usageErrors = new Set([
  'ArgumentInvalidError',
  'ConfigNotFoundError',
  'ConfigInvalidError',
  'FlowUnknownError',
  'FlowNotFoundError',
  'FlowCodeNotLoadedError',
  'ExecutionNotFoundError',
  'CheckpointNotFoundError',
  'WaitNotFoundError',
  'WaitInputInvalidError',
  'ArtifactNotFoundError',
  'ExecutionStateError',
  'ExecutionVersionMismatchError',
  'FlowInputInvalidError',
  'DeploymentNotFoundError',
  'DeploymentConflictError',
  'DeploymentInUseError',
  'ExperimentNotFoundError',
  'CohortInvalidError',
]);

/**
 * Runs the `keel` command line and returns the exit code (see {@link exitCodes}). Errors are shown as
 * their message — Keel's messages say what happened and what to do — with the stack only under
 * `--debug`.
 */
export async function main(argv: readonly string[], terminal: Terminal = processTerminal({ color: !argv.includes('--no-color') })): Promise<ExitCode> {
  const context = new CliContext(terminal, process.cwd(), process.env);
  const program = createProgram(context);
  if (
    asksForVersion(
      argv,
      program.commands.flatMap((command) => [command.name(), ...command.aliases()]),
    )
  ) {
    terminal.line(keelVersion);
    return exitCodes.ok;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // `commander.help` is help shown because no command was given: usage, not success.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? exitCodes.ok : exitCodes.usage;
    }
    // Loaded only now: the happy path of --help and usage errors should not pay for @keel/core.
    const { KeelError, ExecutionNotFoundError } = await import('@keel/core');
    reportError(terminal, error, argv.includes('--debug'), KeelError.isInstance(error));
    if (ExecutionNotFoundError.isInstance(error)) {
      const { nearbyExecutions } = await import('./output/nearby-executions.js');
      for (const line of await nearbyExecutions(await context.openedProject(), error.executionId, terminal)) terminal.error(line);
    }
    return error instanceof Error && usageErrors.has(error.name) && KeelError.isInstance(error) ? exitCodes.usage : exitCodes.failed;
  } finally {
    await context.close();
  }
}

function reportError(terminal: Terminal, error: unknown, debug: boolean, keelError: boolean): void {
  const { errorColors: colors } = terminal;
  if (!(error instanceof Error)) {
    terminal.error(`${colors.red('error:')} ${String(error)}`);
    return;
  }
  terminal.error(`${colors.red('error:')} ${error.message}`);
  if (debug) {
    terminal.error(colors.dim(error.stack ?? ''));
    for (let cause = error.cause, depth = 0; cause !== undefined && depth < 5; cause = (cause as Error).cause, depth++) {
      terminal.error(colors.dim(`caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`));
    }
  } else if (!keelError || error.cause !== undefined) {
    const cause = error.cause instanceof Error ? error.cause.message : undefined;
    if (cause && !error.message.includes(cause)) terminal.error(colors.dim(`  caused by: ${cause}`));
    terminal.error(colors.dim('  (--debug shows the stack trace)'));
  }
}
