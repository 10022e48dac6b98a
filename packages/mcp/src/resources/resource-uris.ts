/** The resource URI of an execution: `keel://executions/{executionId}`. */
export function executionUri(executionId: string): string {
  return `keel://executions/${encodeURIComponent(executionId)}`;
}

/** The resource URI of an artifact: `keel://executions/{executionId}/artifacts/{name}` (the name URI-encoded). */
export function artifactUri(executionId: string, name: string): string {
  return `${executionUri(executionId)}/artifacts/${encodeURIComponent(name)}`;
}
