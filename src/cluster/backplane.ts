import type { LeaveReason, RoutingScope, StatusReport } from '../core/types.js';
import type { SignalingErrorCode } from '../errors.js';

/**
 * Where a cluster's shared state lives and how its nodes talk: Redis in production (`signalroom/redis`),
 * {@link MemoryBackplane} inside one process. The engine holds the peer directory (peer → node), the rooms
 * (name, owner, capacity, members in join order) and the node leases; every change to rooms is decided in one
 * atomic step there, which also publishes it on the room's channel. A node hears only its own channel and the
 * channels of the rooms it has peers in, so what it pays grows with its own peers, not with the cluster.
 *
 * Every method that changes state resolves only with the engine's answer; while the engine is unreachable they
 * reject at once (nothing is queued, so memory stays bounded) and the node decides locally until it is back.
 */
export interface Backplane {
  /** Whether the engine can be used right now. */
  readonly connected: boolean;
  /** Connects and subscribes to this node's own channel; resolves once that subscription is live. */
  start(nodeId: string, handlers: BackplaneHandlers): Promise<void>;
  /** Stops listening and releases connections it opened. */
  close(): Promise<void>;

  /** Renews this node's lease. `'lost'` when it had expired (this node was declared dead, or the engine restarted). */
  renewLease(nodeId: string, ttlMs: number): Promise<'renewed' | 'lost'>;
  /**
   * Removes the peers of every node whose lease expired. One node at a time does it (a lock per dead node); each
   * affected room hears its members leave.
   */
  reapDeadNodes(selfId: string, lockMs: number): Promise<void>;
  /** A graceful exit: removes this node's lease and whatever peers it still has in the shared state. */
  removeNode(nodeId: string): Promise<void>;

  /**
   * Records a local peer in the directory. `'new'`: an older holder of the id anywhere is removed from its rooms
   * and its node told to close it. `'move'`: the id keeps its rooms (a resume); its old node is told to let go.
   * Resolves with the rooms the peer is in afterwards.
   */
  claimPeer(peer: PeerEntry, mode: 'new' | 'move'): Promise<ClaimResult>;
  /** Whether the directory has a peer, and the credential its connection registered (see PeerEntry). */
  lookupPeer(peerId: string): Promise<{ readonly credential: string | undefined } | undefined>;
  /**
   * Asks that `nodeId` hear an {@link ArrivalMessage} on its channel when `peerId` is next claimed, for at most
   * `ttlMs`. Resolves true, registering nothing, when the directory has the peer already. Checked and registered
   * in one step, so an arrival is never missed between the two.
   */
  watchPeer(peerId: string, nodeId: string, ttlMs: number): Promise<boolean>;
  /** Removes a peer (its connection is gone): from its rooms, each told, and from the directory. */
  removePeer(peerId: string, incarnation: string): Promise<void>;
  /**
   * Writes back what this node knows of its own peer after the engine lost it (an outage, a restart, a lease
   * that expired while this node was frozen): directory entry and exactly these room memberships, with their
   * original join order. `false` when another connection holds the id now.
   */
  restorePeer(peer: PeerEntry, rooms: readonly RestoredMembership[], transferOwnership: boolean): Promise<boolean>;
  /** Every peer the directory lists for a node. */
  nodePeers(nodeId: string): Promise<string[]>;
  /** Removes a peer the directory still places on `nodeId` (whatever its incarnation), from its rooms too. */
  forgetPeer(peerId: string, nodeId: string): Promise<void>;

  /** Starts hearing a room's channel; resolves once the subscription is live. */
  subscribeRoom(roomId: string): Promise<void>;
  /** Stops hearing a room's channel. */
  unsubscribeRoom(roomId: string): Promise<void>;
  /** A room as the engine has it, or `undefined` when it does not exist. */
  roomSnapshot(roomId: string): Promise<RoomSnapshot | undefined>;
  /** Decides a join atomically: existence for the mode, duplicate membership, capacity, room switching. */
  join(request: BackplaneJoin): Promise<BackplaneJoinResult>;
  /** Takes a peer out of a room. `incarnation` undefined: whoever holds the id (a kick from server code). */
  leave(request: BackplaneLeave): Promise<boolean>;
  /** Ends a room if `by` may (its owner, or server code when `by` is undefined). */
  end(roomId: string, by: string | undefined): Promise<BackplaneEndResult>;
  /** Creates an empty room that stays until it is ended or empties after someone joined (server code). */
  createRoom(room: Omit<RoomSnapshot, 'version' | 'members'> & { readonly transferOwnership: boolean }): Promise<boolean>;

  /** Sends a message to a node's channel. Resolves false when that node does not hear it (gone, unsubscribed). */
  sendToNode(nodeId: string, message: string): Promise<boolean>;
  /** Sends a message to whichever node holds `peerId` now. Resolves false when no node does. */
  sendToPeer(peerId: string, message: string): Promise<boolean>;
  /** Sends a message to every node that follows a room (not versioned: signals and server messages). */
  publishToRoom(roomId: string, message: string): void;

  /** The cluster-wide `/status` document. */
  status(): Promise<StatusReport>;
  /** Counts only, for clusters too big to list: peers, rooms, live nodes. */
  summary(): Promise<ClusterSummary>;
}

export interface BackplaneHandlers {
  /** A message on this node's own channel. */
  onNodeMessage(message: string): void;
  /** A message on the channel of a room this node follows. */
  onRoomMessage(roomId: string, message: string): void;
  /** The engine came back after an outage (subscriptions are live again): time to re-announce and resync. */
  onReconnect(): void;
  /** The engine went away. */
  onDisconnect(): void;
}

/** A peer as the directory records it. */
export interface PeerEntry {
  readonly id: string;
  readonly node: string;
  /** Which connection of this id: every connect gets a new one, so a stale node's changes are ignored. */
  readonly incarnation: string;
  readonly dialect: string;
  readonly scope: RoutingScope;
  readonly switchRooms: boolean;
  /** A digest of what proves the connection owns the id (a PeerJS token), so other nodes can refuse it to others. */
  readonly credential?: string;
}

/** One member of a room; `order` is its place in the room's join order (smaller joined earlier). */
export interface MemberEntry {
  readonly id: string;
  readonly node: string;
  readonly dialect: string;
  readonly scope: RoutingScope;
  readonly switchRooms: boolean;
  readonly order: number;
}

export interface RoomSnapshot {
  readonly id: string;
  readonly name: string;
  readonly owner: string | undefined;
  readonly capacity: number;
  /** Bumped by every change; the events of the room's channel carry it, so they apply once and in order. */
  readonly version: number;
  /** In join order. */
  readonly members: readonly MemberEntry[];
  /** Created by server code: stays while empty until ended or emptied after a join. */
  readonly keep?: boolean;
}

export interface RestoredMembership {
  readonly room: string;
  readonly name: string;
  readonly owner: string | undefined;
  readonly capacity: number;
  readonly order: number;
}

export interface BackplaneJoin {
  readonly peer: PeerEntry;
  readonly room: string;
  readonly mode: 'auto' | 'create' | 'existing';
  readonly name: string;
  /** The capacity of a room this join creates. */
  readonly capacity: number;
  /** For a room this join creates: whether its owner's leave hands it to its longest-standing member. */
  readonly transferOwnership: boolean;
}

export type BackplaneJoinResult =
  | { readonly ok: true; readonly version: number }
  /** `'replaced'`: the peer's id belongs to a newer connection now. */
  | { readonly ok: false; readonly code: SignalingErrorCode | 'replaced'; readonly limit?: number };

export interface ClaimResult {
  /** Whether the directory already had the id. */
  readonly existed: boolean;
  /** The rooms the peer is in afterwards (empty for `'new'`). */
  readonly rooms: readonly string[];
}

export interface BackplaneLeave {
  readonly room: string;
  readonly peer: string;
  readonly incarnation: string | undefined;
  readonly reason: LeaveReason;
}

export type BackplaneEndResult =
  | { readonly ok: true; readonly room: RoomSnapshot }
  | { readonly ok: false; readonly code: 'room-not-found' | 'not-room-owner' };

export interface ClusterSummary {
  readonly peers: number;
  readonly rooms: number;
  readonly nodes: number;
}

/** What the engine publishes on a room's channel for each change, in the order it decided them. */
export type RoomEvent =
  | {
      readonly op: 'join';
      readonly v: number;
      readonly member: MemberEntry;
      readonly name: string;
      readonly owner: string | undefined;
      readonly capacity: number;
      readonly created: boolean;
    }
  | {
      readonly op: 'leave';
      readonly v: number;
      readonly peer: string;
      readonly reason: LeaveReason;
      /** The owner after the leave. */
      readonly owner: string | undefined;
    }
  | { readonly op: 'end'; readonly v: number; readonly by: string | undefined }
  | { readonly op: 'move'; readonly v: number; readonly peer: string; readonly node: string };

/** What a node's channel carries when a peer it watches ({@link Backplane.watchPeer}) is claimed. */
export interface ArrivalMessage {
  readonly op: 'arrived';
  readonly peer: string;
}

/** What a node's channel carries besides signals: another connection took one of its peers over. */
export interface TakeoverMessage {
  readonly op: 'takeover';
  readonly peer: string;
  /** The incarnation that lost the id. */
  readonly incarnation: string;
  /** `'move'`: the same peer resumed elsewhere (no leave). `'new'`: a new connection replaced it. */
  readonly mode: 'new' | 'move';
  readonly node: string;
}
