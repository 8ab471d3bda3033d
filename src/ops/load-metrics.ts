import { MISSING_PEER } from '../optional-peer.js';
import { serverInternals, type SignalingServer } from '../server/signaling-server.js';
import type { MetricsHandle } from './metrics-handle.js';

/**
 * Creates metrics for `signaling` if prom-client (an optional peer dependency) is installed; resolves to
 * `undefined` otherwise. Loaded on demand, so servers without metrics never load prom-client.
 */
export function loadMetrics(signaling: SignalingServer): Promise<MetricsHandle | undefined> {
  return import('./metrics.js').then(
    ({ createMetrics }) => createMetrics(signaling),
    (error: unknown) => {
      // prom-client not installed: metrics are off. Anything else is a bug worth hearing about.
      if ((error as { code?: unknown }).code !== MISSING_PEER) serverInternals(signaling).coreInternals.reportError(error);
      return undefined;
    },
  );
}
