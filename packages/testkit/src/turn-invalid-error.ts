/** Thrown (or reported in the error body) when a scripted turn is not well formed. */
export class FakeTurnInvalidError extends Error {
  /** Index of the turn in the script. */
  readonly turn: number;

  constructor(turn: number, problem: string) {
    super(`fake LLM script turn ${turn} is invalid: ${problem}`);
    this.name = 'FakeTurnInvalidError';
    this.turn = turn;
  }
}
