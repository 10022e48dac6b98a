import { KeelError } from '@keel/core';

/** A step of the demo did not go as the demo expects (a command failed, a call ran twice …); the message says which and why. */
export class DemoStepFailedError extends KeelError {}
