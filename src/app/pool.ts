/**
 * Baton's one worker pool: maps items with at most `limit` calls in flight,
 * keeping their order. Storage and connectors are asked in parallel, but not
 * hundreds at a time: those queue at the service and each then runs into its
 * per-try timeout (and the Bot Connector allows 50 requests a second per tenant).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, call: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await call(items[i]!, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
