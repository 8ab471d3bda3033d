import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachSignaling, type AttachOptions } from './adapters/node.js';
import type { SignalingServer } from './transport/signaling-server.js';

/** Options of {@link createStandaloneServer}: the signaling options plus where `/status` is served. */
export interface StandaloneOptions extends AttachOptions {
  /** Path of the JSON status document. @default '/status' */
  statusPath?: string;
}

/** A ready-made HTTP server with signaling on every path (or `options.path`) and `GET /status`. */
export interface StandaloneServer {
  readonly server: http.Server;
  readonly signaling: SignalingServer;
  /** Starts listening; resolves with the bound address (pass port 0 for a free port). */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Closes every peer with 1001, then the HTTP server. Idempotent. */
  close(): Promise<void>;
}

/**
 * The standalone server that `npx signalroom` runs, as a function, for embedding it in your own process
 * or tests.
 *
 * @example
 * const { listen, close } = createStandaloneServer({ maxPeersPerRoom: 4 });
 * const { port } = await listen(0, '127.0.0.1');
 */
export function createStandaloneServer(options: StandaloneOptions = {}): StandaloneServer {
  const { statusPath = '/status', ...attachOptions } = options;
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (path === statusPath && (request.method === 'GET' || request.method === 'HEAD')) {
      const body = JSON.stringify(signaling.status());
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end(`signalroom: WebSocket signaling endpoint; status at ${statusPath}\n`);
  });
  const signaling = attachSignaling(server, attachOptions);
  let closing: Promise<void> | undefined;

  return {
    server,
    signaling,
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
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}
