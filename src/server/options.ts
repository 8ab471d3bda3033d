import type { IncomingMessage } from 'node:http';
import { CORE_DEFAULTS, assertInteger, resolveCoreOptions, withoutUndefined, type CoreOptions } from '../core/options.js';
import { describeValue } from '../core/option-checks.js';
import { isClaimList } from '../auth/tokens.js';
import { checkGivenOptions } from './check-options.js';
import type { RoutingScope } from '../core/types.js';
import type { Backplane } from '../cluster/backplane.js';
import type { Logger } from '../ops/logger.js';
import type { TurnOptions } from '../ops/turn.js';
import type { DialectName } from '../protocol/dialect.js';
import { resolvePeerServerOptions, type PeerServerOptions, type ResolvedPeerServerOptions } from '../transport/peerjs-options.js';
import type { Identity } from '../transport/upgrades.js';

export type { Identity } from '../transport/upgrades.js';

/**
 * Options of a signaling server ({@link attachSignaling}, the adapters and the standalone server).
 * Everything is optional; {@link SIGNALING_DEFAULTS} holds the defaults.
 *
 * @example
 * attachSignaling(server, { path: '/signal', maxPeersPerRoom: 8, dialects: { '/p2p': 'connector' } });
 */
export interface SignalingOptions<Data = unknown> extends CoreOptions<Data> {
  /**
   * Largest frame accepted, in bytes. A bigger frame closes that socket with 1009; other peers are unaffected.
   * @default 65536
   */
  maxMessageSize?: number;
  /**
   * Deepest nesting of objects and arrays in a frame; deeper frames get `invalid-message`.
   * @default 32
   */
  maxDepth?: number;
  /**
   * The dialect of a connection that neither offers a known subprotocol nor comes in on a path of `dialects`.
   * @default 'console'
   */
  dialect?: DialectName;
  /**
   * Upgrade paths mapped to the dialect spoken there, for clients that cannot offer a subprotocol.
   * @default {}
   */
  dialects?: Readonly<Record<string, DialectName>>;
  /**
   * Routing scope: `'room'` (sender and target share a room) or `'open'` (any id), for every dialect or per
   * dialect. Unset dialects keep their spec's scope (`console` → `'room'`, `connector` → `'open'`, `peerjs` →
   * `'open'`, `ywebrtc` → `'room'`).
   * @default { console: 'room', connector: 'open', peerjs: 'open', ywebrtc: 'room' }
   */
  scope?: RoutingScope | Readonly<Partial<Record<DialectName, RoutingScope>>>;
  /**
   * Most peers: open connections plus peers in their resume grace period. One more connection is accepted and
   * closed at once with 1013 `server-overloaded` when the open ones alone reach it; otherwise the oldest grace
   * period ends to make room (a suspended peer never keeps a live one out). Likewise a peer in its grace period
   * gives up its seat in a full room to a joiner.
   * @default 10000
   */
  maxConnections?: number;
  /**
   * Sustained messages per second per connection (a token bucket refilled at this rate). A message over the
   * budget is answered `rate-limit` and not handled. A WebSocket ping counts as a message: over the budget it is
   * answered `rate-limit` instead of a pong.
   * @default 50
   */
  messageRate?: number;
  /**
   * The bucket's size: how many messages a connection may send at once, e.g. a burst of trickled ICE candidates.
   * @default 200
   */
  messageBurst?: number;
  /**
   * Refused messages (`rate-limit`), beyond the messages let through since, after which the connection is
   * closed with 1008: each refusal is a strike and each message let through takes one away, so a sender that
   * keeps pacing itself over the limit is cut too, not only one that never stops.
   * @default 100
   */
  maxRateLimitStrikes?: number;
  /**
   * Bytes per second a connection's relayed frames may cost their recipients: a frame costs its size times the
   * peers it reaches (every other member of the sender's rooms for a broadcast, one for a unicast). Over the
   * budget a frame is answered `rate-limit` (a strike). With the defaults no single sender can put more than
   * `relayByteBurst` plus one frame, then 256 KiB/s, in front of any receiver: one that reads at 1 MB/s is never
   * cut as a slow consumer because of one member at its limits.
   * @default 262144 (256 KiB/s)
   */
  relayByteRate?: number;
  /** The byte budget's size: what a connection's frames may cost their recipients at once. @default 524288 (512 KiB) */
  relayByteBurst?: number;
  /**
   * Sustained room joins per second per connection; over it, a join is answered `rate-limit`. A join whose
   * membership notices are bigger than a console `peer-joined` (a connector room's `Client_Added` lists every
   * member) costs more tokens, in proportion, so a peer cycling through joins and leaves makes every member
   * receive no more notice bytes per second than a console peer at this rate would.
   * @default 5
   */
  joinRate?: number;
  /** Joins a connection may make at once. @default 10 */
  joinBurst?: number;
  /**
   * Bytes that may wait in one receiver's send buffer. A receiver over it (a slow consumer) leaves its rooms at
   * once and is closed with 1013 `slow-consumer` after what it already has (terminated `heartbeatTimeout` ms
   * later if it does not read that far); senders are unaffected.
   * @default 1048576 (1 MiB)
   */
  maxBufferedBytes?: number;
  /** Milliseconds between pings to every connection; `0` turns the heartbeat off. @default 25000 */
  heartbeatInterval?: number;
  /**
   * Milliseconds a connection has to answer a ping before it is cut off (and leaves its rooms); also how long
   * data may wait for a client that reads none of it (a write stall) before it is cut.
   * @default 10000
   */
  heartbeatTimeout?: number;
  /**
   * Browser origins allowed to connect (`Origin` header), or a predicate. Others get HTTP 403 before the upgrade.
   * Requests without an `Origin` (non-browser clients) are allowed. Set it whenever your auth relies on cookies.
   * @default undefined (every origin)
   * @example allowedOrigins: ['https://app.example.com']
   */
  allowedOrigins?: readonly string[] | ((origin: string) => boolean) | undefined;
  /**
   * Runs before the upgrade and decides who connects: return an {@link Identity} to accept (its `id` becomes
   * the peer id), `false` to refuse with 401, or `{ refuse: 403 }`. A refused request creates no peer state.
   * @default undefined (everyone connects with a generated id)
   * @example authenticate: async (request) => (await sessions.verify(request.headers.cookie)) ?? false
   */
  authenticate?: ((request: IncomingMessage) => AuthenticateResult<Data> | Promise<AuthenticateResult<Data>>) | undefined;
  /**
   * Built-in tokens: clients connect with `?token=`. The token is either this secret itself (a shared secret),
   * or an HS256 JWT signed with it (see `signToken()` in `signalroom`), whose `sub` becomes the peer id, whose optional
   * `rooms` claim limits the rooms it may join, and whose `exp` is enforced. The token travels in an
   * `Authorization: Bearer <token>` header (non-browser clients) or as `?token=`. Missing or bad tokens get 401;
   * so does a JWT whose `sub` is not a non-empty string, whose `rooms` is not an array of strings, or that has
   * no `exp` (see `allowTokensWithoutExpiry`).
   * @default undefined (no token required)
   */
  tokenSecret?: string | undefined;
  /**
   * Decides who may read the operational routes that show peers and traffic: `/status`, `/metrics`,
   * `/dashboard` and `/dashboard/data` (`/healthz`, `/readyz` stay open; `/ice-servers` passes the upgrade's
   * checks). Return `true` to serve the request, anything else answers 401. Without it, those routes follow the
   * server's own auth: with `tokenSecret` they need the secret itself (`Authorization: Bearer <secret>` or
   * `?token=<secret>`; a peer's JWT is not enough); with only `authenticate` they are closed (a peer's login says
   * nothing about operators); with neither they are open, as the original's `/status` is.
   * @default undefined (follow the server's auth, as above)
   * @example opsAuthorize: (request) => request.socket.remoteAddress === '127.0.0.1'
   */
  opsAuthorize?: ((request: IncomingMessage) => boolean | Promise<boolean>) | undefined;
  /**
   * Accept JWTs without an `exp` claim. Off by default: such a token is valid forever, so a leaked one could
   * never be taken back short of changing `tokenSecret`.
   * @default false
   */
  allowTokensWithoutExpiry?: boolean;
  /**
   * Accept only JWTs whose `aud` claim names one of these (mint them with `signToken(secret, { audience })`), so
   * a token signed with the same secret for another service does not open this one. The shared secret itself is
   * not a JWT and still connects. Needs `tokenSecret`.
   * @default undefined (`aud` is not checked)
   * @example tokenAudience: 'signal.example.com'
   */
  tokenAudience?: string | readonly string[] | undefined;
  /**
   * Accept only JWTs whose `iss` claim is one of these (`signToken(secret, { issuer })`). Needs `tokenSecret`.
   * @default undefined (`iss` is not checked)
   * @example tokenIssuer: 'https://auth.example.com'
   */
  tokenIssuer?: string | readonly string[] | undefined;
  /**
   * Identity resume, for connections that ask for extensions (`?extensions=1`, as the SDK does; see
   * docs/protocols.md): each gets a private resume token; reconnecting with `?resume=<token>` within the grace
   * period gives back the same id and room membership, and the rooms see no leave/join. A plain connection (an
   * original client) never gets a token and leaves its rooms at once on any close, as with its original.
   * @default true
   */
  resume?: boolean;
  /**
   * Secret that signs resume tokens. Set it (the same on every node) for tokens that survive a restart.
   * @default a random secret per process
   */
  resumeSecret?: string | undefined;
  /**
   * Milliseconds a resumable peer (one that asked for extensions) whose connection dropped (any close but a
   * deliberate 1000/1005) keeps its id and rooms; frames for it wait (up to `maxBufferedBytes`). After it, the
   * peer leaves like any other. `0`: no grace period. Plain connections never get one.
   * @default 10000
   */
  resumeGracePeriod?: number;
  /** Milliseconds a resume token stays valid; a fresh one is sent on every connect. @default 86400000 (24 h) */
  resumeTokenTtl?: number;
  /**
   * TURN REST credentials (coturn `use-auth-secret`): each peer that asks for extensions gets `iceServers` with
   * a time-limited credential bound to its id right after connecting (everyone can fetch `/ice-servers`).
   * @default undefined (none sent)
   * @example turn: { secret: process.env.TURN_SECRET, urls: ['turn:turn.example.com:3478'], ttl: 3600 }
   */
  turn?: TurnOptions | undefined;
  /**
   * A logger with pino's interface (`info(obj, msg)`, ...); one line per connection event. The library is
   * silent without one.
   * @default undefined
   */
  logger?: Logger | undefined;
  /**
   * Makes this endpoint one node of a cluster: peers on every node share rooms, see each other and signal each
   * other as on one node. The shared state (peer directory, rooms, node leases) lives in the backplane's engine;
   * this node keeps only its own peers and their rooms. `redisBackplane({ url })` from `signalroom/redis`, or a
   * `MemoryBackplane` node.
   * @default undefined (a single node)
   */
  backplane?: Backplane | undefined;
  /** Milliseconds between a node's lease renewals (its heartbeat) and its checks for dead nodes. @default 5000 */
  clusterHeartbeatInterval?: number;
  /**
   * Milliseconds a node's lease lasts: a node that has not renewed it by then is dead, and its peers leave. Must
   * be longer than `clusterHeartbeatInterval`, or live nodes would lose their leases between renewals.
   * @default 10000
   */
  clusterNodeTimeout?: number;
  /**
   * Serves the PeerJS server protocol, as the `peer` package's PeerServer does, for unmodified `peerjs` clients:
   * the WebSocket at `<path>/peerjs` and the HTTP API under `path` (mounted by `attachSignaling` and the adapters;
   * elsewhere, serve it with `createPeerjsRoutes`). Its options keep their PeerServer names (see {@link PeerServerOptions}); `{}` takes every default.
   * @default undefined (no PeerJS endpoint)
   * @example peerjs: { path: '/myapp', key: 'peerjs' }
   */
  peerjs?: PeerServerOptions | undefined;
}

/** What {@link SignalingOptions.authenticate} returns: an identity, `false` (401), or an explicit refusal. */
export type AuthenticateResult<Data = unknown> = Identity<Data> | false | { readonly refuse: 401 | 403 };

/** The defaults of {@link SignalingOptions}, in one place. */
export const SIGNALING_DEFAULTS = {
  ...CORE_DEFAULTS,
  maxMessageSize: 64 * 1024,
  maxDepth: 32,
  dialect: 'console' as DialectName,
  dialects: {} as Readonly<Record<string, DialectName>>,
  scope: { console: 'room', connector: 'open', peerjs: 'open', ywebrtc: 'room' } as Readonly<Record<DialectName, RoutingScope>>,
  maxConnections: 10_000,
  messageRate: 50,
  messageBurst: 200,
  maxRateLimitStrikes: 100,
  relayByteRate: 256 * 1024,
  relayByteBurst: 512 * 1024,
  joinRate: 5,
  joinBurst: 10,
  maxBufferedBytes: 1024 * 1024,
  heartbeatInterval: 25_000,
  heartbeatTimeout: 10_000,
  allowedOrigins: undefined as SignalingOptions['allowedOrigins'],
  authenticate: undefined as SignalingOptions['authenticate'],
  tokenSecret: undefined as string | undefined,
  allowTokensWithoutExpiry: false,
  tokenAudience: undefined as string | readonly string[] | undefined,
  tokenIssuer: undefined as string | readonly string[] | undefined,
  opsAuthorize: undefined as SignalingOptions['opsAuthorize'],
  resume: true,
  resumeSecret: undefined as string | undefined,
  resumeGracePeriod: 10_000,
  resumeTokenTtl: 24 * 60 * 60 * 1000,
  turn: undefined as TurnOptions | undefined,
  logger: undefined as Logger | undefined,
  backplane: undefined as Backplane | undefined,
  clusterHeartbeatInterval: 5_000,
  clusterNodeTimeout: 10_000,
  peerjs: undefined as PeerServerOptions | undefined,
};

type Hooks =
  | 'authorizeJoin'
  | 'authenticate'
  | 'opsAuthorize'
  | 'allowedOrigins'
  | 'tokenSecret'
  | 'tokenAudience'
  | 'tokenIssuer'
  | 'resumeSecret'
  | 'turn'
  | 'logger'
  | 'backplane';
export type ResolvedSignalingOptions = Omit<Required<SignalingOptions>, 'scope' | 'peerjs' | Hooks> &
  Pick<SignalingOptions, Hooks> & {
  readonly scope: Readonly<Record<DialectName, RoutingScope>>;
  /** The PeerJS endpoint's options, when one is configured; its socket path is in `dialects`. */
  readonly peerjs: ResolvedPeerServerOptions | undefined;
};

const DIALECTS: readonly DialectName[] = ['console', 'connector', 'peerjs', 'ywebrtc'];
const SCOPES: readonly RoutingScope[] = ['room', 'open'];

/** Fills in defaults and checks every value; invalid options throw `TypeError` with an exact message. */
export function resolveSignalingOptions(options: SignalingOptions = {}): ResolvedSignalingOptions {
  checkGivenOptions(options, SIGNALING_DEFAULTS);
  const given = withoutUndefined(options);
  const resolved = { ...SIGNALING_DEFAULTS, ...given, ...resolveCoreOptions(options) };
  assertInteger('maxMessageSize', resolved.maxMessageSize, 1);
  assertInteger('maxDepth', resolved.maxDepth, 1);
  assertInteger('maxConnections', resolved.maxConnections, 1);
  assertPositive('messageRate', resolved.messageRate);
  assertInteger('messageBurst', resolved.messageBurst, 1);
  assertInteger('maxRateLimitStrikes', resolved.maxRateLimitStrikes, 1);
  assertPositive('relayByteRate', resolved.relayByteRate);
  assertInteger('relayByteBurst', resolved.relayByteBurst, 1);
  assertPositive('joinRate', resolved.joinRate);
  assertInteger('joinBurst', resolved.joinBurst, 1);
  assertInteger('maxBufferedBytes', resolved.maxBufferedBytes, 1);
  assertInteger('heartbeatInterval', resolved.heartbeatInterval, 0);
  assertInteger('heartbeatTimeout', resolved.heartbeatTimeout, 1);
  assertInteger('resumeGracePeriod', resolved.resumeGracePeriod, 0);
  assertInteger('resumeTokenTtl', resolved.resumeTokenTtl, 1);
  assertInteger('clusterHeartbeatInterval', resolved.clusterHeartbeatInterval, 1);
  assertInteger('clusterNodeTimeout', resolved.clusterNodeTimeout, 1);
  if (resolved.clusterNodeTimeout <= resolved.clusterHeartbeatInterval) {
    throw new TypeError(
      `options.clusterNodeTimeout must be longer than options.clusterHeartbeatInterval (${resolved.clusterHeartbeatInterval}), got ${resolved.clusterNodeTimeout}`,
    );
  }
  assertBoolean('allowTokensWithoutExpiry', resolved.allowTokensWithoutExpiry);
  if (typeof resolved.resume !== 'boolean') throw new TypeError(`options.resume must be a boolean, got ${describeValue(resolved.resume)}`);
  assertOptional('authenticate', resolved.authenticate, 'function');
  assertOptional('opsAuthorize', resolved.opsAuthorize, 'function');
  assertOptional('tokenSecret', resolved.tokenSecret, 'string');
  assertOptional('resumeSecret', resolved.resumeSecret, 'string');
  for (const claim of ['tokenAudience', 'tokenIssuer'] as const) {
    const value = resolved[claim];
    if (value === undefined) continue;
    if (!isClaimList(value)) {
      throw new TypeError(`options.${claim} must be a non-empty string or a non-empty array of them, got ${describeValue(value)}`);
    }
    // Without tokenSecret no JWT is read: the check would silently do nothing.
    if (resolved.tokenSecret === undefined) throw new TypeError(`options.${claim} checks the JWTs of options.tokenSecret, which is not set`);
  }
  // Copied, so a caller changing its array later does not change what is checked.
  const tokenAudience = typeof resolved.tokenAudience === 'object' ? Object.freeze([...resolved.tokenAudience]) : resolved.tokenAudience;
  const tokenIssuer = typeof resolved.tokenIssuer === 'object' ? Object.freeze([...resolved.tokenIssuer]) : resolved.tokenIssuer;
  const turn = resolved.turn;
  if (turn !== undefined) {
    if (typeof turn.secret !== 'string' || turn.secret === '') throw new TypeError('options.turn.secret must be a non-empty string');
    if (!Array.isArray(turn.urls) || turn.urls.length === 0 || !turn.urls.every((u) => typeof u === 'string')) {
      throw new TypeError('options.turn.urls must be a non-empty array of URLs');
    }
    if (turn.ttl !== undefined) assertInteger('turn.ttl', turn.ttl, 1);
  }
  const origins = resolved.allowedOrigins;
  if (origins !== undefined && typeof origins !== 'function' && !(Array.isArray(origins) && origins.every((o) => typeof o === 'string'))) {
    throw new TypeError('options.allowedOrigins must be an array of origins or a function');
  }
  assertDialect('dialect', resolved.dialect);
  for (const [path, dialect] of Object.entries(resolved.dialects)) {
    if (!path.startsWith('/')) throw new TypeError(`options.dialects keys must be paths starting with "/", got "${path}"`);
    assertDialect(`dialects["${path}"]`, dialect);
  }
  const peerjs = given.peerjs === undefined ? undefined : resolvePeerServerOptions(given.peerjs);
  // The PeerJS socket path speaks PeerJS, unless the dialects map says otherwise for it.
  const dialects = peerjs === undefined || Object.hasOwn(resolved.dialects, peerjs.socketPath)
    ? resolved.dialects
    : { ...resolved.dialects, [peerjs.socketPath]: 'peerjs' as const };
  return { ...resolved, tokenAudience, tokenIssuer, dialects, peerjs, scope: resolveScope(given.scope) };
}

function resolveScope(scope: SignalingOptions['scope']): Readonly<Record<DialectName, RoutingScope>> {
  if (scope === undefined) return SIGNALING_DEFAULTS.scope;
  if (typeof scope === 'string') {
    assertScope('scope', scope);
    return { console: scope, connector: scope, peerjs: scope, ywebrtc: scope };
  }
  const merged = { ...SIGNALING_DEFAULTS.scope, ...withoutUndefined(scope) };
  for (const dialect of DIALECTS) assertScope(`scope.${dialect}`, merged[dialect]);
  return merged;
}

function assertDialect(name: string, value: unknown): asserts value is DialectName {
  if (!DIALECTS.includes(value as DialectName)) {
    throw new TypeError(`options.${name} must be one of ${DIALECTS.map((d) => `'${d}'`).join(', ')}, got ${describeValue(value)}`);
  }
}

function assertScope(name: string, value: unknown): asserts value is RoutingScope {
  if (!SCOPES.includes(value as RoutingScope)) {
    throw new TypeError(`options.${name} must be 'room' or 'open', got ${describeValue(value)}`);
  }
}

function assertBoolean(name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') throw new TypeError(`options.${name} must be a boolean, got ${describeValue(value)}`);
}

function assertPositive(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`options.${name} must be a number > 0, got ${describeValue(value)}`);
  }
}

function assertOptional(name: string, value: unknown, type: 'function' | 'string'): void {
  if (value !== undefined && (typeof value !== type || value === '')) {
    throw new TypeError(`options.${name} must be ${type === 'string' ? 'a non-empty string' : 'a function'}, got ${describeValue(value)}`);
  }
}
