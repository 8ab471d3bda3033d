import type { IncomingMessage, ServerResponse } from 'node:http';
import { withoutUndefined } from '../core/options.js';
import { authorizeHandshake } from '../server/admission.js';
import { serverInternals, type SignalingServer } from '../server/signaling-server.js';
import { DASHBOARD_CSP, DASHBOARD_HTML, DashboardSeries } from './dashboard.js';
import { OPS_DEFAULTS } from './defaults.js';
import { opsAllowed } from './ops-auth.js';
import { loadMetrics } from './load-metrics.js';
import type { MetricsHandle } from './metrics-handle.js';

/** Which operational routes to serve, and where. Paths are fixed; each route can be turned off. */
export interface OpsRoutesOptions {
  /**
   * `GET /status` (docs/protocols.md). Like `/metrics` and the dashboard it answers only requests the server's
   * auth lets in (see `opsAuthorize`).
   * @default '/status'
   */
  statusPath?: string | false;
  /** `GET /healthz` (process up) and `GET /readyz` (accepting peers). @default true */
  health?: boolean;
  /** `GET /metrics` from these metrics (see `signalroom/metrics`), or a promise of them. @default undefined */
  metrics?: MetricsHandle | Promise<MetricsHandle | undefined> | undefined;
  /** `GET /ice-servers`: TURN credentials for a caller that passes the same checks as an upgrade. @default true */
  iceServers?: boolean;
  /** `GET /dashboard`: a live page of rooms, peers and rates. It shows every peer id: keep it internal. @default false */
  dashboard?: boolean;
}

/** A plain Node request handler: answers one of the ops routes and returns true, or returns false. */
export type OpsHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * The operational HTTP routes, written once against Node's request and response so the standalone server and
 * every adapter serve exactly the same thing.
 */
export function createOpsRoutes(signaling: SignalingServer, options: OpsRoutesOptions = {}): OpsHandler {
  const { statusPath, health, metrics, iceServers, dashboard } = { ...OPS_DEFAULTS.routes, ...withoutUndefined(options) };
  const series = dashboard ? new DashboardSeries(signaling) : undefined;

  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const [path, query] = (request.url ?? '/').split('?', 2);
    if (health && path === '/healthz') return json(response, 200, { status: 'ok' });
    if (health && path === '/readyz') {
      return signaling.ready ? json(response, 200, { status: 'ready' }) : json(response, 503, { status: 'not ready' });
    }
    if (iceServers && path === '/ice-servers') {
      void serveIceServers(signaling, request, response);
      return true;
    }
    const serve = protectedRoute(path);
    if (serve === undefined) return false;
    // These show every peer id and room: only for whoever the server's auth (or opsAuthorize) lets in.
    void opsAllowed(request, signaling.options).then(
      (allowed) => (allowed ? serve(response) : unauthorized(response)),
      (error: unknown) => {
        serverInternals(signaling).coreInternals.reportError(error);
        json(response, 500, { error: 'Internal Server Error' });
      },
    );
    return true;

    function protectedRoute(path: string | undefined): ((response: ServerResponse) => unknown) | undefined {
      if (path === statusPath) return (response) => serveStatus(signaling, new URLSearchParams(query), response);
      if (metrics !== undefined && path === '/metrics') {
        return (response) =>
          Promise.resolve(metrics).then(async (loaded) => {
            if (loaded === undefined) return json(response, 501, { error: 'metrics need prom-client: npm install prom-client' });
            response.writeHead(200, { 'content-type': loaded.contentType, ...COMMON_HEADERS });
            response.end(await loaded.metrics());
          });
      }
      if (series !== undefined && path === '/dashboard') {
        return (response) => {
          response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...COMMON_HEADERS, ...HTML_HEADERS });
          response.end(DASHBOARD_HTML);
        };
      }
      if (series !== undefined && path === '/dashboard/data') return (response) => json(response, 200, series.snapshot());
      return undefined;
    }
  };
}

/** On every answer: never cached (live data), never sniffed into another type. */
const COMMON_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

/**
 * On every HTML answer: the page runs only its own script and style (by hash), talks only to its own origin,
 * and may not be framed (clickjacking) or leak its URL (a `?token=`) through a Referer.
 */
const HTML_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

function unauthorized(response: ServerResponse): void {
  response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer', ...COMMON_HEADERS });
  response.end(JSON.stringify({ error: 'Unauthorized' }));
}

/**
 * `/status` in the console shape, cluster-wide when clustered; `?view=summary` gives counts only and `?room=R` one
 * room's members, so a big cluster's status need not list every id.
 */
async function serveStatus(signaling: SignalingServer, query: URLSearchParams, response: ServerResponse): Promise<void> {
  try {
    const room = query.get('room');
    if (room !== null) return void json(response, 200, { room, members: await signaling.roomMembers(room) });
    if (query.get('view') === 'summary') return void json(response, 200, await signaling.summary());
    json(response, 200, await signaling.clusterStatus());
  } catch (error) {
    // The shared state is out of reach (a cluster whose backplane is down).
    json(response, 503, { error: 'cluster state unavailable', detail: String(error) });
  }
}

async function serveIceServers(signaling: SignalingServer, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (signaling.options.turn === undefined) return void json(response, 404, { error: 'TURN is not configured' });
  try {
    const admission = await authorizeHandshake(request, signaling.options);
    if (admission.refuse !== undefined) return void json(response, admission.refuse, { error: admission.reason });
    const id = admission.identity.id ?? signaling.options.generateId({ kind: 'peer', dialect: undefined });
    json(response, 200, { iceServers: serverInternals(signaling).iceServersFor(id) });
  } catch (error) {
    serverInternals(signaling).coreInternals.reportError(error);
    json(response, 500, { error: 'Internal Server Error' });
  }
}

function json(response: ServerResponse, status: number, body: unknown): true {
  response.writeHead(status, { 'content-type': 'application/json', ...COMMON_HEADERS });
  response.end(JSON.stringify(body));
  return true;
}

/**
 * The operational routes an adapter can mount on your app: every one off unless asked for, because they share
 * your app's public port (`/status` lists every peer id and room).
 */
export interface AdapterOpsOptions {
  /** Path of the JSON status route (every peer id and room), e.g. `'/status'`; `false` mounts none. @default false */
  statusPath?: string | false;
  /** `GET /healthz` and `GET /readyz`. @default false */
  health?: boolean;
  /** `GET /metrics` (Prometheus; needs prom-client installed). @default false */
  metrics?: boolean;
  /** `GET /ice-servers` (TURN credentials, with `turn` configured). @default false */
  iceServers?: boolean;
  /** `GET /dashboard` and `/dashboard/data` (shows every peer id: keep it internal). @default false */
  dashboard?: boolean;
}

/** The defaults of {@link AdapterOpsOptions}: nothing is mounted on an app unless asked for (see OPS_DEFAULTS). */
export const ADAPTER_OPS_DEFAULTS = OPS_DEFAULTS.adapter;

/** The ops handler for an adapter, and the paths it answers (for frameworks that register routes one by one). */
export function adapterOps(signaling: SignalingServer, options: AdapterOpsOptions): { handle: OpsHandler; paths: string[] } {
  const { statusPath, health, metrics, iceServers, dashboard } = { ...OPS_DEFAULTS.adapter, ...withoutUndefined(options) };
  const handle = createOpsRoutes(signaling, {
    statusPath,
    health,
    metrics: metrics ? loadMetrics(signaling) : undefined,
    iceServers,
    dashboard,
  });
  const paths = [
    ...(statusPath === false ? [] : [statusPath]),
    ...(health ? ['/healthz', '/readyz'] : []),
    ...(metrics ? ['/metrics'] : []),
    ...(iceServers ? ['/ice-servers'] : []),
    ...(dashboard ? ['/dashboard', '/dashboard/data'] : []),
  ];
  return { handle, paths };
}
