import { assertKnownKeys, describeValue } from '../core/option-checks.js';

/**
 * Options of the PeerJS endpoint, under the names the `peer` package's PeerServer gives them (its README and
 * `src/config`), with its defaults. Give `peerjs: {}` for a PeerServer with every default.
 *
 * @example
 * attachSignaling(server, { peerjs: { path: '/myapp', key: 'peerjs', allow_discovery: true } });
 * // the peerjs client: new Peer({ host: 'example.com', port: 443, path: '/myapp' })
 */
export interface PeerServerOptions {
  /** The key clients connect with (`?key=`, and the first segment of the HTTP API). @default 'peerjs' */
  key?: string;
  /**
   * Where the server lives: the HTTP API under it (`GET <path>/<key>/id`, ...) and the WebSocket at
   * `<path>/peerjs`, as `peerjs --path` does. The client's `path` option is the same value.
   * @default '/'
   */
  path?: string;
  /** Milliseconds a message for a peer that is not connected yet waits; then its sender gets `EXPIRE`. @default 5000 */
  expire_timeout?: number;
  /** Milliseconds a client may go without sending anything (it sends `HEARTBEAT` every 5 s) before it is cut. @default 60000 */
  alive_timeout?: number;
  /** Most PeerJS clients on this server (on this node, in a cluster); one more gets `ERROR` and is closed. @default 5000 */
  concurrent_limit?: number;
  /** Whether `GET <path>/<key>/peers` lists the connected ids (otherwise 401). @default false */
  allow_discovery?: boolean;
  /** Makes the ids `GET <path>/<key>/id` hands out. @default crypto.randomUUID */
  generateClientId?: () => string;
}

/** The defaults of {@link PeerServerOptions}: the original's. */
export const PEERJS_DEFAULTS = {
  key: 'peerjs',
  path: '/',
  expire_timeout: 5_000,
  alive_timeout: 60_000,
  concurrent_limit: 5_000,
  allow_discovery: false,
  generateClientId: (): string => globalThis.crypto.randomUUID(),
};

/** {@link PeerServerOptions} with defaults filled in, and the paths they imply. */
export interface ResolvedPeerServerOptions extends Required<PeerServerOptions> {
  /** The path without its trailing slash (`''` for `/`): the HTTP API lives under it. */
  readonly base: string;
  /** The WebSocket path, `<base>/peerjs`. */
  readonly socketPath: string;
}

/** Fills in the defaults and checks each value; bad ones throw `TypeError` with an exact message. */
export function resolvePeerServerOptions(options: PeerServerOptions): ResolvedPeerServerOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`options.peerjs must be an object of PeerServer options, got ${describeValue(options)}`);
  }
  assertKnownKeys(options, Object.keys(PEERJS_DEFAULTS), 'options.peerjs');
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const resolved = { ...PEERJS_DEFAULTS, ...given } as Required<PeerServerOptions>;
  if (typeof resolved.key !== 'string' || resolved.key === '' || resolved.key.includes('/')) {
    throw new TypeError(`options.peerjs.key must be a non-empty string without "/", got ${describeValue(resolved.key)}`);
  }
  if (typeof resolved.path !== 'string' || !resolved.path.startsWith('/')) {
    throw new TypeError(`options.peerjs.path must start with "/", got ${describeValue(resolved.path)}`);
  }
  for (const name of ['expire_timeout', 'alive_timeout', 'concurrent_limit'] as const) {
    const value = resolved[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new TypeError(`options.peerjs.${name} must be an integer >= 1, got ${describeValue(value)}`);
    }
  }
  if (typeof resolved.allow_discovery !== 'boolean') {
    throw new TypeError(`options.peerjs.allow_discovery must be a boolean, got ${describeValue(resolved.allow_discovery)}`);
  }
  if (typeof resolved.generateClientId !== 'function') {
    throw new TypeError(`options.peerjs.generateClientId must be a function, got ${describeValue(resolved.generateClientId)}`);
  }
  const base = resolved.path.replace(/\/+$/, '');
  return { ...resolved, base, socketPath: `${base}/peerjs` };
}
