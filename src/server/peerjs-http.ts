import type { IncomingMessage, ServerResponse } from 'node:http';
import { serverInternals, type SignalingServer } from './signaling-server.js';

/** What PeerServer answers on `GET <path>/` (its app.json), served as it is. */
export const PEERJS_INFO = {
  name: 'PeerJS Server',
  description: 'A server side element to broker connections between PeerJS clients.',
  website: 'http://peerjs.com/',
};

import type { OpsHandler } from '../ops/routes.js';

/**
 * PeerServer's HTTP API under the configured path: `GET <path>/` (the info document), `GET <path>/<key>/id` (a
 * fresh id, as text) and `GET <path>/<key>/peers` (the connected ids with `allow_discovery`, else 401), with CORS
 * for allowed origins, as the original's `cors({ origin: true })`. Other requests return false, untouched.
 *
 * `attachSignaling` and the adapters mount it for you; call it yourself only to serve the API from another HTTP
 * stack. `root`: whether the info document is served when the path is `/` (the standalone server does; an app's
 * `/` is its own).
 *
 * @example
 * const peerjsApi = createPeerjsRoutes(signaling);
 * http.createServer((req, res) => peerjsApi(req, res) || app(req, res));
 */
export function createPeerjsRoutes(signaling: SignalingServer, { root = false }: { root?: boolean } = {}): OpsHandler {
  const options = signaling.options.peerjs;
  if (options === undefined) return () => false;
  const idPath = `${options.base}/${options.key}/id`;
  const peersPath = `${options.base}/${options.key}/peers`;
  const infoPaths = new Set(options.base === '' ? (root ? ['/'] : []) : [options.base, `${options.base}/`]);

  return (request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0] as string;
    if (path !== idPath && path !== peersPath && !infoPaths.has(path)) return false;
    if (request.method === 'OPTIONS') {
      response.writeHead(204, { ...cors(signaling, request), 'access-control-allow-methods': 'GET,HEAD', 'content-length': '0' });
      response.end();
      return true;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const headers = { ...cors(signaling, request), 'cache-control': 'no-store' };
    if (path === idPath) {
      response.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' });
      response.end(freshId(signaling, options.generateClientId));
    } else if (path === peersPath) {
      if (!options.allow_discovery) {
        response.writeHead(401, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
        response.end('Unauthorized');
      } else {
        void listPeers(signaling).then(
          (ids) => send(response, 200, headers, ids),
          () => send(response, 503, headers, { error: 'cluster state unavailable' }),
        );
      }
    } else {
      send(response, 200, headers, PEERJS_INFO);
    }
    return true;
  };
}

/** A new id from `generateClientId`, never one connected here (as the original's loop). */
function freshId(signaling: SignalingServer, generate: () => string): string {
  let id = generate();
  for (let tries = 0; serverInternals(signaling).coreInternals.hasLocal(id) && tries < 100; tries++) id = generate();
  return id;
}

/** The ids a discovering client sees: this node's PeerJS clients, or every peer of the cluster. */
async function listPeers(signaling: SignalingServer): Promise<string[]> {
  if (signaling.nodeId === undefined) return serverInternals(signaling).peerjsClientIds();
  return (await signaling.clusterStatus()).clients;
}

/** `Access-Control-Allow-Origin` for an allowed origin (every origin unless `allowedOrigins` is set). */
function cors(signaling: SignalingServer, request: IncomingMessage): Record<string, string> {
  const origin = request.headers.origin;
  if (origin === undefined) return {};
  const allowed = signaling.options.allowedOrigins;
  const ok = allowed === undefined || (typeof allowed === 'function' ? allowed(origin) : allowed.includes(origin));
  return ok ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  response.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}
