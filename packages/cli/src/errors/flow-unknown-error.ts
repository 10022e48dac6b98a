import { KeelError } from '@keel/core';

/** `keel run` was given a flow name that none of the config's flow modules defines. */
export class FlowUnknownError extends KeelError {
  readonly flow: string;
  readonly known: readonly string[];

  constructor({ flow, known, suggestion, modules }: { flow: string; known: readonly string[]; suggestion?: string; modules: readonly string[] }) {
    super(
      `No flow named "${flow}" in this project.` +
        (suggestion !== undefined ? ` Did you mean "${suggestion}"?` : '') +
        (known.length ? ` Flows: ${known.join(', ')}.` : ' No flow is defined yet.') +
        ` Flows are defined with flow(name, fn) from @keel/core in the modules keel.config.ts lists` +
        (modules.length ? ` (${modules.join(', ')}).` : ' (none matched).'),
    );
    this.flow = flow;
    this.known = known;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'FlowUnknownError';
}
