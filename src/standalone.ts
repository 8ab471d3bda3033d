import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertAdapterOptions } from './adapters/checks.js';
import { assertInteger } from './core/options.js';
import { attachSignaling, type AttachOptions } from './adapters/node.js';
import { loadMetrics } from './ops/load-metrics.js';
import type { MetricsHandle } from './ops/metrics-handle.js';
import { OPS_DEFAULTS } from './ops/defaults.js';
import { createOpsRoutes } from './ops/routes.js';
import { createPeerjsRoutes } from './server/peerjs-http.js';
import type { SignalingServer } from './server/signaling-server.js';

/** Options of {@link createStandaloneServer}: the signaling options plus its HTTP routes. */
export interface StandaloneOptions extends AttachOptions {
  /** Path of the JSON status document (every peer id and room); `false` serves none. @default '/status' */
  statusPath?: string | false;
  /** `GET /metrics` (Prometheus; needs prom-client installed). @default true */
  metrics?: boolean;
  /** `GET /dashboard`, a live page of rooms, peers and rates (shows peer ids: keep the port internal). @default true */
  dashboard?: boolean;
  /**
   * Milliseconds a client has to send a request's headers (an upgrade included); a slower one (slowloris) gets
   * 408 and is closed. Node's default is 60 s, checked only every 30 s.
   * @default 10000
   */
  headersTimeout?: number;
  /** Milliseconds a client has to send a whole HTTP request; over it, 408 and closed. @default 30000 */
  requestTimeout?: number;
  /**
   * TCP connections that may be open on top of `maxConnections` (requests in progress, upgrades not yet done,
   * idle keep-alive sockets). Beyond that total, Node closes a new socket at once, before reading a byte, so
   * half-open upgrades cannot use up the process's file descriptors.
   * @default 1000
   */
  maxPendingConnections?: number;
}

/** The defaults of the standalone server's own HTTP limits (see {@link StandaloneOptions}). */
export const STANDALONE_HTTP_DEFAULTS = { headersTimeout: 10_000, requestTimeout: 30_000, maxPendingConnections: 1000 };

/** A ready-made HTTP server with signaling and its operational routes. */
export interface StandaloneServer {
  readonly server: http.Server;
  readonly signaling: SignalingServer;
  /** The metrics, once loaded; `undefined` when off or when prom-client is not installed. */
  readonly metrics: Promise<MetricsHandle | undefined>;
  /** Starts listening; resolves with the bound address (pass port 0 for a free port). */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Closes every peer with 1001, then the HTTP server. Idempotent. */
  close(): Promise<void>;
}

/**
 * The standalone server that `npx signalroom` runs, as a function, for embedding it in your own process or
 * tests: signaling on every path (or `options.path`), `GET /status`, `/healthz`, `/readyz`, `/metrics`,
 * `/ice-servers` and `/dashboard`.
 *
 * @example
 * const { listen, close } = createStandaloneServer({ maxPeersPerRoom: 4 });
 * const { port } = await listen(0, '127.0.0.1');
 */
export function createStandaloneServer(options: StandaloneOptions = {}): StandaloneServer {
  assertAdapterOptions(options, ['path', 'statusPath', 'metrics', 'dashboard', ...Object.keys(STANDALONE_HTTP_DEFAULTS)]);
  const {
    statusPath = OPS_DEFAULTS.standalone.statusPath,
    metrics: withMetrics = OPS_DEFAULTS.standalone.metrics,
    dashboard = OPS_DEFAULTS.standalone.dashboard,
    headersTimeout = STANDALONE_HTTP_DEFAULTS.headersTimeout,
    requestTimeout = STANDALONE_HTTP_DEFAULTS.requestTimeout,
    maxPendingConnections = STANDALONE_HTTP_DEFAULTS.maxPendingConnections,
    ...attachOptions
  } = options;
  assertInteger('headersTimeout', headersTimeout, 1);
  assertInteger('requestTimeout', requestTimeout, 1);
  assertInteger('maxPendingConnections', maxPendingConnections, 0);
  const limits = {
    headersTimeout,
    // Node requires requestTimeout >= headersTimeout.
    requestTimeout: Math.max(requestTimeout, headersTimeout),
    // Node checks these timeouts on this interval (30 s by default), so a short timeout needs a short check.
    connectionsCheckingInterval: Math.min(1000, headersTimeout),
  };
  const server = http.createServer(limits, (request, response) => {
    if (ops(request, response) || peerjsRoot(request, response)) return;
    response.writeHead(404, { 'content-type': 'text/plain', 'x-content-type-options': 'nosniff' });
    response.end(`signalroom: WebSocket signaling endpoint${statusPath === false ? '' : `; status at ${statusPath}`}\n`);
  });
  const signaling = attachSignaling(server, attachOptions);
  // Upgraded sockets stay counted by Node's server, so this bounds every descriptor it holds.
  server.maxConnections = signaling.options.maxConnections + maxPendingConnections;
  const metrics = withMetrics ? loadMetrics(signaling) : Promise.resolve(undefined);
  const ops = createOpsRoutes(signaling, { statusPath, metrics: withMetrics ? metrics : undefined, dashboard });
  // With PeerJS at `/`, `GET /` is PeerServer's info document, as with `peerjs` (an app's `/` stays its own).
  const peerjsRoot = createPeerjsRoutes(signaling, { root: true });
  let closing: Promise<void> | undefined;

  return {
    server,
    signaling,
    metrics,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close: () =>
      (closing ??= (async () => {
        await signaling.close();
        (await metrics)?.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}
