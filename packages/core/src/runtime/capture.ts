import type { CheckpointKind } from '../store/records.js';
import type { CaptureLevel, CapturePolicy } from './types.js';

/** The capture level and redaction that apply to one call: by name, else by kind, else the default. */
export function resolveCapture(
  policy: CapturePolicy | undefined,
  name: string,
  kind: CheckpointKind,
): { level: CaptureLevel; redact: CapturePolicy['redact'] } {
  const level = policy?.names?.[name] ?? policy?.kinds?.[kind] ?? policy?.default ?? 'full';
  return { level, redact: policy?.redact };
}
