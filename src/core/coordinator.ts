import type { SignalingErrorCode } from '../errors.js';
import type { Connection, LeaveReason, PeerOptions, RoomView, Signal } from './types.js';

/** How a join the coordinator decided came out. */
export type CoordinatedJoin =
  /** Admitted and already applied here (through the cluster replica's `applyJoin`). */
  | { readonly outcome: 'applied' }
  | { readonly outcome: 'refused'; readonly code: SignalingErrorCode; readonly details: Record<string, unknown> }
  /** The shared state cannot be reached: decide on this node alone, as a single node would. */
  | { readonly outcome: 'local' };

/** How an end the coordinator decided came out; `room` is the room as it was, for a requester who was not in it. */
export type CoordinatedEnd =
  | { readonly outcome: 'ended'; readonly room: RoomView }
  | { readonly outcome: 'refused'; readonly code: SignalingErrorCode; readonly details: Record<string, unknown> }
  | { readonly outcome: 'local' };

/** A local peer as the coordinator needs to describe it to other nodes. */
export interface CoordinatedPeer {
  readonly id: string;
  readonly dialect: string;
  readonly scope: 'room' | 'open';
  readonly switchRooms: boolean;
  /** See {@link PeerOptions.credential}. */
  readonly credential?: string;
}

/**
 * The core's port to state it shares with other nodes (a cluster; see `src/cluster`). Without one, the core is
 * the whole world. With one, the core holds its own peers and the rooms they are in, with every member of those
 * rooms (members on other nodes as stand-ins whose {@link Connection} forwards signals); joins and ends are
 * decided by the coordinator, which applies their outcome back through the core's cluster replica, on every
 * node in the same order. Everything else a local peer does is applied here at once and reported to it.
 */
export interface RoomCoordinator {
  /** A local peer connected. */
  peerConnected(peer: CoordinatedPeer): void;
  /** A local peer's connection is gone (it has already left its rooms here). */
  peerDisconnected(peerId: string): void;
  /** Decides a local peer's join; resolves once its outcome is applied here. */
  join(peer: CoordinatedPeer, room: string, mode: 'auto' | 'create' | 'existing', name: string): Promise<CoordinatedJoin>;
  /** A local peer left a room here (its own leave, or server code kicked it). */
  left(peerId: string, room: string, reason: LeaveReason): void;
  /** Server code kicked a member that lives on another node. */
  kick(room: string, peerId: string): void;
  /** Decides an end (by a local peer, or by server code when `by` is undefined); resolves once applied here. */
  end(room: string, by: string | undefined): Promise<CoordinatedEnd>;
  /** Server code created a room. */
  created(room: RoomView & { readonly capacity: number }): void;
  /** A broadcast from a local peer, for the room's members on other nodes. */
  broadcast(room: string, from: string, signal: Signal): void;
  /** A server message for a room's members on other nodes. */
  message(room: string, data: unknown, except: string | undefined): void;
  /** A unicast to an id this node does not know (both ends `'open'`): find it elsewhere. */
  route(from: string, to: string, signal: Signal): void;
  /** A connection for a member that lives on `node`. */
  remoteConnection(peerId: string, node: string): Connection;
  /** No local peer is left in `room`: this node stops following it. */
  released(room: string): void;
}
