import { shortUuid } from './short-uuid.js';
import { describeValue } from './option-checks.js';
import type { PeerInfo } from './types.js';

/**
 * The limits and hooks of {@link SignalingCore}. Every field is optional; defaults are in {@link CORE_DEFAULTS}.
 * `Data` is the type of each peer's `data` (what `authenticate` returns), as `authorizeJoin` sees it.
 */
export interface CoreOptions<Data = unknown> {
  /**
   * Longest room id accepted, in UTF-16 code units. Longer (or empty) ids get `invalid-room-name`.
   * @default 128
   */
  maxRoomIdLength?: number;
  /**
   * Most peers in one room; the next joiner gets `room-full`. Bounds the N² fan-out of join notices.
   * @default 50
   */
  maxPeersPerRoom?: number;
  /**
   * Most rooms one peer may be in at once, in dialects that allow several; the next join gets `too-many-rooms`.
   * @default 16
   */
  maxRoomsPerPeer?: number;
  /**
   * Makes peer ids and generated room ids. Must return a string unique for the life of the server. It is told
   * what the id is for, so ids can take each dialect's shape: by default console peers get a UUID v4, and
   * connector peers and the rooms they create get a 22-character base57 id, like the original's shortuuid.
   * Server-created rooms (`createRoom` without an id) get a UUID v4.
   * @default shapedId (see above)
   * @example generateId: ({ kind }) => `${kind}-${crypto.randomUUID()}`
   */
  generateId?: (context: IdContext) => string;
  /**
   * Whether a room's right to be ended passes to its longest-standing member when the owner leaves or
   * disconnects. Off by default, as in the original Peer2Peer Connector: only the creator may ever end its room
   * from a client, even after it left (server code can always end any room with `endRoom`).
   * @default false
   */
  ownershipTransfer?: boolean;
  /**
   * Decides whether a peer may join (or create) a room; `false` (or a rejected promise) answers `forbidden`.
   * May be async: the peer's later frames wait, so its frames are still handled in arrival order.
   * @default undefined (every join allowed)
   * @example authorizeJoin: async ({ peer, room }) => db.canJoin(peer.data.userId, room)
   */
  authorizeJoin?: AuthorizeJoin<Data> | undefined;
}

/**
 * The {@link CoreOptions.authorizeJoin} hook. Declared through a method, whose parameter TypeScript checks both
 * ways, so options written for one `Data` still pass where options for any peer data are expected (a function
 * property's parameter is checked one way only, which would make `SignalingOptions<User>` unusable as
 * `SignalingOptions`).
 */
export type AuthorizeJoin<Data = unknown> = { hook(request: JoinRequest<Data>): boolean | Promise<boolean> }['hook'];

/** What an id made by {@link CoreOptions.generateId} is for. */
export interface IdContext {
  /** A peer's id, or a room's id generated because none was given. */
  readonly kind: 'peer' | 'room';
  /** The wire dialect of the peer connecting or creating the room; `undefined` for server code. */
  readonly dialect: string | undefined;
}

/**
 * What {@link CoreOptions.authorizeJoin} is asked. `peer.data` is what `authenticate` (or a token's `data` claim)
 * gave the peer: `undefined` when it gave none, whatever `Data` says.
 */
export interface JoinRequest<Data = unknown> {
  readonly peer: PeerInfo<Data>;
  readonly room: string;
  /** Whether the join would create the room. */
  readonly create: boolean;
}

/** {@link CoreOptions} with every default filled in (hooks stay optional). */
export type ResolvedCoreOptions = Required<Omit<CoreOptions, 'authorizeJoin'>> & Pick<CoreOptions, 'authorizeJoin'>;

/** The defaults of {@link CoreOptions}, in one place. */
export const CORE_DEFAULTS = {
  maxRoomIdLength: 128,
  maxPeersPerRoom: 50,
  maxRoomsPerPeer: 16,
  generateId: shapedId,
  ownershipTransfer: false,
  authorizeJoin: undefined,
} as const satisfies ResolvedCoreOptions;

/** The default {@link CoreOptions.generateId}: each dialect's ids in the shape its original uses. */
export function shapedId(context?: IdContext): string {
  return context?.dialect === 'connector' ? shortUuid() : globalThis.crypto.randomUUID();
}

/** Throws `TypeError` unless `value` is an integer of at least `min`; names the option in the message. */
export function assertInteger(name: string, value: unknown, min: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TypeError(`options.${name} must be an integer >= ${min}, got ${describeValue(value)}`);
  }
}

/** Fills in defaults and checks every value; invalid options throw `TypeError`. */
export function resolveCoreOptions<Data>(options: CoreOptions<Data> = {}): ResolvedCoreOptions {
  const resolved: ResolvedCoreOptions = { ...CORE_DEFAULTS, ...withoutUndefined(options) };
  assertInteger('maxRoomIdLength', resolved.maxRoomIdLength, 1);
  assertInteger('maxPeersPerRoom', resolved.maxPeersPerRoom, 1);
  assertInteger('maxRoomsPerPeer', resolved.maxRoomsPerPeer, 1);
  if (typeof resolved.generateId !== 'function') {
    throw new TypeError(`options.generateId must be a function, got ${describeValue(resolved.generateId)}`);
  }
  if (typeof resolved.ownershipTransfer !== 'boolean') {
    throw new TypeError(`options.ownershipTransfer must be a boolean, got ${String(resolved.ownershipTransfer)}`);
  }
  if (resolved.authorizeJoin !== undefined && typeof resolved.authorizeJoin !== 'function') {
    throw new TypeError(`options.authorizeJoin must be a function, got ${describeValue(resolved.authorizeJoin)}`);
  }
  return resolved;
}

/** Drops keys whose value is `undefined`, so `{ limit: undefined }` means "the default". */
export function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
