import { closestName } from '../closest-name.js';
import type { Project } from '../project/open-project.js';
import { formatRelativeTime } from './quantity-format.js';
import type { Terminal } from './terminal.js';

/**
 * What to say after "execution not found": the id that was probably meant (one the given text starts,
 * or a near typo), and the most recent executions of the store, so the right id is one copy away.
 */
export async function nearbyExecutions(project: Project | undefined, executionId: string, terminal: Terminal): Promise<string[]> {
  if (!project) return [];
  try {
    const recent = await project.runtime.executions.list({ limit: 200 });
    if (recent.length === 0) return [terminal.errorColors.dim(`  The store ${project.storeLabel} has no executions yet.`)];
    const ids = recent.map((execution) => execution.id);
    const prefixed = executionId.length >= 6 ? ids.filter((id) => id.startsWith(executionId)) : [];
    const suggestion = prefixed.length === 1 ? prefixed[0] : executionId.startsWith('ex_') ? closestName(executionId, ids) : undefined;
    const lines: string[] = [];
    if (suggestion !== undefined) lines.push(`  Did you mean ${suggestion}?`);
    else if (prefixed.length > 1)
      lines.push(`  ${prefixed.length} executions start with "${executionId}": ${prefixed.slice(0, 5).join(', ')}${prefixed.length > 5 ? ', …' : ''}`);
    const now = Date.now();
    lines.push(
      terminal.errorColors.dim(
        `  Recent: ${recent
          .slice(0, 3)
          .map((execution) => `${execution.id} (${execution.flow}, ${execution.status}, ${formatRelativeTime(execution.createdAt, now)})`)
          .join(', ')}`,
      ),
    );
    return lines;
  } catch {
    return [];
  }
}
