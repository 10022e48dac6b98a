import { KeelError } from '@keel/core';

/** A model was named in a form News Scout does not know (`--model`, `NEWS_SCOUT_MODEL`, the input's `model`). */
export class ModelSpecInvalidError extends KeelError {
  /** What was given. */
  readonly spec: string;

  constructor(spec: string) {
    super(
      `Unknown model "${spec}". Use "offline", "openai[:<model id>]" or "anthropic[:<model id>]", e.g. "openai:gpt-4.1-mini" (in --model, NEWS_SCOUT_MODEL or the input's "model").`,
    );
    this.spec = spec;
  }
}
