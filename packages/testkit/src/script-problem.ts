/**
 * A request the script cannot serve (turn function threw, mismatch, bad tool arguments). Internal.
 * The server answers it with status 400 — which no client retries, so a test fails at once instead of
 * retrying into the same wall — in the provider's error format, and records the message.
 */
export class ScriptProblem extends Error {}
