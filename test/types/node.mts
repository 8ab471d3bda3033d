// Type test (compiled by test/types.test.ts, never run): the package in Node, strict, skipLibCheck: false. The
// client takes `ws`'s WebSocket and Node 22's global one (typed by undici-types, which is how @types/node@22 types
// the global); the server handle and the client close with `await using`.
import http from 'node:http';
import { attachSignaling } from 'signalroom';
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
export { withWs, withNodeGlobal, constructors, scoped };
