import type { RunResult } from '@keel/core';
import type { CliContext } from '../cli-context.js';
import { exitCodes, type ExitCode } from '../exit-codes.js';
import { LiveProgress } from '../output/live-progress.js';
import { outcomeJson, printOutcome } from '../output/run-outcome.js';
import type { Project } from '../project/open-project.js';
import { handBack } from '../worker/hand-back.js';

/** What {@link runWithProgress} runs and shows. */
export interface ProgressRun {
  /** The flow, for output. */
  readonly flow: string;
  /** The first line, e.g. `Running hello`. */
  readonly title: string;
  /** The execution, when known before the operation starts. */
  readonly executionId?: string;
  /** Finds the execution the operation creates (a replay). */
  readonly locate?: () => Promise<string | undefined>;
  /** Runs, resumes, retries or replays in this process. */
  readonly operation: () => Promise<RunResult>;
  readonly json: boolean;
  /** Print the outcome, as text or JSON (default true); replay prints its own summary instead. */
  readonly printResult?: boolean;
}

/**
 * Runs an execution's body in this process while showing its checkpoints live, then prints how it
 * ended and what to do next. Ctrl-C (or SIGTERM) hands the execution back — its lease is released
 * so a worker, or `keel executions resume`, continues it at once from its last checkpoint — and
 * exits with 130.
 */
export async function runWithProgress(context: CliContext, project: Project, run: ProgressRun): Promise<{ result: RunResult; exitCode: ExitCode }> {
  const { terminal } = context;
  const store = await project.runtime.store();
  const progress = run.json
    ? undefined
    : new LiveProgress(terminal, (executionId) => store.listCheckpoints(executionId), {
        ...(run.executionId !== undefined ? { executionId: run.executionId } : {}),
        ...(run.locate ? { locate: run.locate } : {}),
      });
  if (!run.json) terminal.line(`${terminal.colors.cyan('▸')} ${run.title}${run.executionId !== undefined ? terminal.colors.dim(` · ${run.executionId}`) : ''}`);
  const startedAt = Date.now();
  const interrupt = (signal: NodeJS.Signals) => void onInterrupt(context, project, progress, signal);
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  await progress?.prime();
  progress?.start();
  let result: RunResult;
  try {
    result = await run.operation();
  } catch (error) {
    progress?.clear();
    throw error;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
  const records = (await progress?.stop()) ?? [];
  if (run.printResult === false) return { result, exitCode: exitCodeFor(result) };
  if (run.json) {
    terminal.line(JSON.stringify(outcomeJson(result, run.flow), null, 2));
    return { result, exitCode: exitCodeFor(result) };
  }
  const exitCode = printOutcome(context, result, records, Date.now() - startedAt);
  return { result, exitCode };
}

function exitCodeFor(result: RunResult): ExitCode {
  return result.status === 'completed' ? exitCodes.ok : result.status === 'waiting' ? exitCodes.waiting : exitCodes.failed;
}

async function onInterrupt(context: CliContext, project: Project, progress: LiveProgress | undefined, signal: NodeJS.Signals): Promise<void> {
  const { terminal } = context;
  progress?.clear();
  terminal.error(`\n${signal === 'SIGINT' ? 'Interrupted' : `Stopped by ${signal}`}: handing the execution back…`);
  try {
    const handed = await handBack(project.runtime);
    for (const id of handed) {
      terminal.error(`${id} was handed back; it continues from its last completed checkpoint with:`);
      terminal.error(`  ${context.hint('worker', '--once')}   or   ${context.hint('executions', 'resume', id)}`);
    }
  } catch (error) {
    terminal.error(`Could not hand it back (${(error as Error).message}); a worker recovers it once its lease expires.`);
  }
  await terminal.flush();
  process.exit(exitCodes.interrupted);
}
