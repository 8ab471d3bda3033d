import type { SignalingError, SignalingErrorCode } from '../errors.js';

/** Which peers a peer may address with a unicast: `'room'` needs a shared room, `'open'` reaches any id. */
export type RoutingScope = 'room' | 'open';

/** Why a peer left a room. */
export type LeaveReason = 'left' | 'kicked' | 'disconnected' | 'ended';

/**
 * Why a peer disconnected. Its own side closed (`'closed'`) or the connection dropped (`'lost'`, `'error'`);
 * server code disconnected it (`'server'`, {@link SignalingCore.disconnectPeer}); the server is closing
 * (`'shutdown'`); a newer connection took its id (`'replaced'`); or the server cut it: a frame over
 * `maxMessageSize` (`'too-large'`), no answer to pings (`'heartbeat'`), a client that does not read
 * (`'write-stall'`, `'slow-consumer'`), too many refused frames (`'rate-limit'`), a PeerJS client silent past
 * `alive_timeout` (`'alive-timeout'`). A peer in its resume grace period leaves when the period ends (with the
 * reason it dropped), when its seat or slot is needed (`'evicted'`), or when what was kept for it overflows
 * (`'resume-overflow'`).
 */
export type DisconnectReason =
  | 'closed'
  | 'lost'
  | 'error'
  | 'server'
  | 'shutdown'
  | 'replaced'
  | 'too-large'
  | 'heartbeat'
  | 'write-stall'
  | 'slow-consumer'
  | 'rate-limit'
  | 'alive-timeout'
  | 'evicted'
  | 'resume-overflow';

declare const opaque: unique symbol;

/**
 * The frame a signal was decoded from, as its codec keeps it: only `protocol/` reads it (to forward a frame of
 * the same dialect without writing it again). The core passes it on untouched.
 */
export interface OpaqueFrame {
  readonly [opaque]: true;
}

/**
 * A dialect-neutral signal: what one peer sends another. The codec of the sender's dialect fills it in; the
 * codec of each receiver's dialect turns it back into text.
 */
export interface Signal {
  /** `'offer'`, `'answer'`, `'candidate'`, `'message'`, `'connect'`, or any application type. */
  readonly type: string;
  /** The target's id; `undefined` broadcasts to the sender's room. Not necessarily a string: it is as sent. */
  readonly to?: unknown;
  /** The payload: the SDP, the candidate, the app data. */
  readonly data: unknown;
  /**
   * Publishes to this one room of the sender: every member gets it, the sender included (a y-webrtc `publish`).
   * Unset: `to` decides (a unicast, or a broadcast to the rest of every room of the sender).
   */
  readonly room?: string;
  /** The sender's frame, for its codec only. */
  readonly frame: OpaqueFrame;
}

/** A room as the encoders see it. `members` is keyed by peer id, in join order. */
export interface RoomView {
  readonly id: string;
  readonly name: string;
  readonly owner: string | undefined;
  readonly members: ReadonlyMap<string, unknown>;
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
}

/** What the core asks a connection to tell its client; the connection's dialect turns it into a frame. */
export type OutboundEvent =
  | { readonly kind: 'welcome'; readonly peerId: string }
  | { readonly kind: 'joined'; readonly room: RoomView; readonly created: boolean }
  | { readonly kind: 'room-peers'; readonly room: RoomView; readonly peers: readonly string[] }
  | { readonly kind: 'peer-joined'; readonly room: RoomView; readonly peerId: string }
  | { readonly kind: 'peer-left'; readonly room: RoomView; readonly peerId: string; readonly reason: LeaveReason }
  | { readonly kind: 'left'; readonly room: RoomView; readonly reason: Exclude<LeaveReason, 'disconnected'> }
  | { readonly kind: 'room-ended'; readonly room: RoomView }
  /** `room`: the room a publish went to (its member count is part of some dialects' frames). */
  | { readonly kind: 'signal'; readonly from: string; readonly signal: Signal; readonly room?: RoomView }
  /** A message from server code ({@link SignalingCore.send}, {@link SignalingCore.broadcast}). */
  | { readonly kind: 'message'; readonly data: unknown }
  /** A dialect's own answer to a frame of its peer (a y-webrtc `pong`): `data` is written as it is. */
  | { readonly kind: 'reply'; readonly data: unknown }
  | {
      readonly kind: 'error';
      readonly code: SignalingErrorCode;
      readonly details: Readonly<Record<string, unknown>>;
      /**
       * With `target-unavailable-or-different-room`: the unicast that found nobody, so a transport may hold it until
       * its target connects (PeerJS does). Codecs never put it on the wire.
       */
      readonly signal?: Signal;
    };

/** Every kind of {@link OutboundEvent}. */
export type OutboundKind = OutboundEvent['kind'];

/**
 * The port through which the core talks to one client. Transports implement it; tests use a fake.
 * `send` must encode the event before it returns (its room view is live and changes after the call), must not
 * throw, and must not call back into the core synchronously. It may return `false` when a signal could not be
 * passed on (a peer on another node while the backplane is down): the sender is then told.
 */
export interface Connection {
  send(event: OutboundEvent): void | boolean;
  close(code: number, reason: string): void;
}

/**
 * A command decoded from a client's frame. A frame that asks for nothing valid is not a command: its codec
 * returns a {@link SignalingError}, which the transport hands to {@link SignalingCore.reject}.
 */
export type Command =
  | {
      readonly kind: 'join';
      readonly room: unknown;
      /**
       * `'auto'` creates the room if needed and treats joining it again as a no-op (console);
       * `'create'` requires a new id (connector `Create_Room`); `'existing'` requires an existing room and
       * refuses a second join (connector `Join_Room`).
       */
      readonly mode: 'auto' | 'create' | 'existing';
      readonly name?: string;
    }
  | { readonly kind: 'leave'; readonly room?: unknown }
  | { readonly kind: 'end'; readonly room: unknown }
  | {
      readonly kind: 'signal';
      readonly signal: Signal;
      /**
       * A fault the codec found that the original reports only once it knows the target exists: the original
       * connector server checks a `Connect`'s target before its `data`, so an unknown target wins over a missing
       * `data`.
       */
      readonly fault?: SignalingError;
    }
  /** A frame that asks nothing of the core: a keep-alive (PeerJS `HEARTBEAT`), or a frame its original ignores. */
  | { readonly kind: 'noop' }
  /** Answers the sender with `data` and nothing else (y-webrtc `ping` → `pong`). */
  | { readonly kind: 'reply'; readonly data: unknown }
  /** Several commands from one frame, carried out in order (a y-webrtc `subscribe` to several topics). */
  | { readonly kind: 'batch'; readonly commands: readonly Command[] };

/** How one peer behaves; chosen by its transport, usually from its dialect. */
export interface PeerOptions {
  /** Use this id instead of a generated one (an authenticated identity). */
  readonly id?: string;
  /** @default 'room' */
  readonly scope?: RoutingScope;
  /** Joining a room leaves the peer's current room first (console dialect). @default false */
  readonly switchRooms?: boolean;
  /** A label for the peer's wire dialect, shown in {@link PeerInfo}. @default 'console' */
  readonly dialect?: string;
  /** Application data attached to the peer (for example from `authenticate`). */
  readonly data?: unknown;
  /** The only rooms this peer may join (a signed token's `rooms` claim); others answer `forbidden`. */
  readonly allowedRooms?: readonly string[];
  /** The cluster node the peer is connected to, when that is another node (see backplanes). */
  readonly node?: string;
  /**
   * A digest of what proves this connection owns its id (a PeerJS client's token), kept in a cluster's directory
   * so another node can refuse the id to a connection with a different one. Never sent to anyone.
   */
  readonly credential?: string;
}

/**
 * A snapshot of one peer, safe to keep. `Data` is the type of the application data your `authenticate` hook
 * attaches (see {@link SignalingOptions}).
 */
export interface PeerInfo<Data = unknown> {
  readonly id: string;
  /** The cluster node it is connected to; `undefined` for this node. */
  readonly node: string | undefined;
  readonly dialect: string;
  readonly scope: RoutingScope;
  /** Whether joining a room makes it leave its current one (console dialect). */
  readonly switchRooms: boolean;
  readonly rooms: readonly string[];
  /** What `authenticate` returned as `data` for this peer (`undefined` without it). */
  readonly data: Data;
}

/** A snapshot of one room, safe to keep. */
export interface RoomInfo {
  readonly id: string;
  readonly name: string;
  readonly owner: string | undefined;
  readonly members: readonly string[];
  readonly capacity: number;
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
}

/** The `/status` document: ids in connect order, rooms with their members in join order, no empty rooms. */
export interface StatusReport {
  totalClients: number;
  clients: string[];
  rooms: Record<string, string[]>;
}

/** The events of {@link SignalingCore}; every payload is one object, so fields can be added later. */
export interface SignalingEvents<Data = unknown> {
  'peer:connect': (event: { peer: PeerInfo<Data> }) => void;
  'peer:disconnect': (event: { peer: PeerInfo<Data>; reason: DisconnectReason }) => void;
  /** A room was made: by a peer's join (`peer`), or by server code (`peer` undefined). */
  'room:create': (event: { room: RoomInfo; peer: PeerInfo<Data> | undefined }) => void;
  'room:join': (event: { room: RoomInfo; peer: PeerInfo<Data> }) => void;
  'room:leave': (event: { room: RoomInfo; peer: PeerInfo<Data>; reason: LeaveReason }) => void;
  'room:end': (event: { room: RoomInfo; by: PeerInfo<Data> | undefined }) => void;
  'room:delete': (event: { room: RoomInfo }) => void;
  'signal': (event: { from: PeerInfo<Data>; to: PeerInfo<Data> | undefined; room: string | undefined; type: string }) => void;
  'peer:error': (event: { peer: PeerInfo<Data>; error: SignalingError }) => void;
  /** A fault in signalroom or in one of your listeners; the server keeps running. */
  'error': (error: Error) => void;
}
