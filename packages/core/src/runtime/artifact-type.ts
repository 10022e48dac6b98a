/** The artifact type a value gets when `save()` is not told one. */
export function artifactTypeOf(value: unknown): string {
  if (typeof value === 'string') return 'text';
  if (value instanceof Uint8Array) return 'binary';
  return 'json';
}
