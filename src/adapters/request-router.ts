import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UpgradableServer } from './upgrade-router.js';

/** Answers a request and returns true, or returns false to leave it to the app. */
export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

const routers = new WeakMap<UpgradableServer, RequestHandler[]>();

/**
 * Lets `handle` answer a server's HTTP requests before the app's own `'request'` listener sees them (the PeerJS
 * HTTP API lives under a path of the app's server, as `ExpressPeerServer` puts it there). Requests it does not
 * answer reach the app untouched. Like the upgrade router, it intercepts the server's `emit`, so the order
 * listeners were added in does not matter. Returns the function that removes it.
 */
export function routeRequests(server: UpgradableServer, handle: RequestHandler): () => void {
  let handlers = routers.get(server);
  if (handlers === undefined) {
    const list: RequestHandler[] = [];
    handlers = list;
    routers.set(server, list);
    const emit = server.emit;
    server.emit = function (this: UpgradableServer, event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'request' && list.some((handler) => handler(...(args as [IncomingMessage, ServerResponse])))) return true;
      return (emit as (this: UpgradableServer, event: string | symbol, ...rest: unknown[]) => boolean).call(this, event, ...args);
    } as UpgradableServer['emit'];
  }
  const list = handlers;
  list.push(handle);
  return () => {
    const at = list.indexOf(handle);
    if (at !== -1) list.splice(at, 1);
  };
}
