import type { CheckpointStatus, ExecutionStatus } from '@keel/core';
import type { Colors } from './terminal.js';

const icons: Record<ExecutionStatus | CheckpointStatus, string> = {
  queued: '○',
  running: '▸',
  waiting: '◇',
  completed: '✓',
  failed: '✗',
  cancelled: '⊘',
};

/** The status's icon, coloured. Icons are one column wide everywhere, so columns stay aligned. */
export function statusIcon(status: ExecutionStatus | CheckpointStatus, colors: Colors): string {
  return paint(status, colors)(icons[status] ?? '?');
}

/** The status's word, coloured. */
export function statusWord(status: ExecutionStatus | CheckpointStatus | 'abandoned', colors: Colors): string {
  return (status === 'abandoned' ? colors.yellow : paint(status, colors))(status);
}

function paint(status: ExecutionStatus | CheckpointStatus, colors: Colors): (text: string) => string {
  switch (status) {
    case 'completed':
      return colors.green;
    case 'failed':
      return colors.red;
    case 'waiting':
      return colors.yellow;
    case 'running':
      return colors.cyan;
    default:
      return colors.dim;
  }
}
