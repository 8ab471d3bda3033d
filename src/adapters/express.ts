import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeValue } from '../core/option-checks.js';
import { ADAPTER_OPS_DEFAULTS, adapterOps, type AdapterOpsOptions } from '../ops/routes.js';
import type { SignalingServer } from '../server/signaling-server.js';
import { attachSignaling, type AttachOptions } from './node.js';
import { assertAdapterOptions, assertServer } from './checks.js';
import type { UpgradableServer } from './upgrade-router.js';

/** What signalroom needs of an Express app (4 or 5): a way to add middleware. */
export interface ExpressAppLike {
  use(handler: (request: IncomingMessage, response: ServerResponse, next: () => void) => void): unknown;
}

/** Options of {@link expressSignaling}: the signaling options plus which operational routes to mount. */
export interface ExpressSignalingOptions<Data = unknown> extends AttachOptions<Data>, AdapterOpsOptions {}

/**
 * Signaling for an Express 5 (or 4) app. Express never sees WebSocket upgrades, so signaling attaches to the
 * app's `http.Server` (the return value of `app.listen`, or the server you created around the app). The
 * operational routes you turn on (`statusPath: '/status'`, `health`, `metrics`, ...; all off by default) are
 * mounted on the app as ordinary middleware. Your routes and middleware stay untouched; mount it before your 404
 * handler.
 *
 * @example
 * import express from 'express';
 * import { expressSignaling } from 'signalroom/express';
 *
 * const app = express();
 * app.get('/', (req, res) => res.send('my app'));
 * const server = app.listen(3000);
 * const signaling = expressSignaling(app, server, { path: '/signal', statusPath: '/status' });
 * signaling.on('room:join', ({ room, peer }) => console.log(`${peer.id} joined ${room.id}`));
 */
export function expressSignaling<Data = unknown>(
  app: ExpressAppLike,
  server: UpgradableServer,
  options: ExpressSignalingOptions<Data> = {},
): SignalingServer<Data> {
  const call = 'expressSignaling(app, server, options)';
  if (typeof (app as { use?: unknown } | undefined)?.use !== 'function') {
    const looksLikeServer = typeof (app as { listen?: unknown; on?: unknown } | undefined)?.on === 'function';
    throw new TypeError(
      `${call}: app must be the Express app, got ${looksLikeServer ? 'an http.Server: pass the app first, then its server' : describeValue(app)}`,
    );
  }
  assertServer(call, server);
  assertAdapterOptions(options, ['path', ...Object.keys(ADAPTER_OPS_DEFAULTS)]);
  const { statusPath, health, metrics, iceServers, dashboard, ...attachOptions } = options;
  const signaling = attachSignaling(server, attachOptions);
  const ops = adapterOps(signaling, { statusPath, health, metrics, iceServers, dashboard });
  // Express cannot remove middleware, so a closed endpoint passes every request on instead.
  app.use((request, response, next) => {
    if (signaling.closed || !ops.handle(request, response)) next();
  });
  return signaling;
}

export type { SignalingServer } from '../server/signaling-server.js';
