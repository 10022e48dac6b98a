import { KeelError, isKeelErrorNamed } from './keel-error.js';

/**
 * A replay with a change answers a tool from the original's records (`recorded`, `onMiss: 'fail'`),
 * and the original never made this call: running it live could reach the outside world.
 */
export class ToolRecordMissError extends KeelError {
  readonly executionId: string;
  readonly checkpointId: string;
  readonly tool: string;

  constructor({ executionId, checkpointId, tool, original }: { executionId: string; checkpointId: string; tool: string; original: string }) {
    super(
      `Replay "${executionId}" called tool "${tool}" (checkpoint "${checkpointId}") with an input that execution "${original}" never gave it, ` +
        'so there is no recorded answer. The change made the run ask something new. ' +
        `To run such calls, answer "${tool}" with { mode: 'recorded', onMiss: 'live' } or 'live'.`,
    );
    this.executionId = executionId;
    this.checkpointId = checkpointId;
    this.tool = tool;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ToolRecordMissError';

  static override isInstance = isKeelErrorNamed<ToolRecordMissError>('ToolRecordMissError');
}
