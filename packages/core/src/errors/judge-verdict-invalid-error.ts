import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** An LLM judge answered without a score from 0 to 1. */
export class JudgeVerdictInvalidError extends KeelError {
  readonly answer: string;

  constructor({ answer }: { answer: string }) {
    super(
      `The judge answered ${JSON.stringify(answer.slice(0, 200))}, which has no "SCORE: <0 to 1>". ` +
        "The member's evaluation records this instead of a score. Ask the judge's model to follow the format, or pass a `prompt` that it follows.",
    );
    this.answer = answer;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'JudgeVerdictInvalidError';

  static override isInstance = isKeelErrorNamed<JudgeVerdictInvalidError>('JudgeVerdictInvalidError');
}
