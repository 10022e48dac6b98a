/** Returns the next id for a prefix: `call_1`, `call_2`, `toolu_1`, … Internal. */
export type IdSource = (prefix: string) => string;

/**
 * One counter per prefix and per server, so a test can predict ids (the first Anthropic tool call is
 * `toolu_1` whatever else the server answered) and two servers never interfere.
 */
export function createIdSource(): IdSource {
  const counters = new Map<string, number>();
  return (prefix) => {
    const next = (counters.get(prefix) ?? 0) + 1;
    counters.set(prefix, next);
    return `${prefix}_${next}`;
  };
}
