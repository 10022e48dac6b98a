import { encodePayload } from '../serialization/payloads.js';
import type { CheckpointRecord } from '../store/records.js';
import type { Scope } from './scope.js';
import type { SessionInternals } from './session-internals.js';

/**
 * What `patched()` answers in one session, and the markers that record it.
 *
 * The history decides. A recorded marker means an earlier session took the new path here. Without
 * one, when the recorded run made more calls in this scope than this session has made so far, it went
 * past this point with the old code, so the old path is kept. At the frontier (no recorded call ahead)
 * the new path applies from here on, and a marker records that for every later session. The marker is
 * deferred (see `CheckpointWriter`): it is written with the session's next write, before or with any
 * later record, so no later record can exist without it; a crash before that loses it along with
 * everything after it, and the next session decides the same way again.
 */
export class PatchMarkers {
  /** What `patched()` answered, by marker id: the same all through a session. */
  readonly #decided = new Map<string, boolean>();

  constructor(private readonly session: SessionInternals) {}

  /** Whether the execution takes the new path of `patchId` in `scope`. */
  decide(scope: Scope, patchId: string): boolean {
    const id = scope.checkpointId === null ? `patched:${patchId}` : `${scope.checkpointId}/patched:${patchId}`;
    const decided = this.#decided.get(id);
    if (decided !== undefined) return decided;
    const { history } = this.session;
    const recorded = history.get(id);
    let applies: boolean;
    if (recorded) {
      history.checkSameCall(recorded, { id, name: 'patched', kind: 'step', ...this.session.currentVersion() });
      applies = true;
    } else {
      applies = history.recordedCalls(scope.checkpointId) <= scope.position;
      if (applies && this.session.canWrite()) this.#record(scope, id, patchId);
    }
    this.#decided.set(id, applies);
    return applies;
  }

  #record(scope: Scope, id: string, patchId: string): void {
    const { session } = this;
    session.goLive();
    const now = Date.now();
    const output = encodePayload(true, `the marker of patch "${patchId}"`);
    const record: CheckpointRecord = {
      executionId: session.executionId,
      id,
      parentId: scope.checkpointId,
      name: 'patched',
      kind: 'step',
      status: 'completed',
      seq: session.history.nextSeq(),
      attempts: 1,
      delivery: 'at-least-once',
      durable: true,
      ordered: false,
      session: session.number,
      ...session.versionField(),
      output: output.ref,
      metadata: { patch: patchId },
      startedAt: now,
      endedAt: now,
    };
    session.history.set(id, record);
    session.deferCheckpoint(record, [{ hash: output.ref.hash, content: output.text }]);
  }
}
