import { SignalingError, type SignalingErrorCode } from '../errors.js';
import type { RoomCoordinator } from './coordinator.js';
import type { ResolvedCoreOptions } from './options.js';
import { PeerRecord, RoomRecord } from './records.js';
import type { CoreStats } from './stats.js';
import type { Connection, LeaveReason, OutboundEvent, PeerOptions, Signal, SignalingEvents } from './types.js';

/** The part of the core's emitter the state changes need: counting listeners, and emitting. */
export interface EventSink {
  listenerCount(event: keyof SignalingEvents): number;
  emit(event: keyof SignalingEvents, payload: unknown): boolean;
}

/** A member of a followed room as a cluster describes it; `node` undefined means a peer of this node. */
export interface ClusterMember {
  readonly id: string;
  readonly node: string | undefined;
  readonly dialect: string;
  readonly scope: 'room' | 'open';
  readonly switchRooms: boolean;
}

/**
 * The core's world: the peers of this node, stand-ins for members elsewhere, the rooms, and the state changes
 * every driver of the core shares (a client's commands, server code, a cluster's decisions). Each change tells
 * every affected connection before its event is emitted, so a listener always sees a consistent state.
 */
export class CoreState {
  /** The peers connected to this node, in connect order. */
  readonly peers = new Map<string, PeerRecord>();
  /** Stand-ins for peers on other nodes that share a room with a peer here (cluster only). */
  readonly remote = new Map<string, PeerRecord>();
  /** Rooms with at least one peer of this node (in a cluster), or every room (alone). */
  readonly rooms = new Map<string, RoomRecord>();
  /** Decides joins and ends with other nodes; `undefined` alone. */
  coordinator: RoomCoordinator | undefined;

  constructor(
    readonly options: Readonly<ResolvedCoreOptions>,
    readonly stats: CoreStats,
    private readonly events: EventSink,
  ) {}

  newPeer(id: string, connection: Connection, options: PeerOptions): PeerRecord {
    return new PeerRecord(
      id,
      connection,
      options.scope ?? 'room',
      options.switchRooms ?? false,
      options.dialect ?? 'console',
      options.data,
      options.allowedRooms === undefined ? undefined : new Set(options.allowedRooms),
      options.node,
      options.credential,
    );
  }

  /** The record of a room's member (a peer here, or a stand-in for one elsewhere), made on first sight. */
  memberRecord(member: ClusterMember): PeerRecord | undefined {
    if (member.node === undefined) return this.peers.get(member.id);
    if (this.peers.has(member.id)) return undefined; // ours: another node's stale view of it
    let standIn = this.remote.get(member.id);
    const coordinator = this.coordinator;
    if (standIn === undefined && coordinator !== undefined) {
      standIn = this.newPeer(member.id, coordinator.remoteConnection(member.id, member.node), member);
      this.remote.set(member.id, standIn);
    }
    return standIn;
  }

  createRoom(id: string, name: string, owner: string): RoomRecord {
    const room = new RoomRecord(id, name, owner, this.options.maxPeersPerRoom, undefined);
    this.rooms.set(id, room);
    return room;
  }

  /** The join itself: membership, the three notices in their order, the events. */
  enter(peer: PeerRecord, room: RoomRecord, created: boolean): void {
    room.members.set(peer.id, peer);
    if (peer.local) room.localCount++;
    peer.enter(room);
    peer.connection.send({ kind: 'joined', room, created });
    const notice: OutboundEvent = { kind: 'peer-joined', room, peerId: peer.id };
    for (const member of room.members.values()) if (member !== peer) member.connection.send(notice);
    peer.connection.send({ kind: 'room-peers', room, peers: othersIn(room, peer) });

    this.stats.joins++;
    if (created) this.notify('room:create', () => ({ room: room.info(), peer: peer.info() }));
    this.notify('room:join', () => ({ room: room.info(), peer: peer.info() }));
  }

  /**
   * Takes a peer out of a room, tells the peer (unless it is gone) and the rest, and deletes an empty room.
   * `propagate`: the change starts here (not applied from the shared state), so a coordinator is told.
   */
  removeMember(room: RoomRecord, peer: PeerRecord, reason: LeaveReason, propagate: boolean): void {
    room.members.delete(peer.id);
    if (peer.local) room.localCount--;
    peer.forget(room);
    if (!peer.local && peer.rooms.length === 0) this.remote.delete(peer.id);
    if (reason !== 'disconnected' && reason !== 'ended') peer.connection.send({ kind: 'left', room, reason });
    const notice: OutboundEvent = { kind: 'peer-left', room, peerId: peer.id, reason };
    for (const member of room.members.values()) member.connection.send(notice);
    // By default the creator stays the owner even after it left, as in the original; with ownershipTransfer the
    // right to end the room passes to the longest-standing member, so a room never loses it.
    if (this.options.ownershipTransfer && room.owner === peer.id) room.owner = room.members.keys().next().value;
    if (propagate && peer.local) this.coordinator?.left(peer.id, room.id, reason);
    this.stats.leaves[reason]++;
    this.notify('room:leave', () => ({ room: room.info(), peer: peer.info(), reason }));
    if (room.members.size === 0) this.deleteRoom(room);
    else if (room.localCount === 0 && this.coordinator !== undefined) this.releaseRoom(room);
  }

  /**
   * Ends a room: tells every member (and, when `tellRequester`, a requester outside it), empties it, then
   * deletes it.
   */
  end(room: RoomRecord, by: PeerRecord | undefined, tellRequester: boolean): void {
    const notice: OutboundEvent = { kind: 'room-ended', room };
    for (const member of room.members.values()) member.connection.send(notice);
    if (tellRequester && by !== undefined && !room.members.has(by.id)) by.connection.send(notice);
    const ended = room.info();
    const members = [...room.members.values()];
    room.members.clear();
    room.localCount = 0;
    for (const member of members) {
      member.forget(room);
      if (!member.local && member.rooms.length === 0) this.remote.delete(member.id);
    }
    this.stats.leaves.ended += members.length;
    for (const member of members) this.notify('room:leave', () => ({ room: ended, peer: member.info(), reason: 'ended' }));
    this.notify('room:end', () => ({ room: ended, by: by?.info() }));
    this.deleteRoom(room);
  }

  deleteRoom(room: RoomRecord): void {
    if (this.rooms.get(room.id) !== room) return;
    this.rooms.delete(room.id);
    this.coordinator?.released(room.id);
    this.notify('room:delete', () => ({ room: room.info() }));
  }

  /** No peer of this node is left in a room other nodes still use: stop holding it. */
  releaseRoom(room: RoomRecord): void {
    if (this.rooms.get(room.id) !== room) return;
    this.rooms.delete(room.id);
    for (const member of room.members.values()) {
      member.forget(room);
      if (!member.local && member.rooms.length === 0) this.remote.delete(member.id);
    }
    room.members.clear();
    this.coordinator?.released(room.id);
  }

  isValidRoomId(room: unknown): room is string {
    return typeof room === 'string' && room.length > 0 && room.length <= this.options.maxRoomIdLength;
  }

  /**
   * Answers a peer with an error: it is told, the error is counted, `peer:error` is emitted. `signal`: the unicast
   * that found nobody, for a transport that holds it until its target connects. `error`: the error to hand to
   * listeners, when the caller has one already.
   */
  fail(
    peer: PeerRecord,
    code: SignalingErrorCode,
    details: Readonly<Record<string, unknown>> = {},
    signal?: Signal,
    error?: SignalingError,
  ): void {
    peer.connection.send(signal === undefined ? { kind: 'error', code, details } : { kind: 'error', code, details, signal });
    this.stats.error(code);
    this.notify('peer:error', () => ({ peer: peer.info(), error: error ?? new SignalingError(code, details) }));
  }

  /** Whether anyone listens to `event` (so a caller can skip building what only a listener would read). */
  listens(event: keyof SignalingEvents): boolean {
    return this.events.listenerCount(event) > 0;
  }

  /**
   * Emits an event whose payload is built only when someone listens. A throwing listener must not leave a
   * half-done state change behind, so its error is routed to `'error'` instead of unwinding the caller.
   */
  notify<E extends Exclude<keyof SignalingEvents, 'error'>>(event: E, payload: () => Parameters<SignalingEvents[E]>[0]): void {
    if (this.events.listenerCount(event) === 0) return;
    try {
      this.events.emit(event, payload());
    } catch (error) {
      this.reportError(error);
    }
  }

  /** Routes an unexpected error to `'error'` listeners, or to `console.error` when there are none. */
  reportError(error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    if (this.events.listenerCount('error') > 0) this.events.emit('error', err);
    else console.error('signalroom:', err);
  }
}

/** The ids of a room's members but `peer`, in join order. */
export function othersIn(room: RoomRecord, peer: PeerRecord): string[] {
  const ids: string[] = [];
  for (const id of room.members.keys()) if (id !== peer.id) ids.push(id);
  return ids;
}
