import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** What the run did at a checkpoint position: the recorded side or the current side. */
export interface DivergenceSide {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly fingerprint?: string;
  /** The code version that recorded the call (recorded side) or is running now (current side). */
  readonly codeVersion?: string;
}

/**
 * On resume or replay the code made a different call than the one recorded at the same place: the
 * stored result would be the wrong answer, so Keel refuses to return it.
 */
export class DivergenceError extends KeelError {
  readonly executionId: string;
  readonly recorded: DivergenceSide;
  readonly current: DivergenceSide;

  constructor({ executionId, recorded, current, reason }: { executionId: string; recorded: DivergenceSide; current: DivergenceSide; reason: string }) {
    const versions =
      recorded.codeVersion !== undefined && current.codeVersion !== undefined && recorded.codeVersion !== current.codeVersion
        ? `The history was recorded by code version "${recorded.codeVersion}" and is being replayed by "${current.codeVersion}": ` +
          `guard the changed call with patched() so executions of "${recorded.codeVersion}" keep their path, or continue them ` +
          `with a worker of "${recorded.codeVersion}". `
        : '';
    super(
      `Execution "${executionId}" diverged from its record: ${reason}. ` +
        `Recorded: ${describe(recorded)}; this run: ${describe(current)}. ` +
        (versions ||
          'The code (or its input) changed since the calls were recorded. Revert the change to resume this execution, ' +
            'or start a new run (or a replay from a checkpoint before the change).'),
    );
    this.executionId = executionId;
    this.recorded = recorded;
    this.current = current;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'DivergenceError';

  static override isInstance = isKeelErrorNamed<DivergenceError>('DivergenceError');
}

function describe(side: DivergenceSide): string {
  const details = [
    ...(side.fingerprint ? [`fingerprint ${side.fingerprint.slice(0, 19)}`] : []),
    ...(side.codeVersion !== undefined ? [`code version ${side.codeVersion}`] : []),
  ];
  return `${side.kind} "${side.name}" at ${side.id}${details.length ? ` (${details.join(', ')})` : ''}`;
}
