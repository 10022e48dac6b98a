/**
 * The SDK's `ToolError` (a tool's `is_error` result with its own content), loaded only when a runnable
 * tool needs it: `@anthropic-ai/sdk` is an optional peer of this package.
 */
type ToolErrorClass = new (content: unknown) => Error;

let loaded: Promise<ToolErrorClass> | undefined;

/** Loads `ToolError` from `@anthropic-ai/sdk`. */
export function loadToolError(): Promise<ToolErrorClass> {
  loaded ??= import('@anthropic-ai/sdk/lib/tools/ToolError').then((module) => module.ToolError as unknown as ToolErrorClass);
  return loaded;
}

/**
 * A recorded failure comes back from the store as a plain `Error` with its fields. A `ToolError`
 * among them is rebuilt as the SDK's class, so the tool runner again sends its content as the
 * `is_error` result, exactly as on the first run.
 */
export async function reviveToolError(error: unknown): Promise<unknown> {
  if (!(error instanceof Error) || error.name !== 'ToolError' || !('content' in error) || error.constructor.name === 'ToolError') return error;
  const ToolError = await loadToolError();
  return new ToolError((error as Error & { content: unknown }).content);
}
