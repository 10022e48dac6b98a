import { FlowCodeNotLoadedError } from '@keel/core';
import type { FlowCatalog } from './flow-catalog.js';
import type { Project } from './open-project.js';

/**
 * How to load the flows' code, for a command that runs on the store alone because no `keel.config.ts`
 * was found (an operator looking at a PostgreSQL store from a laptop).
 */
export function flowCodeHint(command: string, directory: string): string {
  return (
    `No keel.config.ts was found in ${directory} or the folders above it, so \`keel ${command}\` works on the store alone: ` +
    "run it in the project's folder, or pass --config <path to keel.config.ts>, to load the flows. Inspecting, giving input and " +
    'cancelling need no code, and a worker that has it (keel worker) resumes an execution once its input is given.'
  );
}

/** What a command asks that runs a flow's code. */
export interface FlowCodeRequest {
  /** The command, as the user typed it after `keel` (`executions resume`). */
  readonly command: string;
  /** `resume`, `retry`, `replay`. */
  readonly operation: string;
  readonly flow: string;
  readonly executionId?: string;
}

/**
 * The project's flows, for an operation that runs one of them. Without a config there is no code to
 * load: that is said as `FlowCodeNotLoadedError` (what was asked and how to load the code), not as a
 * missing config to create with `keel init`.
 */
export async function loadFlowCode(project: Project, request: FlowCodeRequest): Promise<FlowCatalog> {
  requireFlowCode(project, request);
  return project.loadFlows();
}

/** Throws `FlowCodeNotLoadedError` when the project has no config to load the flows' code from. */
export function requireFlowCode(project: Project, { command, ...asked }: FlowCodeRequest): void {
  if (project.configFile === undefined) throw new FlowCodeNotLoadedError({ ...asked, hint: flowCodeHint(command, project.root) });
}
