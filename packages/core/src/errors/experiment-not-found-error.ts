import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** No experiment has this id, or no experiment of this name is defined in the loaded code. */
export class ExperimentNotFoundError extends KeelError {
  readonly experiment: string;

  constructor({ experiment, known, kind }: { experiment: string; known: readonly string[]; kind: 'id' | 'name' }) {
    super(
      kind === 'id'
        ? `No experiment has the id "${experiment}" in this store (it is not an execution of an \`experiment:\` flow). List experiments with \`keel experiments list\`.`
        : `No experiment named "${experiment}" is defined in the loaded code. ` +
            (known.length
              ? `Defined: ${known.join(', ')}.`
              : 'None is defined: declare one with `experiment(name, { cohort, change })` in a module your keel.config.ts loads.'),
    );
    this.experiment = experiment;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ExperimentNotFoundError';

  static override isInstance = isKeelErrorNamed<ExperimentNotFoundError>('ExperimentNotFoundError');
}
