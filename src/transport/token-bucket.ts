/**
 * Token buckets kept as two small integers on their owner (a budget in thousandths of a token, and the last
 * time it was refilled in whole milliseconds), so a connection's rate limits cost no objects of their own.
 * A rate of `rate` tokens per second is `rate` thousandths per millisecond.
 */
export const TOKEN = 1000;

/**
 * Reads whole milliseconds of a monotonic clock. Budgets take one (defaulting to {@link nowMs}) so a test can
 * move time itself and check them exactly, without waiting.
 */
export type Clock = () => number;

/** Whole milliseconds of a monotonic clock: differences of these add up exactly, however often it is read. */
export function nowMs(): number {
  return Math.floor(performance.now());
}

/** The budget after `elapsedMs` at `rate` tokens per second, capped at `burst` tokens (all in thousandths). */
export function refill(budget: number, elapsedMs: number, rate: number, burst: number): number {
  const next = budget + Math.floor(elapsedMs * rate);
  const capacity = burst * TOKEN;
  return next > capacity ? capacity : next;
}
