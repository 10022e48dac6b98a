/** Parses text as a JSON object; `undefined` for anything else (invalid JSON, arrays, primitives). */
export function parseJsonObject(text: string): Record<string, any> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, any>) : undefined;
  } catch {
    return undefined;
  }
}
