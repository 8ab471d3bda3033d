import type { SignalingCore } from '../core/core.js';
import type { Connection, LeaveReason, OutboundEvent, PeerInfo, RoutingScope, Signal, SignalingEvents } from '../core/types.js';
import type { Backplane } from './backplane.js';

/** Timing of a cluster node. */
export interface ClusterTiming {
  /** Milliseconds between snapshots (the node heartbeat) and reconciliations. @default 5000 */
  heartbeatInterval: number;
  /** Milliseconds after its last heartbeat that a node counts as dead. @default 10000 */
  nodeTimeout: number;
}

export const CLUSTER_DEFAULTS: ClusterTiming = { heartbeatInterval: 5_000, nodeTimeout: 10_000 };

/** A peer as nodes describe their own to each other. */
interface PeerState {
  id: string;
  dialect: string;
  scope: RoutingScope;
  switchRooms: boolean;
  rooms: Array<{ id: string; name: string; owner: string | undefined }>;
}

/** One node's snapshot: its own peers and their rooms, numbered with its event sequence. */
interface NodeState {
  node: string;
  seq: number;
  peers: PeerState[];
}

type ClusterEvent =
  | { op: 'connect'; node: string; seq: number; peer: Omit<PeerState, 'rooms'> }
  | { op: 'disconnect'; node: string; seq: number; peer: string; reason: string }
  | { op: 'join'; node: string; seq: number; peer: string; room: string; name: string; owner: string | undefined }
  | { op: 'leave'; node: string; seq: number; peer: string; room: string; reason: LeaveReason }
  | { op: 'end'; node: string; seq: number; room: string }
  | { op: 'moved'; node: string; seq: number; peer: string };

/** What a cluster node needs from the signaling server it belongs to. */
export interface ClusterHost {
  readonly core: SignalingCore;
  /**
   * A peer of ours resumed on another node: forget its grace period, or retire its old socket, without a leave.
   * `previous` is the connection it had here.
   */
  releasePeer(peerId: string, previous: Connection | undefined): void;
  /** Decodes a relayed frame again with the codec that first decoded it (signals travel as their raw text). */
  decodeSignal(dialect: string, raw: string): Signal | undefined;
}

/**
 * Makes one node's core part of a cluster. Every node mirrors every peer and room: peers on other nodes are
 * ordinary peers whose connection forwards signals over the backplane, so routing, rooms and notices work as
 * on one node. Changes made here are broadcast as events (fast path); every heartbeat each node also stores a
 * numbered snapshot of its own peers and reconciles its mirror with everyone else's (convergence after lost
 * events, outages, a restarted backplane, or a node that died without a word).
 */
export class ClusterNode {
  readonly nodeId = globalThis.crypto.randomUUID();
  #seq = 0;
  /** The newest event sequence applied from each other node. */
  readonly #applied = new Map<string, number>();
  #applyingRemote = false;
  #timer: NodeJS.Timeout | undefined;
  /** Since when the backplane has been up without interruption (deaths are judged only after a full timeout). */
  #upSince = Date.now();
  #closed = false;
  readonly #unsubscribe: () => void;

  constructor(
    private readonly host: ClusterHost,
    private readonly backplane: Backplane,
    private readonly timing: ClusterTiming = CLUSTER_DEFAULTS,
  ) {
    this.#unsubscribe = this.#followLocalChanges(host.core);
  }

  /** Whether the backplane is up. */
  get connected(): boolean {
    return this.backplane.connected;
  }

  async start(): Promise<void> {
    await this.backplane.start(this.nodeId, {
      onEvent: (message) => this.#guard(() => this.#applyEvent(JSON.parse(message) as ClusterEvent)),
      onDirect: (message) => this.#guard(() => this.#applyDirect(message)),
      onReconnect: () => {
        this.#upSince = Date.now();
        void this.heartbeat();
      },
      onDisconnect: () => {},
    });
    this.#timer = setInterval(() => void this.heartbeat(), this.timing.heartbeatInterval);
    this.#timer.unref();
    await this.heartbeat();
  }

  /** Stores our snapshot and reconciles with everyone else's. Runs every heartbeat; safe to call any time. */
  async heartbeat(): Promise<void> {
    if (this.#closed || !this.backplane.connected) return;
    try {
      await this.backplane.saveState(this.nodeId, JSON.stringify(this.#snapshot()), this.timing.nodeTimeout);
      const states = await this.backplane.loadStates();
      this.#guard(() => this.#reconcile(states));
    } catch (error) {
      // The backplane dropped mid-way; the next heartbeat after it returns catches up.
      if (this.backplane.connected) this.host.core.reportError(error);
    }
  }

  /** Leaves the cluster: our peers are already gone (each broadcast), so drop our snapshot and disconnect. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#unsubscribe();
    try {
      if (this.backplane.connected) await this.backplane.removeState(this.nodeId);
    } finally {
      await this.backplane.close();
    }
  }

  /**
   * A connection for a peer on another node: signals go over the backplane, everything else is its node's job.
   * A signal travels as a one-line JSON header (`[from, to, dialect]`) and the sender's frame as received, so
   * the frame is neither re-serialised nor escaped; the receiving node decodes it again with the same codec.
   */
  remoteConnection(peerId: string, nodeId: string): Connection {
    return {
      send: (event: OutboundEvent) => {
        if (event.kind !== 'signal') return true;
        const header = JSON.stringify([event.from, peerId, event.signal.dialect]);
        return this.backplane.send(nodeId, `${header}\n${event.signal.raw}`);
      },
      close: () => {},
    };
  }

  // ---- local changes → events ---------------------------------------------------------------------------

  #followLocalChanges(core: SignalingCore): () => void {
    const local = (peer: PeerInfo) => !this.#applyingRemote && peer.node === undefined;
    const listeners: Partial<SignalingEvents> = {
      'peer:connect': ({ peer }) => {
        if (!local(peer)) return;
        const record = this.#describe(peer.id);
        if (record !== undefined) this.#broadcast({ op: 'connect', peer: { id: record.id, dialect: record.dialect, scope: record.scope, switchRooms: record.switchRooms } });
      },
      'peer:disconnect': ({ peer, reason }) => {
        if (local(peer)) this.#broadcast({ op: 'disconnect', peer: peer.id, reason });
      },
      'room:join': ({ room, peer }) => {
        if (!this.#applyingRemote) this.#broadcast({ op: 'join', peer: peer.id, room: room.id, name: room.name, owner: room.owner });
      },
      'room:leave': ({ room, peer, reason }) => {
        // A peer leaving because its connection (or node) is gone is the disconnect's business.
        if (!this.#applyingRemote && reason !== 'ended' && reason !== 'disconnected') {
          this.#broadcast({ op: 'leave', peer: peer.id, room: room.id, reason });
        }
      },
      'room:end': ({ room }) => {
        if (!this.#applyingRemote) this.#broadcast({ op: 'end', room: room.id });
      },
      'peer:resume': ({ peer }) => {
        if (!this.#applyingRemote) this.#broadcast({ op: 'moved', peer: peer.id });
      },
    };
    for (const [event, listener] of Object.entries(listeners)) core.on(event as never, listener as never);
    return () => {
      for (const [event, listener] of Object.entries(listeners)) core.off(event as never, listener as never);
    };
  }

  #broadcast(event: { op: string } & Record<string, unknown>): void {
    this.backplane.broadcast(JSON.stringify({ ...event, node: this.nodeId, seq: ++this.#seq }));
  }

  // ---- events → the mirror -------------------------------------------------------------------------------

  #applyEvent(event: ClusterEvent): void {
    if (event.node === this.nodeId) return;
    if (event.seq <= (this.#applied.get(event.node) ?? 0)) return;
    this.#applied.set(event.node, event.seq);
    const core = this.host.core;
    switch (event.op) {
      case 'connect':
        return this.#ensurePeer(event.node, { ...event.peer, rooms: [] });
      case 'disconnect':
        if (core.peer(event.peer)?.node === event.node) core.disconnect(event.peer, event.reason);
        return;
      case 'join':
        this.#ensurePeer(event.node, undefined, event.peer);
        return core.applyJoin(event.peer, event.room, { name: event.name, ...(event.owner === undefined ? {} : { owner: event.owner }) });
      case 'leave':
        return core.applyLeave(event.peer, event.room, event.reason);
      case 'end':
        core.endRoom(event.room);
        return;
      case 'moved': {
        const peer = core.peer(event.peer);
        if (peer === undefined) return this.#ensurePeer(event.node, undefined, event.peer);
        const previous = core.replaceConnection(event.peer, this.remoteConnection(event.peer, event.node), event.node);
        if (peer.node === undefined) this.host.releasePeer(event.peer, previous);
        return;
      }
    }
  }

  #applyDirect(message: string): void {
    const split = message.indexOf('\n');
    const [from, to, dialect] = JSON.parse(message.slice(0, split)) as [string, string, string];
    const signal = this.host.decodeSignal(dialect, message.slice(split + 1));
    if (signal !== undefined) this.host.core.deliver(from, to, signal);
  }

  /** Registers a peer of another node in the mirror, if it is not known yet. */
  #ensurePeer(nodeId: string, state: PeerState | undefined, peerId: string | undefined = state?.id): void {
    if (peerId === undefined || this.host.core.peer(peerId) !== undefined) return;
    this.host.core.connect(this.remoteConnection(peerId, nodeId), {
      id: peerId,
      node: nodeId,
      dialect: state?.dialect ?? 'console',
      scope: state?.scope ?? 'room',
      switchRooms: state?.switchRooms ?? false,
    });
  }

  // ---- snapshots ---------------------------------------------------------------------------------------------

  #describe(peerId: string): PeerState | undefined {
    const peer = this.host.core.peer(peerId);
    if (peer === undefined) return undefined;
    return {
      id: peer.id,
      dialect: peer.dialect,
      scope: peer.scope,
      switchRooms: peer.switchRooms,
      rooms: peer.rooms.map((id) => {
        const room = this.host.core.room(id);
        return { id, name: room?.name ?? '', owner: room?.owner };
      }),
    };
  }

  #snapshot(): NodeState {
    const peers: PeerState[] = [];
    for (const peer of this.host.core.peers()) {
      if (peer.node !== undefined) continue;
      const state = this.#describe(peer.id);
      if (state !== undefined) peers.push(state);
    }
    return { node: this.nodeId, seq: this.#seq, peers };
  }

  /** Makes the mirror of every other node match its snapshot; forgets nodes whose heartbeat stopped. */
  #reconcile(states: Map<string, string>): void {
    const core = this.host.core;
    const seen = new Set<string>();
    for (const [nodeId, text] of states) {
      if (nodeId === this.nodeId) continue;
      seen.add(nodeId);
      const state = JSON.parse(text) as NodeState;
      // Events newer than the snapshot were applied already: an older picture must not undo them.
      if (state.seq < (this.#applied.get(nodeId) ?? 0)) continue;
      this.#applied.set(nodeId, state.seq);
      this.#applyingRemote = true;
      try {
        this.#reconcileNode(nodeId, state);
      } finally {
        this.#applyingRemote = false;
      }
    }
    // A node without a snapshot is dead, once we have been up long enough to have seen its heartbeat.
    if (Date.now() - this.#upSince < this.timing.nodeTimeout) return;
    this.#applyingRemote = true;
    try {
      for (const peer of core.peers()) {
        if (peer.node !== undefined && !seen.has(peer.node)) core.disconnect(peer.id, 'node-lost');
      }
    } finally {
      this.#applyingRemote = false;
    }
  }

  #reconcileNode(nodeId: string, state: NodeState): void {
    const core = this.host.core;
    const wanted = new Map(state.peers.map((peer) => [peer.id, peer]));
    for (const peer of core.peers()) {
      if (peer.node === nodeId && !wanted.has(peer.id)) core.disconnect(peer.id, 'node-lost');
    }
    for (const peerState of state.peers) {
      const existing = core.peer(peerState.id);
      // Our own peer (it resumed here) wins over another node's stale picture of it.
      if (existing !== undefined && existing.node !== nodeId) continue;
      this.#ensurePeer(nodeId, peerState);
      const rooms = new Set(peerState.rooms.map((room) => room.id));
      for (const room of core.peer(peerState.id)?.rooms ?? []) {
        if (!rooms.has(room)) core.applyLeave(peerState.id, room, 'left');
      }
      for (const room of peerState.rooms) {
        core.applyJoin(peerState.id, room.id, { name: room.name, ...(room.owner === undefined ? {} : { owner: room.owner }) });
      }
    }
  }

  #guard(action: () => void): void {
    const wasApplying = this.#applyingRemote;
    this.#applyingRemote = true;
    try {
      action();
    } catch (error) {
      this.host.core.reportError(error);
    } finally {
      this.#applyingRemote = wasApplying;
    }
  }
}
