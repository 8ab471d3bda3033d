import { attachSignaling, type AttachOptions } from './node.js';
import type { UpgradableServer } from './upgrade-router.js';
import type { SignalingServer } from '../transport/signaling-server.js';

/** What signalroom needs of an Express app (4 or 5): a way to add a GET route. */
export interface ExpressAppLike {
  get(
    path: string,
    handler: (request: unknown, response: { json(body: unknown): unknown }, next: () => void) => void,
  ): unknown;
}

/** Options of {@link expressSignaling}. */
export interface ExpressSignalingOptions extends AttachOptions {
  /** Path of the JSON status route mounted on the app; `false` mounts none. @default '/status' */
  statusPath?: string | false;
}

/**
 * Signaling for an Express 5 (or 4) app. Express never sees WebSocket upgrades, so signaling attaches to the
 * app's `http.Server` (the return value of `app.listen`, or the server you created around the app) and mounts
 * `GET /status` on the app as an ordinary route. Your routes and middleware stay untouched; mount it before
 * your 404 handler so `/status` is reachable.
 *
 * @example
 * import express from 'express';
 * import { expressSignaling } from 'signalroom/express';
 *
 * const app = express();
 * app.get('/', (req, res) => res.send('my app'));
 * const server = app.listen(3000);
 * const signaling = expressSignaling(app, server, { path: '/signal' });
 * signaling.on('room:join', ({ room, peer }) => console.log(`${peer.id} joined ${room.id}`));
 */
export function expressSignaling(
  app: ExpressAppLike,
  server: UpgradableServer,
  options: ExpressSignalingOptions = {},
): SignalingServer {
  const { statusPath = '/status', ...attachOptions } = options;
  const signaling = attachSignaling(server, attachOptions);
  if (statusPath !== false) {
    // Express cannot remove a route, so a closed endpoint passes the request on instead.
    app.get(statusPath, (_request, response, next) => (signaling.closed ? next() : response.json(signaling.status())));
  }
  return signaling;
}

export type { SignalingServer } from '../transport/signaling-server.js';
