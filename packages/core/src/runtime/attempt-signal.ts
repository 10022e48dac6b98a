/**
 * The `signal` of one attempt of a call, made only if the call's function reads it.
 *
 * An `AbortController` per attempt, with a listener on the session's signal, was a measurable part of a
 * fast checkpoint (about a fifth of the runtime's own time per call in `node --cpu-prof`), and most
 * functions never look at their signal. So the controller is made on first read of {@link signal}, in
 * the state the eager one would have had then: aborted by the attempt's timeout or by the session
 * (while the attempt runs), and following the session's signal until the attempt ends.
 */
export class AttemptSignal {
  readonly #session: AbortSignal;
  #controller: AbortController | undefined;
  /** Why the attempt was aborted, before anyone read its signal. */
  #aborted: { readonly reason: unknown } | undefined;
  #ended = false;
  readonly #onSessionAbort = (): void => this.abort(this.#session.reason);

  constructor(session: AbortSignal) {
    this.#session = session;
  }

  /** The attempt's signal (created on first read). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = (this.#controller = new AbortController());
      if (this.#aborted !== undefined) controller.abort(this.#aborted.reason);
      else if (!this.#ended) {
        if (this.#session.aborted) controller.abort(this.#session.reason);
        else this.#session.addEventListener('abort', this.#onSessionAbort, { once: true });
      }
    }
    return this.#controller.signal;
  }

  /** Aborts the attempt (its timeout passed, or the session stopped). The first reason holds. */
  abort(reason: unknown): void {
    if (this.#controller !== undefined) {
      this.#controller.abort(reason);
      return;
    }
    this.#aborted ??= { reason };
  }

  /** The attempt ended: the session's later stops no longer concern its signal. */
  end(): void {
    if (this.#ended) return;
    // Stopped while it ran (with nobody reading the signal then): a later read still sees it aborted.
    if (this.#controller === undefined && this.#session.aborted) this.abort(this.#session.reason);
    this.#ended = true;
    this.#session.removeEventListener('abort', this.#onSessionAbort);
  }
}
