import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { pathnameOf, rejectUpgrade } from '../transport/signaling-server.js';

type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** A server that emits `'upgrade'`: `http.Server`, `https.Server` (and `http2` with `allowHTTP1`). */
export type UpgradableServer = HttpServer | HttpsServer;

interface Route {
  /** `undefined` matches every path. */
  readonly path: string | undefined;
  readonly handle: UpgradeHandler;
}

/**
 * One `'upgrade'` listener per HTTP server, shared by every signaling endpoint attached to it, so two endpoints
 * on two paths never both answer one request. An exact path wins over a catch-all. An upgrade no endpoint
 * claims is answered 404, unless someone else also listens for upgrades on that server (then it is theirs).
 */
class UpgradeRouter {
  readonly #routes: Route[] = [];
  readonly #listener: UpgradeHandler;

  constructor(private readonly server: UpgradableServer) {
    this.#listener = (request, socket, head) => this.#dispatch(request, socket, head);
    server.on('upgrade', this.#listener);
  }

  add(route: Route): () => void {
    if (this.#routes.some((existing) => existing.path === route.path)) {
      throw new TypeError(`signaling is already attached to this server on ${route.path ?? 'every path'}`);
    }
    this.#routes.push(route);
    return () => {
      this.#routes.splice(this.#routes.indexOf(route), 1);
      if (this.#routes.length === 0) {
        this.server.off('upgrade', this.#listener);
        routers.delete(this.server);
      }
    };
  }

  #dispatch(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = pathnameOf(request);
    const route =
      this.#routes.find((candidate) => candidate.path === path) ??
      this.#routes.find((candidate) => candidate.path === undefined);
    if (route !== undefined) return route.handle(request, socket, head);
    if (this.server.listenerCount('upgrade') === 1) rejectUpgrade(socket, 404, 'Not Found');
  }
}

const routers = new WeakMap<UpgradableServer, UpgradeRouter>();

/** Routes `server`'s upgrades on `path` (every path when `undefined`) to `handle`; returns the detach function. */
export function routeUpgrades(server: UpgradableServer, path: string | undefined, handle: UpgradeHandler): () => void {
  let router = routers.get(server);
  if (router === undefined) {
    router = new UpgradeRouter(server);
    routers.set(server, router);
  }
  return router.add({ path, handle });
}
