// Type test (compiled by test/types.test.ts, never run): the package in Node, strict, skipLibCheck: false. The
// client takes `ws`'s WebSocket and Node 22's global one (typed by undici-types, which is how @types/node@22 types
// the global); the server handle and the client close with `await using`.
import http from 'node:http';
import { attachSignaling, SignalingCore, type SignalingOptions } from 'signalroom';
import { expressSignaling, type ExpressAppLike } from 'signalroom/express';
import { SignalingClient, type WebSocketConstructor } from 'signalroom/client';
import type { WebSocket as NodeGlobalWebSocket } from 'undici-types';
import { WebSocket as WsWebSocket } from 'ws';

declare const NodeWebSocket: typeof NodeGlobalWebSocket;

const withWs = new SignalingClient('ws://127.0.0.1:3000/signal', { WebSocket: WsWebSocket });
const withNodeGlobal = new SignalingClient('ws://127.0.0.1:3000/signal', { WebSocket: NodeWebSocket });
const constructors: WebSocketConstructor[] = [WsWebSocket, NodeWebSocket];
withWs.on('error', (error) => console.error(error.code, error.message));

async function scoped(): Promise<void> {
  await using signaling = attachSignaling(http.createServer(), { path: '/signal' });
  await using client = new SignalingClient('ws://127.0.0.1:3000/signal', { WebSocket: WsWebSocket });
  await client.connect({ signal: AbortSignal.timeout(1_000) });
  void signaling.status();
}
// authorizeJoin sees each peer's data as what authenticate gives it, inferred or given as the type argument.
const inferred = attachSignaling(http.createServer(), {
  authenticate: async () => ({ data: { userId: 'ada', teams: ['core'] } }),
  authorizeJoin: ({ peer, room }) => peer.data.teams.includes(room) && peer.data.userId !== '',
});
const userId: string | undefined = inferred.peer('p1')?.data.userId;
const core = new SignalingCore<{ userId: string }>({ authorizeJoin: async ({ peer }) => peer.data.userId.length > 0 });
const explicit = attachSignaling<{ userId: string }>(http.createServer(), { authorizeJoin: ({ peer }) => peer.data.userId !== '' });
// @ts-expect-error: data has no such field
attachSignaling<{ userId: string }>(http.createServer(), { authorizeJoin: ({ peer }) => peer.data.role === 'admin' });
declare const app: ExpressAppLike;
const viaExpress = expressSignaling<{ userId: string }>(app, http.createServer(), { authorizeJoin: ({ peer }) => peer.data.userId !== '' });
// Options typed for one Data still pass where any options are asked for (the Fastify plugin, the standalone server).
const typed: SignalingOptions<{ userId: string }> = { authorizeJoin: ({ peer }) => peer.data.userId !== '' };
const loose: SignalingOptions = typed;

export { withWs, withNodeGlobal, constructors, scoped, userId, core, explicit, viaExpress, loose };
