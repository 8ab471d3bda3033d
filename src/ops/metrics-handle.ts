/**
 * What serves `GET /metrics`, without naming prom-client's types: the main entry's declarations must type-check
 * in a project that has not installed prom-client. `signalroom/metrics` gives the full `SignalingMetrics`.
 */
export interface MetricsHandle {
  /** The exposition text, as `GET /metrics` serves it. */
  metrics(): Promise<string>;
  /** The `content-type` of {@link MetricsHandle.metrics}. */
  readonly contentType: string;
  /** Stops timing message handling and removes the metrics from their registry. */
  close(): void;
}
