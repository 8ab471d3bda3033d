import type { CoordinatedPeer } from './coordinator.js';
import { describePeer } from './commands.js';
import { RoomRecord } from './records.js';
import type { ClusterMember, CoreState } from './state.js';
import type { Connection, LeaveReason, OutboundEvent, PeerOptions, RoomInfo, Signal } from './types.js';

export type { ClusterMember } from './state.js';

/** A followed room's settings as the shared state has them. */
export interface ClusterRoom {
  readonly name: string;
  readonly owner: string | undefined;
  readonly capacity: number;
}

/**
 * What a cluster drives in the core: changes the shared state already decided (no hooks, no limits), signals
 * other nodes routed here, and what the cluster reads back after an outage. Made by the core for its
 * coordinator; never on the object users hold.
 */
export class ClusterReplica {
  constructor(private readonly state: CoreState) {}

  /**
   * A peer that resumed here from another node: registered without a welcome or an event, and put in place of its
   * stand-in in the rooms this node follows.
   */
  adopt(connection: Connection, options: PeerOptions & { id: string }): void {
    const state = this.state;
    const peer = state.newPeer(options.id, connection, options);
    state.peers.set(peer.id, peer);
    const standIn = state.remote.get(peer.id);
    if (standIn === undefined) return;
    state.remote.delete(peer.id);
    peer.rooms = standIn.rooms;
    for (const room of peer.rooms) {
      room.members.set(peer.id, peer);
      room.localCount++;
    }
  }

  /**
   * A peer of this node resumed on another one: it becomes a stand-in there, without a leave. Returns its old
   * connection, or `undefined` when it is not connected here.
   */
  release(peerId: string, node: string): Connection | undefined {
    const state = this.state;
    const peer = state.peers.get(peerId);
    const coordinator = state.coordinator;
    if (peer === undefined || coordinator === undefined) return undefined;
    state.peers.delete(peerId);
    const rooms = peer.rooms;
    if (rooms.length > 0) {
      const standIn = state.newPeer(peerId, coordinator.remoteConnection(peerId, node), {
        scope: peer.scope,
        switchRooms: peer.switchRooms,
        dialect: peer.dialect,
        data: peer.data,
        node,
      });
      standIn.rooms = rooms;
      state.remote.set(peerId, standIn);
      for (const room of rooms) {
        room.members.set(peerId, standIn);
        room.localCount--;
      }
      for (const room of rooms) if (room.localCount === 0) state.releaseRoom(room);
    }
    return peer.connection;
  }

  /** A member joined a room this node follows (a peer here or on `member.node`), as decided elsewhere. */
  applyJoin(roomId: string, member: ClusterMember, room: ClusterRoom, created: boolean): void {
    const state = this.state;
    const peer = state.memberRecord(member);
    if (peer === undefined) return;
    let record = state.rooms.get(roomId);
    if (record?.members.has(peer.id)) return;
    if (record === undefined) {
      record = new RoomRecord(roomId, room.name, room.owner, room.capacity, undefined);
      state.rooms.set(roomId, record);
    }
    state.enter(peer, record, created);
  }

  /** A member left a room this node follows, as decided elsewhere; `owner` is the owner after. */
  applyLeave(roomId: string, peerId: string, reason: LeaveReason, owner: string | undefined): void {
    const room = this.state.rooms.get(roomId);
    const peer = room?.members.get(peerId);
    if (room === undefined || peer === undefined) return;
    this.state.removeMember(room, peer, reason, false);
    room.owner = owner;
  }

  /** A room this node follows was ended elsewhere (or here, decided by the shared state). */
  applyEnd(roomId: string, by: string | undefined): void {
    const state = this.state;
    const room = state.rooms.get(roomId);
    if (room !== undefined) state.end(room, by === undefined ? undefined : state.peers.get(by), false);
  }

  /** A member of a room this node follows now lives on another node. */
  applyMove(peerId: string, node: string): void {
    const standIn = this.state.remote.get(peerId);
    const coordinator = this.state.coordinator;
    if (standIn === undefined || coordinator === undefined) return;
    standIn.connection = coordinator.remoteConnection(peerId, node);
    standIn.node = node;
  }

  /**
   * Makes a followed room match the shared state. `'silent'`: a room new here (a resumed peer brings it along),
   * members put in without notices. `'add'`: members it lacks join, with notices, nobody leaves (right after an
   * outage, while other nodes may still be writing their peers back). `'full'`: also, members on other nodes that
   * the shared state no longer has leave. A peer of this node never leaves here: its own truth wins.
   */
  syncRoom(snapshot: ClusterRoom & { id: string; members: readonly ClusterMember[] }, mode: 'silent' | 'add' | 'full'): void {
    const state = this.state;
    let room = state.rooms.get(snapshot.id);
    if (room === undefined) {
      room = new RoomRecord(snapshot.id, snapshot.name, snapshot.owner, snapshot.capacity, undefined);
      state.rooms.set(snapshot.id, room);
    }
    room.owner = snapshot.owner;
    if (mode === 'full') {
      const wanted = new Set(snapshot.members.map((member) => member.id));
      for (const member of [...room.members.values()]) {
        if (!member.local && !wanted.has(member.id)) state.removeMember(room, member, 'disconnected', false);
      }
      if (state.rooms.get(snapshot.id) !== room) return;
    }
    for (const entry of snapshot.members) {
      if (room.members.has(entry.id)) continue;
      const peer = state.memberRecord(entry);
      if (peer === undefined) continue;
      if (mode !== 'silent') {
        state.enter(peer, room, false);
      } else {
        room.members.set(peer.id, peer);
        if (peer.local) room.localCount++;
        peer.enter(room);
      }
    }
    // 'silent' installs a room a peer of ours is about to enter: it stays even before that.
    if (room.localCount === 0 && mode !== 'silent') state.releaseRoom(room);
  }

  /** Hands a signal another node routed to a peer connected here. Returns false when it is not here. */
  deliver(fromId: string, toId: string, signal: Signal, requireOpen: boolean): boolean {
    const target = this.state.peers.get(toId);
    if (target === undefined || (requireOpen && target.scope !== 'open')) return false;
    target.connection.send({ kind: 'signal', from: fromId, signal });
    return true;
  }

  /** Hands a broadcast from a member on another node (or server code there) to this node's members of the room. */
  deliverToRoom(roomId: string, fromId: string, event: { signal: Signal } | { data: unknown }): void {
    const room = this.state.rooms.get(roomId);
    if (room === undefined) return;
    const outbound: OutboundEvent =
      'signal' in event ? { kind: 'signal', from: fromId, signal: event.signal, room } : { kind: 'message', data: event.data };
    for (const member of room.members.values()) if (member.local && member.id !== fromId) member.connection.send(outbound);
  }

  /**
   * A unicast another node was asked to deliver found nobody: the sender is told, with the signal, as when the
   * target is unknown here.
   */
  undeliverable(fromId: string, to: string, signal: Signal | undefined): void {
    const peer = this.state.peers.get(fromId);
    if (peer !== undefined) this.state.fail(peer, 'target-unavailable-or-different-room', { to }, signal);
  }

  /** Every local peer with the rooms it is in, in join order (for re-announcing after an outage). */
  localMemberships(): Array<{ peer: CoordinatedPeer; rooms: RoomInfo[] }> {
    return [...this.state.peers.values()].map((peer) => ({ peer: describePeer(peer), rooms: peer.rooms.map((room) => room.info()) }));
  }

  /** The ids of the rooms this node follows. */
  followedRooms(): string[] {
    return [...this.state.rooms.keys()];
  }

  /** Whether this node holds a room (has a peer in it). */
  holds(roomId: string): boolean {
    return this.state.rooms.has(roomId);
  }

  /** Whether a peer is connected to this node. */
  hasLocal(peerId: string): boolean {
    return this.state.peers.has(peerId);
  }

  /** The core's options: the room cap a shared room is made with, the ownership rule it keeps. */
  get options(): CoreState['options'] {
    return this.state.options;
  }

  /** Routes an unexpected error where the core's own go. */
  reportError(error: unknown): void {
    this.state.reportError(error);
  }
}
