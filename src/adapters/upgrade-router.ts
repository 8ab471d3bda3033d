import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { pathnameOf, rejectUpgrade } from '../transport/upgrades.js';

type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** A server that emits `'upgrade'`: `http.Server`, `https.Server` (and `http2` with `allowHTTP1`). */
export type UpgradableServer = HttpServer | HttpsServer;

interface Route {
  /** `undefined` matches every path. */
  readonly path: string | undefined;
  readonly handle: UpgradeHandler;
}

/**
 * One router per HTTP server, shared by every signaling endpoint attached to it, so two endpoints on two paths
 * never both answer one request. An exact path wins over a catch-all.
 *
 * An upgrade on one of our paths is ours alone: other `'upgrade'` listeners never see it. That is what lets
 * signalroom sit beside a `ws` server created with `{ server, path }`, which answers 400 to every upgrade on a
 * path it does not own (attached before us, it would refuse our peers; attached after us, it would write its 400
 * into the socket we just upgraded). So the router intercepts the server's `emit('upgrade')`, whatever order the
 * listeners were added in, and passes every upgrade it does not claim on untouched, as socket.io does.
 * An upgrade nobody listens for is answered 404.
 */
class UpgradeRouter {
  readonly #routes: Route[] = [];
  /** Keeps Node emitting `'upgrade'` (it destroys upgrade sockets with no listener) and answers unclaimed ones. */
  readonly #fallback: UpgradeHandler;
  readonly #emit: UpgradableServer['emit'];
  /** The server's own `emit` property before ours, if it had one (someone else's wrapper). */
  readonly #ownEmit: PropertyDescriptor | undefined;
  /** Paths of endpoints that closed: an upgrade there after the last one closed is answered 503. */
  readonly #closedPaths = new Set<string | undefined>();

  constructor(private readonly server: UpgradableServer) {
    this.#fallback = (_request, socket) => {
      if (this.server.listenerCount('upgrade') === 1) rejectUpgrade(socket, 404, 'Not Found');
    };
    this.#ownEmit = Object.getOwnPropertyDescriptor(server, 'emit');
    const late = lateAnswers.get(server);
    if (late !== undefined) {
      server.off('upgrade', late.listener);
      lateAnswers.delete(server);
      for (const path of late.paths) this.#closedPaths.add(path);
    }
    const emit = server.emit;
    const router = this;
    // Every event of the server passes here (a 'connection' per socket): `arguments` handed on as it is, no copy.
    this.#emit = function (this: UpgradableServer, event: string | symbol, request?: unknown, socket?: unknown, head?: unknown): boolean {
      if (event === 'upgrade' && router.#claim(request as IncomingMessage, socket as Duplex, head as Buffer)) return true;
      // eslint-disable-next-line prefer-rest-params
      return Reflect.apply(emit, this, arguments) as boolean;
    } as UpgradableServer['emit'];
    server.emit = this.#emit;
    server.on('upgrade', this.#fallback);
  }

  add(route: Route): () => void {
    if (this.#routes.some((existing) => existing.path === route.path)) {
      throw new TypeError(`signaling is already attached to this server on ${route.path ?? 'every path'}`);
    }
    this.#routes.push(route);
    this.#closedPaths.delete(route.path);
    return () => {
      this.#routes.splice(this.#routes.indexOf(route), 1);
      this.#closedPaths.add(route.path);
      if (this.#routes.length === 0) this.#detach();
    };
  }

  #detach(): void {
    this.server.off('upgrade', this.#fallback);
    routers.delete(this.server);
    answerAfterClose(this.server, this.#closedPaths);
    // Someone wrapped emit after us: ours stays inside theirs, and with no routes it passes everything on.
    if (this.server.emit !== this.#emit) return;
    if (this.#ownEmit === undefined) delete (this.server as { emit?: unknown }).emit;
    else Object.defineProperty(this.server, 'emit', this.#ownEmit);
  }

  /** Hands an upgrade on one of our paths to its endpoint; false when it is not ours. */
  #claim(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (this.#routes.length === 0) return false;
    const path = pathnameOf(request);
    let catchAll: Route | undefined;
    for (const route of this.#routes) {
      if (route.path === path) {
        route.handle(request, socket, head);
        return true;
      }
      if (route.path === undefined) catchAll = route;
    }
    if (catchAll === undefined) return false;
    catchAll.handle(request, socket, head);
    return true;
  }
}

const routers = new WeakMap<UpgradableServer, UpgradeRouter>();
/** Servers whose endpoints all closed, with the listener that still answers upgrades on their paths. */
const lateAnswers = new WeakMap<UpgradableServer, { listener: UpgradeHandler; paths: ReadonlySet<string | undefined> }>();

/**
 * Once the last endpoint of a server has closed, an upgrade on one of its paths is answered 503 rather than
 * left to Node, which hands an upgrade nobody listens for to the request handler (and, on a server without
 * one, never answers it). Only while nobody else listens for upgrades: a `ws` server left alone answers its own.
 */
function answerAfterClose(server: UpgradableServer, paths: ReadonlySet<string | undefined>): void {
  if (paths.size === 0) return;
  const listener: UpgradeHandler = (request, socket) => {
    if (server.listenerCount('upgrade') !== 1) return;
    const path = pathnameOf(request);
    const ours = paths.has(undefined) || paths.has(path);
    rejectUpgrade(socket, ours ? 503 : 404, ours ? 'Service Unavailable' : 'Not Found');
  };
  lateAnswers.set(server, { listener, paths: new Set(paths) });
  server.on('upgrade', listener);
}

/** Routes `server`'s upgrades on `path` (every path when `undefined`) to `handle`; returns the detach function. */
export function routeUpgrades(server: UpgradableServer, path: string | undefined, handle: UpgradeHandler): () => void {
  let router = routers.get(server);
  if (router === undefined) {
    router = new UpgradeRouter(server);
    routers.set(server, router);
  }
  return router.add({ path, handle });
}
