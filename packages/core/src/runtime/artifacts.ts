import { KeelError } from '../errors/keel-error.js';
import { currentScope } from './scope.js';
import { defaultKeelRuntime } from './default-runtime.js';
import { loadArtifactValue } from './load-artifact.js';

/**
 * Saves a named artifact of the current execution (a report, a dataset, a screenshot). Saving the
 * same name again replaces it; the payload is stored once however often it is referenced.
 * @param options.type - `markdown`, `text`, `json`, `binary` or a media type (default: from the value).
 */
export async function save(name: string, value: unknown, options: { type?: string } = {}): Promise<void> {
  const scope = currentScope();
  if (!scope) {
    throw new KeelError(`save("${name}") was called outside a flow. Artifacts belong to an execution: call it inside flow(name, fn).`);
  }
  await scope.session.save(name, value, options.type, scope.checkpointId);
}

/** Reads an artifact's value from any execution of the current (or default) runtime's store. */
export async function load<T = unknown>(executionId: string, name: string): Promise<T> {
  const scope = currentScope();
  if (scope) {
    return (await loadArtifactValue(scope.session.store, executionId, name)) as T;
  }
  return (await defaultKeelRuntime().executions.artifact(executionId, name)).value as T;
}
