import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** The runtime has no flow registered under this name, so it cannot run or resume its executions. */
export class FlowNotFoundError extends KeelError {
  readonly flow: string;
  readonly known: readonly string[];

  constructor({ flow, known }: { flow: string; known: readonly string[] }) {
    super(
      `No flow named "${flow}" is registered in this runtime` +
        (known.length ? ` (registered: ${known.join(', ')}).` : ' (none is registered).') +
        ' Define it with `flow(name, fn)` (or import the module that does) before resuming its executions.',
    );
    this.flow = flow;
    this.known = known;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'FlowNotFoundError';

  static override isInstance = isKeelErrorNamed<FlowNotFoundError>('FlowNotFoundError');
}
