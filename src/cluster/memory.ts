import type { LeaveReason, StatusReport } from '../core/types.js';
import type {
  Backplane,
  BackplaneHandlers,
  ClaimResult,
  BackplaneEndResult,
  BackplaneJoin,
  BackplaneJoinResult,
  BackplaneLeave,
  MemberEntry,
  PeerEntry,
  RestoredMembership,
  RoomEvent,
  RoomSnapshot,
  TakeoverMessage,
} from './backplane.js';

interface StoredPeer extends PeerEntry {
  readonly connectOrder: number;
  readonly rooms: Set<string>;
}

interface StoredRoom {
  readonly id: string;
  readonly name: string;
  owner: string | undefined;
  readonly capacity: number;
  version: number;
  readonly createdOrder: number;
  keep: boolean;
  /** Whether its owner's leave hands it to the longest-standing member (the creating node's rule). */
  readonly transfer: boolean;
  /** Peer id → join order. */
  readonly members: Map<string, number>;
}

/**
 * The shared state of a cluster inside one process: the same data model and the same atomic steps as the Redis
 * backplane's Lua scripts (src/cluster/redis-scripts.ts), written as plain synchronous code. Every step runs to
 * completion before the next, as a script does in Redis, and publishes its events in the order it decided them.
 */
class SharedState {
  readonly peers = new Map<string, StoredPeer>();
  readonly rooms = new Map<string, StoredRoom>();
  readonly leases = new Map<string, number>();
  readonly reapLocks = new Map<string, number>();
  /** Peer id → the nodes waiting for it to connect, each with when it stops waiting. */
  readonly watchers = new Map<string, Map<string, number>>();
  #order = 0;

  /** Join and connect order: a counter, raised by restored orders so later joins sort after them. */
  #next(): number {
    return ++this.#order;
  }

  constructor(
    private readonly publishRoom: (roomId: string, message: string) => void,
    private readonly publishNode: (nodeId: string, message: string) => number,
  ) {}

  claim(entry: PeerEntry, mode: 'new' | 'move'): ClaimResult {
    const old = this.peers.get(entry.id);
    let connectOrder = this.#next();
    let rooms = new Set<string>();
    if (old !== undefined && old.incarnation !== entry.incarnation) {
      if (mode === 'move') {
        connectOrder = old.connectOrder;
        rooms = old.rooms;
        for (const roomId of rooms) {
          const room = this.rooms.get(roomId);
          if (room !== undefined) this.#event(room, { op: 'move', v: ++room.version, peer: entry.id, node: entry.node });
        }
      } else {
        for (const roomId of [...old.rooms]) this.#removeMember(roomId, old, 'disconnected');
      }
      const takeover: TakeoverMessage = { op: 'takeover', peer: entry.id, incarnation: old.incarnation, mode, node: entry.node };
      this.publishNode(old.node, JSON.stringify(takeover));
    } else if (old !== undefined) {
      connectOrder = old.connectOrder;
      rooms = old.rooms;
    }
    this.peers.set(entry.id, { ...entry, connectOrder, rooms });
    this.#notifyWatchers(entry.id);
    return { existed: old !== undefined, rooms: [...rooms] };
  }

  lookup(peerId: string): { credential: string | undefined } | undefined {
    const peer = this.peers.get(peerId);
    return peer === undefined ? undefined : { credential: peer.credential };
  }

  watch(peerId: string, nodeId: string, ttlMs: number): boolean {
    if (this.peers.has(peerId)) return true;
    let nodes = this.watchers.get(peerId);
    if (nodes === undefined) this.watchers.set(peerId, (nodes = new Map()));
    nodes.set(nodeId, Date.now() + ttlMs);
    return false;
  }

  #notifyWatchers(peerId: string): void {
    const nodes = this.watchers.get(peerId);
    if (nodes === undefined) return;
    this.watchers.delete(peerId);
    const now = Date.now();
    for (const [nodeId, until] of nodes) if (until > now) this.publishNode(nodeId, JSON.stringify({ op: 'arrived', peer: peerId }));
  }

  removePeer(peerId: string, incarnation: string): void {
    const peer = this.peers.get(peerId);
    if (peer === undefined || peer.incarnation !== incarnation) return;
    for (const roomId of [...peer.rooms]) this.#removeMember(roomId, peer, 'disconnected');
    this.peers.delete(peerId);
  }

  restore(entry: PeerEntry, memberships: readonly RestoredMembership[], transfer: boolean): boolean {
    const old = this.peers.get(entry.id);
    if (old !== undefined && old.incarnation !== entry.incarnation) return false;
    const peer: StoredPeer = old ?? { ...entry, connectOrder: this.#next(), rooms: new Set() };
    this.peers.set(entry.id, peer);
    const wanted = new Set(memberships.map((m) => m.room));
    for (const roomId of [...peer.rooms]) if (!wanted.has(roomId)) this.#removeMember(roomId, peer, 'left');
    for (const membership of memberships) {
      let room = this.rooms.get(membership.room);
      const created = room === undefined;
      if (room === undefined) {
        room = this.#newRoom(membership.room, membership.name, membership.owner, membership.capacity, transfer);
      }
      if (room.members.has(entry.id)) continue;
      const order = membership.order === 0 ? this.#next() : membership.order;
      this.#order = Math.max(this.#order, order);
      room.members.set(entry.id, order);
      sortMembers(room);
      peer.rooms.add(room.id);
      this.#event(room, joinEvent(room, peer, order, created));
    }
    return true;
  }

  join(request: BackplaneJoin): BackplaneJoinResult {
    const peer = this.peers.get(request.peer.id);
    if (peer === undefined || peer.incarnation !== request.peer.incarnation) return { ok: false, code: 'replaced' };
    const existing = this.rooms.get(request.room);
    if (request.mode === 'create' && existing !== undefined) return { ok: false, code: 'room-exists' };
    if (request.mode === 'existing' && existing === undefined) return { ok: false, code: 'room-not-found' };
    if (existing?.members.has(peer.id)) return { ok: false, code: 'already-in-room' };
    if (existing !== undefined && existing.members.size >= existing.capacity) {
      return { ok: false, code: 'room-full', limit: existing.capacity };
    }
    if (peer.switchRooms) {
      for (const roomId of [...peer.rooms]) this.#removeMember(roomId, peer, 'left');
    }
    const room = existing ?? this.#newRoom(request.room, request.name, peer.id, request.capacity, request.transferOwnership);
    const order = this.#next();
    room.members.set(peer.id, order);
    peer.rooms.add(room.id);
    const event = joinEvent(room, peer, order, existing === undefined);
    this.#event(room, event);
    return { ok: true, version: event.v };
  }

  leave(request: BackplaneLeave): boolean {
    const peer = this.peers.get(request.peer);
    if (peer === undefined || (request.incarnation !== undefined && peer.incarnation !== request.incarnation)) return false;
    if (!this.rooms.get(request.room)?.members.has(peer.id)) return false;
    this.#removeMember(request.room, peer, request.reason);
    return true;
  }

  end(roomId: string, by: string | undefined): BackplaneEndResult {
    const room = this.rooms.get(roomId);
    if (room === undefined) return { ok: false, code: 'room-not-found' };
    if (by !== undefined && room.owner !== by) return { ok: false, code: 'not-room-owner' };
    const snapshot = this.snapshot(roomId) as RoomSnapshot;
    for (const peerId of room.members.keys()) this.peers.get(peerId)?.rooms.delete(roomId);
    this.#event(room, { op: 'end', v: ++room.version, by });
    this.rooms.delete(roomId);
    return { ok: true, room: snapshot };
  }

  createRoom(room: Omit<RoomSnapshot, 'version' | 'members'> & { transferOwnership: boolean }): boolean {
    if (this.rooms.has(room.id)) return false;
    this.#newRoom(room.id, room.name, room.owner, room.capacity, room.transferOwnership).keep = true;
    return true;
  }

  snapshot(roomId: string): RoomSnapshot | undefined {
    const room = this.rooms.get(roomId);
    if (room === undefined) return undefined;
    const members: MemberEntry[] = [];
    for (const [peerId, order] of room.members) {
      const peer = this.peers.get(peerId);
      if (peer !== undefined) members.push(memberOf(peer, order));
    }
    return { id: room.id, name: room.name, owner: room.owner, capacity: room.capacity, version: room.version, members, keep: room.keep };
  }

  forget(peerId: string, nodeId: string): void {
    const peer = this.peers.get(peerId);
    if (peer !== undefined && peer.node === nodeId) this.removePeer(peerId, peer.incarnation);
  }

  /** Removes every peer of a node whose lease is gone; stops as soon as the node is back. */
  reap(nodeId: string): void {
    for (const peer of [...this.peers.values()]) {
      if (this.leases.has(nodeId)) return;
      if (peer.node === nodeId) this.removePeer(peer.id, peer.incarnation);
    }
  }

  status(): StatusReport {
    const rooms: Record<string, string[]> = Object.create(null);
    for (const room of this.rooms.values()) if (room.members.size > 0) rooms[room.id] = [...room.members.keys()];
    const clients = [...this.peers.values()].sort((a, b) => a.connectOrder - b.connectOrder).map((peer) => peer.id);
    return { totalClients: clients.length, clients, rooms };
  }

  #newRoom(id: string, name: string, owner: string | undefined, capacity: number, transfer: boolean): StoredRoom {
    // Versions continue from the counter, so a room made again never repeats an old room's versions.
    const room: StoredRoom = {
      id,
      name,
      owner,
      capacity,
      version: this.#next(),
      createdOrder: this.#next(),
      keep: false,
      transfer,
      members: new Map(),
    };
    this.rooms.set(id, room);
    return room;
  }

  #removeMember(roomId: string, peer: StoredPeer, reason: LeaveReason): void {
    const room = this.rooms.get(roomId);
    peer.rooms.delete(roomId);
    if (room === undefined || !room.members.delete(peer.id)) return;
    if (room.owner === peer.id && room.transfer) room.owner = room.members.keys().next().value;
    this.#event(room, { op: 'leave', v: ++room.version, peer: peer.id, reason, owner: room.owner });
    if (room.members.size === 0) this.rooms.delete(roomId);
  }

  #event(room: StoredRoom, event: RoomEvent): void {
    this.publishRoom(room.id, JSON.stringify(event));
  }
}

function memberOf(peer: PeerEntry, order: number): MemberEntry {
  return { id: peer.id, node: peer.node, dialect: peer.dialect, scope: peer.scope, switchRooms: peer.switchRooms, order };
}

function joinEvent(room: StoredRoom, peer: PeerEntry, order: number, created: boolean): RoomEvent & { op: 'join' } {
  return { op: 'join', v: ++room.version, member: memberOf(peer, order), name: room.name, owner: room.owner, capacity: room.capacity, created };
}

function sortMembers(room: StoredRoom): void {
  const sorted = [...room.members].sort((a, b) => a[1] - b[1]);
  room.members.clear();
  for (const [id, order] of sorted) room.members.set(id, order);
}

/**
 * A backplane inside one process: several signaling servers sharing one instance behave as one cluster. For
 * tests, and for running several endpoints in one process. Delivery is asynchronous (microtasks), like a real
 * bus, and a node hears only its own channel and the rooms it subscribed to.
 *
 * @example
 * const bus = new MemoryBackplane();
 * attachSignaling(serverA, { backplane: bus.node() });
 * attachSignaling(serverB, { backplane: bus.node() });
 */
export class MemoryBackplane {
  readonly #nodes = new Map<string, { handlers: BackplaneHandlers; rooms: Set<string> }>();
  readonly #state = new SharedState(
    (roomId, message) => {
      for (const node of this.#nodes.values()) {
        if (node.rooms.has(roomId)) queueMicrotask(() => node.handlers.onRoomMessage(roomId, message));
      }
    },
    (nodeId, message) => this.#deliverToNode(nodeId, message),
  );
  #down = false;

  /** A backplane handle for one node. */
  node(): Backplane {
    let self: string | undefined;
    const bus = this;
    const state = this.#state;
    /** Runs a step of the shared state, or rejects at once while the bus is down (nothing is queued). */
    const step = async <T>(action: () => T): Promise<T> => {
      if (bus.#down) throw new Error('signalroom: the in-memory backplane is down');
      return action();
    };
    const rooms = () => bus.#nodes.get(self ?? '')?.rooms;
    return {
      get connected() {
        return !bus.#down;
      },
      async start(nodeId, handlers) {
        self = nodeId;
        bus.#nodes.set(nodeId, { handlers, rooms: new Set() });
      },
      async close() {
        if (self !== undefined) bus.#nodes.delete(self);
      },
      renewLease: (nodeId, ttlMs) =>
        step(() => {
          const live = (state.leases.get(nodeId) ?? 0) > Date.now();
          state.leases.set(nodeId, Date.now() + ttlMs);
          return live ? 'renewed' : 'lost';
        }),
      reapDeadNodes: (selfId, lockMs) =>
        step(() => {
          const now = Date.now();
          const nodes = new Set([...state.peers.values()].map((peer) => peer.node));
          for (const nodeId of nodes) {
            if (nodeId === selfId || (state.leases.get(nodeId) ?? 0) > now) continue;
            if ((state.reapLocks.get(nodeId) ?? 0) > now) continue;
            state.leases.delete(nodeId);
            state.reapLocks.set(nodeId, now + lockMs);
            state.reap(nodeId);
            state.reapLocks.delete(nodeId);
          }
        }),
      removeNode: (nodeId) =>
        step(() => {
          state.leases.delete(nodeId);
          state.reap(nodeId);
        }),
      claimPeer: (peer, mode) => step(() => state.claim(peer, mode)),
      lookupPeer: (peerId) => step(() => state.lookup(peerId)),
      watchPeer: (peerId, nodeId, ttlMs) => step(() => state.watch(peerId, nodeId, ttlMs)),
      removePeer: (peerId, incarnation) => step(() => state.removePeer(peerId, incarnation)),
      restorePeer: (peer, memberships, transfer) => step(() => state.restore(peer, memberships, transfer)),
      forgetPeer: (peerId, nodeId) => step(() => state.forget(peerId, nodeId)),
      nodePeers: (nodeId) => step(() => [...state.peers.values()].filter((p) => p.node === nodeId).map((p) => p.id)),
      subscribeRoom: async (roomId) => void rooms()?.add(roomId),
      unsubscribeRoom: async (roomId) => void rooms()?.delete(roomId),
      roomSnapshot: (roomId) => step(() => state.snapshot(roomId)),
      join: (request) => step(() => state.join(request)),
      leave: (request) => step(() => state.leave(request)),
      end: (roomId, by) => step(() => state.end(roomId, by)),
      createRoom: (room) => step(() => state.createRoom(room)),
      sendToNode: (nodeId, message) => step(() => bus.#deliverToNode(nodeId, message) > 0),
      sendToPeer: (peerId, message) =>
        step(() => {
          const peer = state.peers.get(peerId);
          return peer !== undefined && bus.#deliverToNode(peer.node, message) > 0;
        }),
      publishToRoom(roomId, message) {
        if (bus.#down) return;
        for (const node of bus.#nodes.values()) {
          if (node.rooms.has(roomId)) queueMicrotask(() => node.handlers.onRoomMessage(roomId, message));
        }
      },
      status: () => step(() => state.status()),
      summary: () =>
        step(() => ({
          peers: state.peers.size,
          rooms: state.rooms.size,
          nodes: [...state.leases.values()].filter((expires) => expires > Date.now()).length,
        })),
    };
  }

  /** Simulates an outage (`true`) and its end (`false`), telling every node. */
  setDown(down: boolean): void {
    if (this.#down === down) return;
    this.#down = down;
    for (const { handlers } of this.#nodes.values()) (down ? handlers.onDisconnect : handlers.onReconnect)();
  }

  #deliverToNode(nodeId: string, message: string): number {
    const node = this.#nodes.get(nodeId);
    if (this.#down || node === undefined) return 0;
    queueMicrotask(() => node.handlers.onNodeMessage(message));
    return 1;
  }
}
