import type { SignalingServer } from '../transport/signaling-server.js';
import type { SignalingMetrics } from './metrics.js';

/**
 * Creates metrics for `signaling` if prom-client (an optional peer dependency) is installed; resolves to
 * `undefined` otherwise. Loaded on demand, so servers without metrics never load prom-client.
 */
export function loadMetrics(signaling: SignalingServer): Promise<SignalingMetrics | undefined> {
  return import('./metrics.js').then(
    ({ createMetrics }) => createMetrics(signaling),
    () => undefined,
  );
}
