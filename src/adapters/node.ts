import { describeValue } from '../core/option-checks.js';
import { SignalingServer } from '../server/signaling-server.js';
import type { SignalingOptions } from '../server/options.js';
import { assertAdapterOptions, assertServer } from './checks.js';
import { routeUpgrades, type UpgradableServer } from './upgrade-router.js';
import { routeRequests } from './request-router.js';
import { createPeerjsRoutes } from '../server/peerjs-http.js';

/** Options of {@link attachSignaling}. */
export interface AttachOptions<Data = unknown> extends SignalingOptions<Data> {
  /**
   * The only path whose upgrades this endpoint takes, e.g. `'/signal'`. Unset: every path, as both original
   * servers did. Two attachments on one server need two paths (or one path and one catch-all).
   * @default undefined (every path)
   */
  path?: string;
}

/**
 * Attaches a signaling endpoint to an existing `http.Server` or `https.Server`. Your own routes keep working:
 * signaling only takes WebSocket upgrades (on `options.path`, or on every path).
 *
 * @returns the endpoint: subscribe to its events, read and act on peers and rooms (`send`, `broadcast`, `join`,
 * `leave`, `kick`, `endRoom`, `disconnect`), and `close()` it (1001 to every peer, then detach; idempotent).
 * `Data` types the `data` your `authenticate` hook attaches to each peer.
 *
 * @example
 * import http from 'node:http';
 * import { attachSignaling } from 'signalroom';
 *
 * const server = http.createServer(app);
 * const signaling = attachSignaling(server, { path: '/signal' });
 * signaling.on('room:join', ({ room, peer }) => console.log(`${peer.id} joined ${room.id}`));
 * server.listen(3000);
 */
export function attachSignaling<Data = unknown>(server: UpgradableServer, options: AttachOptions<Data> = {}): SignalingServer<Data> {
  assertServer('attachSignaling(server, options)', server);
  assertAdapterOptions(options, ['path']);
  const { path, ...rest } = options;
  assertPath(path);
  const detachers: Array<() => void> = [];
  const signaling = new SignalingServer<Data>(rest, () => {
    for (const detach of detachers.splice(0)) detach();
  });
  const handle = signaling.handleUpgrade.bind(signaling);
  detachers.push(routeUpgrades(server, path, handle));
  // With a path of its own, the endpoint also takes the paths its dialects live on (the PeerJS socket path,
  // `dialects` keys): they would be unreachable otherwise.
  if (path !== undefined) {
    for (const extra of Object.keys(signaling.options.dialects)) if (extra !== path) detachers.push(routeUpgrades(server, extra, handle));
  }
  if (signaling.options.peerjs !== undefined) {
    const peerjsRoutes = createPeerjsRoutes(signaling as SignalingServer);
    detachers.push(routeRequests(server, (request, response) => !signaling.closed && peerjsRoutes(request, response)));
  }
  return signaling;
}

/** `path` is unset or a path starting with `/`. */
export function assertPath(path: unknown): asserts path is string | undefined {
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw new TypeError(`options.path must start with "/", got ${describeValue(path)}`);
  }
}
