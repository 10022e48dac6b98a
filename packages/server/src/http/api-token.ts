import { createHash, timingSafeEqual } from 'node:crypto';

/** The token in force: the option when given (`null` or `''`: none), else `KEEL_API_TOKEN`. */
export function resolveToken(option: string | null | undefined): string | undefined {
  if (option === null) return undefined;
  if (option !== undefined) return option === '' ? undefined : option;
  return process.env.KEEL_API_TOKEN || undefined;
}

/** The token a request's `Authorization: Bearer <token>` header carries, if it carries one. */
export function bearerTokenOf(header: string | null | undefined): string | undefined {
  return header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
}

/** Compares secrets in constant time (hashing first makes the lengths equal). */
export function sameSecret(given: string, expected: string): boolean {
  const left = createHash('sha256').update(given).digest();
  const right = createHash('sha256').update(expected).digest();
  return timingSafeEqual(left, right);
}
