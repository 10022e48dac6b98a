import type { CheckpointRecord } from '../store/records.js';

/** A call that is running in a session. */
export class Call {
  /** True while the call (or a call inside it) is stopped at a wait and will not finish in this session. */
  blocked = false;
  /** Whether a suspension records this call as `waiting` (an interrupted at-most-once call stays `running`). */
  recordAsWaiting = true;
  constructor(
    readonly id: string,
    readonly parent: Call | null,
    public record: CheckpointRecord,
  ) {}
}
