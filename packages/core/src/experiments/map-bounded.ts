/** Maps `items` with at most `limit` calls of `fn` running at once; results keep the items' order. */
export async function mapBounded<Item, Result>(items: readonly Item[], limit: number, fn: (item: Item, index: number) => Promise<Result>): Promise<Result[]> {
  const results = new Array<Result>(items.length);
  let next = 0;
  // Each lane takes the next item when its call ends, so items start in order: a resumed run makes
  // its calls in the same order as the first one did.
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}
