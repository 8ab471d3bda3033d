import type { SignalingError, SignalingErrorCode } from '../errors.js';
import type { CoordinatedPeer, RoomCoordinator } from './coordinator.js';
import type { PeerRecord, RoomRecord } from './records.js';
import { othersIn, type CoreState } from './state.js';
import type { Command, OutboundEvent, Signal } from './types.js';

/** How a join asks for its room: see the `join` {@link Command}. */
export type JoinMode = 'auto' | 'create' | 'existing';

/**
 * Who hears how a join came out. A client's own join is answered on its connection; a join from server code
 * answers the server code, and the peer hears only the join itself.
 */
export interface JoinAnswer {
  /** The join was refused (nothing changed). */
  refused(code: SignalingErrorCode, details: Readonly<Record<string, unknown>>): void;
  /** The peer is in `room` (it joined, or it was in it already). */
  joined(room: RoomRecord): void;
  /** Whether the request came from server code: hooks and the peer's token do not apply, and a repeat says nothing. */
  readonly byServer: boolean;
}

/**
 * Carries out what a client asks for (a signal, a join, a leave, an end), with every check the request needs,
 * and server code's joins, which share the join's path. Nothing here keeps state of its own.
 */
export class CommandHandler {
  constructor(private readonly state: CoreState) {}

  handle(peer: PeerRecord, command: Command): void | Promise<void> {
    switch (command.kind) {
      case 'signal':
        return this.#signal(peer, command.signal, command.fault);
      case 'join':
        return this.join(peer, command.room, command.mode, command.name, this.#clientAnswer(peer));
      case 'leave':
        return this.#leave(peer, command.room);
      case 'end':
        return this.#endByPeer(peer, command.room);
      case 'reply':
        return void peer.connection.send({ kind: 'reply', data: command.data });
      case 'noop':
        return;
      case 'batch':
        return this.#batch(peer, command.commands, 0);
    }
  }

  /** The commands of one frame in order; one that waits for a hook holds the rest until it settles. */
  #batch(peer: PeerRecord, commands: readonly Command[], from: number): void | Promise<void> {
    for (let i = from; i < commands.length; i++) {
      // A command may end the peer (a join refused by the shared state does not, but a hook may disconnect it).
      if (this.state.peers.get(peer.id) !== peer) return;
      const pending = this.handle(peer, commands[i] as Command);
      if (pending !== undefined) return pending.then(() => this.#batch(peer, commands, i + 1));
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Signals

  #signal(peer: PeerRecord, signal: Signal, fault: SignalingError | undefined): void {
    if (signal.room !== undefined) return this.#publish(peer, signal.room, signal);
    if (signal.to === undefined) return this.#broadcast(peer, signal);
    const state = this.state;
    const target = typeof signal.to === 'string' ? (state.peers.get(signal.to) ?? state.remote.get(signal.to)) : undefined;
    if (target === undefined && peer.scope === 'open' && typeof signal.to === 'string' && state.coordinator !== undefined) {
      // Another node may have it: the coordinator finds it, or answers the sender as below.
      state.stats.signal(signal.type);
      return state.coordinator.route(peer.id, signal.to, signal);
    }
    // One answer whether the id is unknown or out of reach, so errors reveal nobody's presence.
    if (target === undefined || !mayReach(peer, target)) {
      return state.fail(peer, 'target-unavailable-or-different-room', { to: signal.to }, signal);
    }
    if (fault !== undefined) return state.fail(peer, fault.code, fault.details, undefined, fault);
    if (target.connection.send({ kind: 'signal', from: peer.id, signal }) === false) {
      return state.fail(peer, 'target-unavailable-or-different-room', { to: signal.to }, signal);
    }
    state.stats.signal(signal.type);
    if (state.listens('signal')) {
      state.notify('signal', () => ({ from: peer.info(), to: target.info(), room: undefined, type: signal.type }));
    }
  }

  /** To the rest of every room of the sender; each other member hears it once. */
  #broadcast(peer: PeerRecord, signal: Signal): void {
    const state = this.state;
    if (peer.rooms.length === 0) return state.fail(peer, 'not-in-room');
    const event: OutboundEvent = { kind: 'signal', from: peer.id, signal };
    state.stats.signal(signal.type);
    // A peer in several rooms reaches each other member once, even when they share several rooms.
    const reached = peer.rooms.length > 1 ? new Set<string>([peer.id]) : undefined;
    for (const room of peer.rooms) {
      for (const member of room.members.values()) {
        if (member === peer || !member.local || reached?.has(member.id)) continue;
        reached?.add(member.id);
        member.connection.send(event);
      }
      // Members on other nodes: one message for the room, which each node hands to its own members.
      if (room.members.size > room.localCount) state.coordinator?.broadcast(room.id, peer.id, signal);
      if (state.listens('signal')) state.notify('signal', () => ({ from: peer.info(), to: undefined, room: room.id, type: signal.type }));
    }
  }

  /** A publish to one room the sender is in: every member hears it, the sender too (y-webrtc topics). */
  #publish(peer: PeerRecord, roomId: string, signal: Signal): void {
    const state = this.state;
    const room = state.rooms.get(roomId);
    if (room === undefined || !room.members.has(peer.id)) return state.fail(peer, 'not-in-room', { room: roomId });
    const event: OutboundEvent = { kind: 'signal', from: peer.id, signal, room };
    state.stats.signal(signal.type);
    for (const member of room.members.values()) if (member.local) member.connection.send(event);
    if (room.members.size > room.localCount) state.coordinator?.broadcast(room.id, peer.id, signal);
    if (state.listens('signal')) state.notify('signal', () => ({ from: peer.info(), to: undefined, room: room.id, type: signal.type }));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Joins

  /** A client's join is answered on its own connection. */
  #clientAnswer(peer: PeerRecord): JoinAnswer {
    return { refused: (code, details) => this.state.fail(peer, code, details), joined: () => {}, byServer: false };
  }

  /**
   * A join, from a client or from server code. Returns a promise while an async `authorizeJoin` or the shared
   * state decides; the caller must hold the peer's later commands until it settles.
   */
  join(peer: PeerRecord, requested: unknown, mode: JoinMode, name: string | undefined, answer: JoinAnswer): void | Promise<void> {
    const state = this.state;
    const roomId = requested === undefined && mode === 'create' ? state.options.generateId({ kind: 'room', dialect: peer.dialect }) : requested;
    if (!state.isValidRoomId(roomId)) {
      // A room that must exist cannot have an impossible id: answer as the original does, "no such room".
      if (mode === 'existing' && typeof roomId === 'string') return answer.refused('room-not-found', { room: roomId });
      return answer.refused('invalid-room-name', { limit: state.options.maxRoomIdLength });
    }
    if (answer.byServer) return this.#admit(peer, roomId, mode, name, answer);
    if (peer.allowedRooms !== undefined && !peer.allowedRooms.has(roomId)) return answer.refused('forbidden', { room: roomId });
    const authorize = state.options.authorizeJoin;
    if (authorize === undefined) return this.#admit(peer, roomId, mode, name, answer);
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = authorize({ peer: peer.info(), room: roomId, create: !state.rooms.has(roomId) });
    } catch (error) {
      state.reportError(error);
      return answer.refused('forbidden', { room: roomId });
    }
    if (typeof verdict === 'boolean') {
      return verdict ? this.#admit(peer, roomId, mode, name, answer) : answer.refused('forbidden', { room: roomId });
    }
    return Promise.resolve(verdict).then(
      (allowed) => {
        // The world moved on while the hook ran: admit re-checks everything, and a gone peer joins nothing.
        if (state.peers.get(peer.id) !== peer) return;
        if (allowed === true) return this.#admit(peer, roomId, mode, name, answer);
        answer.refused('forbidden', { room: roomId });
      },
      (error: unknown) => {
        state.reportError(error);
        if (state.peers.get(peer.id) === peer) answer.refused('forbidden', { room: roomId });
      },
    );
  }

  /** Every check that depends on the current state, then the join itself. */
  #admit(peer: PeerRecord, roomId: string, mode: JoinMode, name: string | undefined, answer: JoinAnswer): void | Promise<void> {
    const state = this.state;
    const existing = state.rooms.get(roomId);
    if (mode === 'create' && existing !== undefined) return answer.refused('room-exists', { room: roomId });
    // In a cluster the room may exist without a peer of this node in it: the shared state says.
    if (mode === 'existing' && existing === undefined && state.coordinator === undefined) {
      return answer.refused('room-not-found', { room: roomId });
    }
    if (existing?.members.has(peer.id)) {
      if (mode !== 'auto') return answer.refused('already-in-room', { room: roomId });
      // Joining the room one is in again: answer a client as for a join, change nothing.
      if (!answer.byServer) {
        peer.connection.send({ kind: 'joined', room: existing, created: false });
        peer.connection.send({ kind: 'room-peers', room: existing, peers: othersIn(existing, peer) });
      }
      return answer.joined(existing);
    }
    if (existing !== undefined && existing.members.size >= existing.capacity) {
      return answer.refused('room-full', { room: roomId, limit: existing.capacity });
    }
    if (!peer.switchRooms && peer.rooms.length >= state.options.maxRoomsPerPeer) {
      return answer.refused('too-many-rooms', { limit: state.options.maxRoomsPerPeer });
    }
    if (state.coordinator !== undefined) return this.#admitShared(state.coordinator, peer, roomId, mode, name, answer);
    answer.joined(this.#admitHere(peer, existing, roomId, name));
  }

  /** The join decided here alone: capacity was checked above; leave the old room only now, so a refusal changes nothing. */
  #admitHere(peer: PeerRecord, existing: RoomRecord | undefined, roomId: string, name: string | undefined): RoomRecord {
    const state = this.state;
    if (peer.switchRooms) for (const old of [...peer.rooms]) state.removeMember(old, peer, 'left', true);
    const room = existing ?? state.createRoom(roomId, name ?? '', peer.id);
    state.enter(peer, room, existing === undefined);
    return room;
  }

  /** The join decided by the shared state (a cluster); its outcome comes back through the cluster replica. */
  #admitShared(
    coordinator: RoomCoordinator,
    peer: PeerRecord,
    roomId: string,
    mode: JoinMode,
    name: string | undefined,
    answer: JoinAnswer,
  ): Promise<void> {
    const state = this.state;
    return coordinator.join(describePeer(peer), roomId, mode, name ?? '').then(
      (result) => {
        if (state.peers.get(peer.id) !== peer) return;
        if (result.outcome === 'refused') return answer.refused(result.code, result.details);
        const existing = state.rooms.get(roomId);
        if (result.outcome === 'applied') return existing === undefined ? undefined : answer.joined(existing);
        // The shared state is out of reach: decide as a single node would; the cluster catches up later.
        if (existing?.members.has(peer.id)) return answer.joined(existing);
        if (mode === 'existing' && existing === undefined) return answer.refused('room-not-found', { room: roomId });
        if (existing !== undefined && existing.members.size >= existing.capacity) {
          return answer.refused('room-full', { room: roomId, limit: existing.capacity });
        }
        answer.joined(this.#admitHere(peer, existing, roomId, name));
      },
      (error: unknown) => {
        state.reportError(error);
        if (state.peers.get(peer.id) === peer) answer.refused('forbidden', { room: roomId });
      },
    );
  }

  // ---------------------------------------------------------------------------------------------------------
  // Leaves and ends

  #leave(peer: PeerRecord, requested: unknown): void {
    const state = this.state;
    if (requested === undefined) {
      // Console dialect: "the current room". A peer in several rooms leaves the one it joined first.
      const current = peer.rooms[0];
      if (current === undefined) return state.fail(peer, 'not-in-room');
      return state.removeMember(current, peer, 'left', true);
    }
    const room = this.#existingRoom(peer, requested);
    if (room === undefined) return;
    if (!room.members.has(peer.id)) return state.fail(peer, 'not-in-room', { room: requested });
    state.removeMember(room, peer, 'left', true);
  }

  #endByPeer(peer: PeerRecord, requested: unknown): void | Promise<void> {
    const state = this.state;
    const coordinator = state.coordinator;
    if (coordinator === undefined) return this.#endHere(peer, requested);
    if (typeof requested !== 'string') return state.fail(peer, 'invalid-room-name', { limit: state.options.maxRoomIdLength });
    return coordinator.end(requested, peer.id).then(
      (result) => {
        if (state.peers.get(peer.id) !== peer) return;
        if (result.outcome === 'refused') return state.fail(peer, result.code, result.details);
        // A requester who was not in the room is told here; members heard it from the cluster.
        if (result.outcome === 'ended' && !result.room.members.has(peer.id)) peer.connection.send({ kind: 'room-ended', room: result.room });
        if (result.outcome === 'local') this.#endHere(peer, requested);
      },
      (error: unknown) => state.reportError(error),
    );
  }

  #endHere(peer: PeerRecord, requested: unknown): void {
    const room = this.#existingRoom(peer, requested);
    if (room === undefined) return;
    if (room.owner !== peer.id) return this.state.fail(peer, 'not-room-owner', { room: room.id });
    this.state.end(room, peer, true);
  }

  /** The room a leave or end names, or `undefined` once the peer has been told why there is none. */
  #existingRoom(peer: PeerRecord, requested: unknown): RoomRecord | undefined {
    const state = this.state;
    if (typeof requested !== 'string') {
      state.fail(peer, 'invalid-room-name', { limit: state.options.maxRoomIdLength });
      return undefined;
    }
    // An id too long (or empty) to exist names no room, which is what the client is told.
    const room = state.rooms.get(requested);
    if (room === undefined) state.fail(peer, 'room-not-found', { room: requested });
    return room;
  }
}

/** Unicast needs a shared room unless both ends are `'open'`: an open peer cannot reach into a closed room. */
function mayReach(sender: PeerRecord, target: PeerRecord): boolean {
  return (sender.scope === 'open' && target.scope === 'open') || sender.sharesRoomWith(target);
}

/** A local peer as a coordinator describes it to other nodes. */
export function describePeer(peer: PeerRecord): CoordinatedPeer {
  const described = { id: peer.id, dialect: peer.dialect, scope: peer.scope, switchRooms: peer.switchRooms };
  return peer.credential === undefined ? described : { ...described, credential: peer.credential };
}
