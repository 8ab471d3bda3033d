/** How {@link SignalingClient} reconnects. */
export interface ReconnectOptions {
  /** Delay before the first retry, in ms. @default 500 */
  initialDelay?: number;
  /** Longest delay between retries, in ms. @default 10000 */
  maxDelay?: number;
  /** Growth of the delay per attempt. @default 2 */
  factor?: number;
  /** Random share of each delay (0 to 1), so clients dropped together do not return together. @default 0.5 */
  jitter?: number;
  /** Attempts before giving up. @default Infinity */
  maxAttempts?: number;
}

export function resolveReconnect(options: ReconnectOptions = {}): Required<ReconnectOptions> {
  return {
    initialDelay: options.initialDelay ?? 500,
    maxDelay: options.maxDelay ?? 10_000,
    factor: options.factor ?? 2,
    jitter: options.jitter ?? 0.5,
    maxAttempts: options.maxAttempts ?? Number.POSITIVE_INFINITY,
  };
}

/** Exponential backoff with jitter: attempt 1 waits about `initialDelay`, each next one `factor` times more. */
export function backoffDelay(attempt: number, options: Required<ReconnectOptions>, random: () => number = Math.random): number {
  const base = Math.min(options.maxDelay, options.initialDelay * options.factor ** (attempt - 1));
  return Math.round(base * (1 - options.jitter * random()));
}
