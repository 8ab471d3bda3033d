import type { Counter, Registry } from 'prom-client';
import { requireOptionalPeer } from '../optional-peer.js';
import { serverInternals, type SignalingServer } from '../server/signaling-server.js';
import { countedHistogram } from './counted-histogram.js';
import type { MetricsHandle } from './metrics-handle.js';

// prom-client is an optional peer dependency: without it, importing this subpath says what to install.
const prom = requireOptionalPeer<typeof import('prom-client')>('prom-client', 'signalroom/metrics');

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Register into this registry (e.g. prom-client's global `register`). @default a new Registry */
  registry?: Registry;
  /** Prefix of every metric name. @default 'signalroom_' */
  prefix?: string;
}

/** Prometheus metrics of one signaling endpoint. */
export interface SignalingMetrics extends MetricsHandle {
  readonly registry: Registry;
}

/** A counter whose value is read from a running total at scrape time. */
function totalCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly string[],
  read: (set: (labels: Record<string, string>, value: number) => void) => void,
): Counter<string> {
  return new prom.Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      read((labels, value) => {
        if (value > 0) this.inc(labels, value);
      });
    },
  });
}

/**
 * Prometheus metrics through prom-client (an optional peer dependency, loaded only by this subpath). The core
 * only counts; this reads its totals at scrape time, so the hot path pays one increment per event. Message
 * handling time is measured only while metrics exist.
 *
 * @example
 * import { createMetrics } from 'signalroom/metrics';
 * const metrics = createMetrics(signaling);
 * app.get('/metrics', async (req, res) => res.type(metrics.contentType).send(await metrics.metrics()));
 */
export function createMetrics(signaling: SignalingServer, options: MetricsOptions = {}): SignalingMetrics {
  const registry = options.registry ?? new prom.Registry();
  const p = options.prefix ?? 'signalroom_';
  const { core } = serverInternals(signaling);
  const stats = core.stats;

  const gauge = (name: string, help: string, read: () => number) =>
    new prom.Gauge({ name: p + name, help, registers: [registry], collect() { this.set(read()); } });
  const names = [
    p + 'connections',
    p + 'peers',
    p + 'rooms',
    p + 'backplane_up',
    p + 'connects_total',
    p + 'joins_total',
    p + 'leaves_total',
    p + 'signals_relayed_total',
    p + 'errors_total',
    p + 'disconnects_total',
    p + 'message_handling_seconds',
  ];

  gauge('connections', 'Open WebSocket connections.', () => signaling.connectionCount);
  gauge('peers', 'Connected peers (including peers within their resume grace period).', () => core.peerCount);
  gauge('rooms', 'Rooms that exist.', () => core.roomCount);
  gauge('backplane_up', '1 while the backplane is connected (always 1 on a single node).', () => (signaling.ready ? 1 : 0));
  totalCounter(registry, p + 'connects_total', 'Peers that connected.', [], (set) => set({}, stats.connects));
  totalCounter(registry, p + 'joins_total', 'Room joins.', [], (set) => set({}, stats.joins));
  totalCounter(registry, p + 'leaves_total', 'Room leaves, by reason.', ['reason'], (set) => {
    for (const [reason, n] of Object.entries(stats.leaves)) set({ reason }, n);
  });
  totalCounter(registry, p + 'signals_relayed_total', 'Signals relayed, by type (application types count as other).', ['type'], (set) => {
    for (const [type, n] of stats.signals) set({ type }, n);
  });
  totalCounter(registry, p + 'errors_total', 'Errors answered to clients, by code.', ['code'], (set) => {
    for (const [code, n] of stats.errors) set({ code }, n);
  });
  totalCounter(registry, p + 'disconnects_total', 'Peers that disconnected, by reason.', ['reason'], (set) => {
    for (const [reason, n] of stats.disconnects) set({ reason }, n);
  });
  // Observed once per client frame: counted in plain numbers, handed to prom-client when scraped.
  const handling = countedHistogram(prom, {
    registry,
    name: p + 'message_handling_seconds',
    help: 'Time to handle one client frame (decode, route, encode, write).',
    buckets: [0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.005, 0.025],
  });
  serverInternals(signaling).observeMessageHandling((seconds) => handling.observe(seconds));

  return {
    registry,
    contentType: registry.contentType,
    metrics: () => registry.metrics(),
    close: () => {
      serverInternals(signaling).observeMessageHandling(undefined);
      for (const name of names) registry.removeSingleMetric(name);
    },
  };
}
