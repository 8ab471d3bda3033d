import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type fastifyPluginFunction from 'fastify-plugin';
import { requireOptionalPeer } from '../optional-peer.js';
import { ADAPTER_OPS_DEFAULTS, adapterOps, type AdapterOpsOptions } from '../ops/routes.js';
import { assertAdapterOptions } from './checks.js';
import { assertPath } from './node.js';
import type { SignalingOptions } from '../server/options.js';
import { SignalingServer } from '../server/signaling-server.js';
import { routeUpgrades } from './upgrade-router.js';
import { createPeerjsRoutes } from '../server/peerjs-http.js';

/** Options of the {@link signalroom} Fastify plugin. */
export interface SignalroomFastifyOptions extends SignalingOptions, AdapterOpsOptions {
  /** The path whose WebSocket upgrades become signaling peers. @default '/signal' */
  path?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The signaling endpoint registered by `signalroom/fastify`. */
    signaling: SignalingServer;
  }
}

// fastify-plugin is an optional peer dependency: without it, importing this subpath says what to install.
const fastifyPlugin = requireOptionalPeer<typeof fastifyPluginFunction>('fastify-plugin', 'signalroom/fastify');

/** The socket and head of an upgrade request, parked on the raw request while Fastify routes it. */
const kUpgrade = Symbol('signalroom.upgrade');
type UpgradingRequest = IncomingMessage & { [kUpgrade]?: { socket: Duplex; head: Buffer } };

/** Options `fastify.register` itself reads; they arrive in a plugin's options as well. */
const FASTIFY_REGISTER_KEYS: readonly string[] = ['prefix', 'logLevel', 'logSerializers'];

const plugin: FastifyPluginAsync<SignalroomFastifyOptions> = async (fastify: FastifyInstance, options) => {
  // Fastify's own register options (prefix, logLevel, ...) may be there too: they are Fastify's, not ours.
  assertAdapterOptions(options, ['path', ...Object.keys(ADAPTER_OPS_DEFAULTS), ...FASTIFY_REGISTER_KEYS]);
  const { path = '/signal', statusPath, health, metrics, iceServers, dashboard, ...rest } = options;
  assertPath(path);
  const signalingOptions = Object.fromEntries(
    Object.entries(rest).filter(([key]) => !FASTIFY_REGISTER_KEYS.includes(key)),
  ) as SignalingOptions;
  let detach = (): void => {};
  const signaling = new SignalingServer(signalingOptions, () => detach());
  fastify.decorate('signaling', signaling);

  // Upgrades go through Fastify's own router, so `onRequest` hooks (auth, rate limits) can refuse them. The
  // paths the dialects live on (the PeerJS socket path, `dialects` keys) are routed as `path` is.
  const paths = [path, ...Object.keys(signaling.options.dialects).filter((extra) => extra !== path)];
  const detachers = paths.map((route) =>
    routeUpgrades(fastify.server, route, (request: UpgradingRequest, socket, head) => {
      request[kUpgrade] = { socket, head };
      const response = new ServerResponse(request);
      response.assignSocket(socket as Socket);
      fastify.routing(request, response);
    }),
  );
  detach = () => {
    for (const undo of detachers) undo();
  };

  for (const route of paths) {
    fastify.get(route, (request, reply) => {
      const upgrade = (request.raw as UpgradingRequest)[kUpgrade];
      if (upgrade === undefined) return reply.code(426).header('upgrade', 'websocket').send({ error: 'Upgrade Required' });
      reply.hijack();
      signaling.handleUpgrade(request.raw, upgrade.socket, upgrade.head);
    });
  }

  // PeerServer's HTTP API, as Fastify routes under its path.
  const peerjs = signaling.options.peerjs;
  if (peerjs !== undefined) {
    const peerjsRoutes = createPeerjsRoutes(signaling);
    const infoPaths = peerjs.base === '' ? [] : [peerjs.base, `${peerjs.base}/`];
    for (const url of [`${peerjs.base}/${peerjs.key}/id`, `${peerjs.base}/${peerjs.key}/peers`, ...infoPaths]) {
      fastify.route({
        method: ['GET', 'HEAD', 'OPTIONS'],
        url,
        handler: (request, reply) => {
          reply.hijack();
          if (!peerjsRoutes(request.raw, reply.raw)) reply.raw.writeHead(404).end();
        },
      });
    }
  }

  // A hook that answered the upgrade (401, 403, ...) has written a plain HTTP response: close the socket.
  fastify.addHook('onResponse', async (request) => {
    (request.raw as UpgradingRequest)[kUpgrade]?.socket.destroy();
  });

  // The operational routes are the same handler the standalone server uses, registered as Fastify routes.
  const ops = adapterOps(signaling, { statusPath, health, metrics, iceServers, dashboard });
  for (const route of ops.paths) {
    fastify.get(route, (request, reply) => {
      reply.hijack();
      ops.handle(request.raw, reply.raw);
    });
  }
  fastify.addHook('preClose', () => signaling.close());
};

/**
 * The Fastify 5 plugin: WebSocket signaling on `path`, `fastify.signaling` for events and the server-side API,
 * the operational routes you turn on (`statusPath: '/status'`, `health`, ...; all off by default), closed (1001
 * to every peer) by `fastify.close()`. Upgrades pass through Fastify's hooks, so an
 * `onRequest` hook can refuse one.
 *
 * @example
 * import Fastify from 'fastify';
 * import signalroom from 'signalroom/fastify';
 *
 * const app = Fastify();
 * await app.register(signalroom, { path: '/signal' });
 * app.signaling.on('room:join', ({ room, peer }) => app.log.info(`${peer.id} joined ${room.id}`));
 * await app.listen({ port: 3000 });
 */
export const signalroom: FastifyPluginAsync<SignalroomFastifyOptions> = fastifyPlugin(plugin, { fastify: '5.x', name: 'signalroom' });
export default signalroom;
export type { SignalingServer } from '../server/signaling-server.js';
