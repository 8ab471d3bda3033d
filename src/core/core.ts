import { TypedEmitter } from 'tiny-typed-emitter';
import { SignalingError, type SignalingErrorCode } from '../errors.js';
import { assertInteger, resolveCoreOptions, type CoreOptions, type ResolvedCoreOptions } from './options.js';
import { PeerRecord, RoomRecord } from './records.js';
import { CoreStats } from './stats.js';
import type {
  Command,
  Connection,
  DisconnectReason,
  LeaveReason,
  OutboundEvent,
  PeerInfo,
  PeerOptions,
  RoomInfo,
  Signal,
  SignalFault,
  SignalingEvents,
  StatusReport,
} from './types.js';

/** Options of {@link SignalingCore.createRoom}. */
export interface CreateRoomOptions {
  /** The room id. @default a generated id */
  id?: string;
  /** A display label, sent to connector clients as `name`. @default '' */
  name?: string;
  /** Application data kept with the room and shown in {@link RoomInfo}. */
  metadata?: Record<string, unknown>;
  /** Most peers in this room. @default options.maxPeersPerRoom */
  capacity?: number;
  /** The peer id allowed to end the room from a client (any id; it need not be connected yet). */
  owner?: string;
}

/** Options of {@link SignalingCore.disconnectPeer}. */
export interface DisconnectOptions {
  /** WebSocket close code sent to the client. @default 1000 */
  code?: number;
  /** Close reason sent to the client (at most 123 bytes). @default 'disconnected by server' */
  reason?: string;
}

/**
 * The transport-agnostic heart of signalroom: it holds peers and rooms, routes signals and emits typed events.
 * It does no I/O and keeps no timers; it talks to each client through a {@link Connection} and is driven by
 * {@link SignalingCore.handle}. Two cores are two independent worlds.
 *
 * Every state change is finished, and every affected client told, before the matching event is emitted, so a
 * listener always sees a consistent state. A listener that throws does not break that: its error goes to the
 * `'error'` event (or to `console.error` when nobody listens to `'error'`).
 *
 * @example
 * const core = new SignalingCore({ maxPeersPerRoom: 8 });
 * core.on('room:join', ({ room, peer }) => console.log(`${peer.id} joined ${room.id}`));
 * const peerId = core.connect({ send: (event) => ws.send(encode(event)), close: (c, r) => ws.close(c, r) });
 * core.handle(peerId, { kind: 'join', room: 'lobby', mode: 'auto' });
 */
export class SignalingCore extends TypedEmitter<SignalingEvents> {
  /** The resolved options, defaults filled in. */
  readonly options: Readonly<ResolvedCoreOptions>;
  /** Running totals (connects, joins, leaves, signals by type, errors by code, disconnects by reason). */
  readonly stats = new CoreStats();
  readonly #peers = new Map<string, PeerRecord>();
  readonly #rooms = new Map<string, RoomRecord>();

  constructor(options: CoreOptions = {}) {
    super();
    this.options = Object.freeze(resolveCoreOptions(options));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Driven by a transport

  /**
   * Registers a new client, sends it its id, and returns the id. An `options.id` that is already connected
   * replaces the older connection, which is closed with 1000 `replaced`.
   */
  connect(connection: Connection, options: PeerOptions = {}): string {
    const id = options.id ?? this.options.generateId({ kind: 'peer', dialect: options.dialect });
    if (this.#peers.has(id)) this.disconnectPeer(id, { reason: 'replaced' });
    const peer = new PeerRecord(
      id,
      connection,
      options.scope ?? 'room',
      options.switchRooms ?? false,
      options.dialect ?? 'console',
      options.data,
      options.allowedRooms === undefined ? undefined : new Set(options.allowedRooms),
      options.node,
    );
    this.#peers.set(id, peer);
    this.stats.connects++;
    connection.send({ kind: 'welcome', peerId: id });
    this.#notify('peer:connect', () => ({ peer: peer.info() }));
    return id;
  }

  /**
   * Hands a connected peer a new connection (it resumed its identity on a new socket): rooms and id stay, nothing
   * is announced. Returns the old connection, or `undefined` when the peer is not connected.
   */
  replaceConnection(peerId: string, connection: Connection, node?: string): Connection | undefined {
    const peer = this.#peers.get(peerId);
    if (peer === undefined) return undefined;
    const old = peer.connection;
    peer.connection = connection;
    peer.node = node;
    return old;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Applied from a backplane: changes another node already checked and carried out. No hooks, no limits.

  /** Puts a (remote) peer into a room another node admitted it to, creating the room if needed. */
  applyJoin(peerId: string, roomId: string, room: { name?: string; owner?: string } = {}): void {
    const peer = this.#peers.get(peerId);
    if (peer === undefined || this.#rooms.get(roomId)?.members.has(peerId)) return;
    const existing = this.#rooms.get(roomId);
    if (peer.switchRooms) for (const old of [...peer.rooms]) this.#removeMember(old, peer, 'left');
    const created = existing ?? this.#createRoom(roomId, room.name ?? '', room.owner ?? peerId);
    this.#enter(peer, created, existing === undefined);
  }

  /** Takes a peer out of a room as another node did, with that node's reason. */
  applyLeave(peerId: string, roomId: string, reason: LeaveReason): void {
    const room = this.#rooms.get(roomId);
    const peer = room?.members.get(peerId);
    if (room !== undefined && peer !== undefined) this.#removeMember(room, peer, reason);
  }

  /** Hands a signal another node routed to a peer connected here. Returns false when no such peer is here. */
  deliver(fromId: string, toId: string, signal: Signal): boolean {
    const target = this.#peers.get(toId);
    if (target === undefined || target.node !== undefined) return false;
    target.connection.send({ kind: 'signal', from: fromId, signal });
    return true;
  }

  /**
   * Carries out one command from a client. Commands from unknown (already disconnected) peers are ignored.
   * Returns a promise only while an async `authorizeJoin` decides; the caller must hold the peer's later
   * commands until it settles, so they are handled in arrival order.
   */
  handle(peerId: string, command: Command): void | Promise<void> {
    const peer = this.#peers.get(peerId);
    if (peer === undefined) return;
    switch (command.kind) {
      case 'signal':
        return this.#signal(peer, command.signal, command.fault);
      case 'join':
        return this.#join(peer, command.room, command.mode, command.name);
      case 'leave':
        return this.#leave(peer, command.room);
      case 'end':
        return this.#endByPeer(peer, command.room);
      case 'error':
        return this.#fail(peer, command.code, command.details);
    }
  }

  /**
   * The transport reports that a client's connection is gone. It leaves every room (the rooms are told, with
   * reason `'disconnected'`). Returns false when the peer was not connected.
   */
  disconnect(peerId: string, reason: DisconnectReason = 'closed'): boolean {
    const peer = this.#peers.get(peerId);
    if (peer === undefined) return false;
    const info = this.listenerCount('peer:disconnect') > 0 ? peer.info() : undefined;
    this.#peers.delete(peerId);
    this.stats.disconnect(reason);
    for (const room of [...peer.rooms]) this.#removeMember(room, peer, 'disconnected');
    this.#notify('peer:disconnect', () => ({ peer: info as PeerInfo, reason }));
    return true;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Server-side API

  /** How many peers are connected. */
  get peerCount(): number {
    return this.#peers.size;
  }

  /** How many rooms exist (rooms are deleted when they empty). */
  get roomCount(): number {
    return this.#rooms.size;
  }

  /** Every connected peer, in connect order. */
  peers(): PeerInfo[] {
    return [...this.#peers.values()].map((peer) => peer.info());
  }

  /** One peer, or `undefined`. */
  peer(peerId: string): PeerInfo | undefined {
    return this.#peers.get(peerId)?.info();
  }

  /** Every room, in creation order. */
  rooms(): RoomInfo[] {
    return [...this.#rooms.values()].map((room) => room.info());
  }

  /** One room, or `undefined`. */
  room(roomId: string): RoomInfo | undefined {
    return this.#rooms.get(roomId)?.info();
  }

  /** The ids of a room's members in join order; empty when the room does not exist. */
  members(roomId: string): string[] {
    const room = this.#rooms.get(roomId);
    return room === undefined ? [] : [...room.members.keys()];
  }

  /**
   * Creates a room from server code, before anyone joins. It stays while empty until it is ended, or until it
   * empties again after someone has joined it. Throws {@link SignalingError} `room-exists` or
   * `invalid-room-name`, and `TypeError` for a bad capacity.
   *
   * @example core.createRoom({ id: 'standup', name: 'Daily stand-up', capacity: 8, metadata: { team: 'core' } });
   */
  createRoom(options: CreateRoomOptions = {}): RoomInfo {
    const id = options.id ?? this.options.generateId({ kind: 'room', dialect: undefined });
    if (!this.#isValidRoomId(id)) throw new SignalingError('invalid-room-name', { room: id, limit: this.options.maxRoomIdLength });
    if (this.#rooms.has(id)) throw new SignalingError('room-exists', { room: id });
    const capacity = options.capacity ?? this.options.maxPeersPerRoom;
    assertInteger('capacity', capacity, 1);
    const room = new RoomRecord(id, options.name ?? '', options.owner, capacity, options.metadata);
    this.#rooms.set(id, room);
    const info = room.info();
    this.#notify('room:create', () => ({ room: info, peer: undefined }));
    return info;
  }

  /**
   * Sends an application frame to one peer. `data` is serialised as JSON as it is (give it a `type` so clients
   * can tell it apart). Returns false when the peer is not connected.
   *
   * @example core.send(peerId, { type: 'announcement', text: 'Maintenance at 18:00' });
   */
  send(peerId: string, data: unknown): boolean {
    const peer = this.#peers.get(peerId);
    if (peer === undefined) return false;
    peer.connection.send({ kind: 'message', data });
    return true;
  }

  /** Sends an application frame to every member of a room but `except`. Returns how many peers it reached. */
  broadcast(roomId: string, data: unknown, options: { except?: string } = {}): number {
    const room = this.#rooms.get(roomId);
    if (room === undefined) return 0;
    const event: OutboundEvent = { kind: 'message', data };
    let reached = 0;
    for (const member of room.members.values()) {
      if (member.id === options.except) continue;
      member.connection.send(event);
      reached++;
    }
    return reached;
  }

  /**
   * Removes a peer from a room. The peer is told it left with reason `'kicked'`; the others see it leave.
   * Returns false when the peer is not in that room.
   */
  kick(roomId: string, peerId: string): boolean {
    const room = this.#rooms.get(roomId);
    const peer = room?.members.get(peerId);
    if (room === undefined || peer === undefined) return false;
    this.#removeMember(room, peer, 'kicked');
    return true;
  }

  /** Ends a room: every member is told and removed, then the room is deleted. Returns false if it did not exist. */
  endRoom(roomId: string): boolean {
    const room = this.#rooms.get(roomId);
    if (room === undefined) return false;
    this.#end(room, undefined);
    return true;
  }

  /**
   * Disconnects a peer: it leaves its rooms at once (they are told) and its connection is closed.
   * Returns false when the peer was not connected.
   */
  disconnectPeer(peerId: string, options: DisconnectOptions = {}): boolean {
    const peer = this.#peers.get(peerId);
    if (peer === undefined) return false;
    this.disconnect(peerId, 'server');
    peer.connection.close(options.code ?? 1000, options.reason ?? 'disconnected by server');
    return true;
  }

  /** The `/status` document (docs/protocols.md): clients in connect order, non-empty rooms with members in join order. */
  status(): StatusReport {
    // A null-prototype object, so a room named `__proto__` is an ordinary key.
    const rooms: Record<string, string[]> = Object.create(null);
    for (const room of this.#rooms.values()) if (room.members.size > 0) rooms[room.id] = [...room.members.keys()];
    return { totalClients: this.#peers.size, clients: [...this.#peers.keys()], rooms };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Commands

  #signal(peer: PeerRecord, signal: Signal, fault: SignalFault | undefined): void {
    if (signal.to === undefined) return this.#broadcastSignal(peer, signal);
    const target = typeof signal.to === 'string' ? this.#peers.get(signal.to) : undefined;
    // One answer whether the id is unknown or out of reach, so errors reveal nobody's presence.
    if (target === undefined || !this.#mayReach(peer, target)) {
      return this.#fail(peer, 'target-unavailable-or-different-room', { to: signal.to });
    }
    if (fault !== undefined) return this.#fail(peer, fault.code, fault.details);
    if (target.connection.send({ kind: 'signal', from: peer.id, signal }) === false) {
      return this.#fail(peer, 'target-unavailable-or-different-room', { to: signal.to });
    }
    this.stats.signal(signal.type);
    if (this.listenerCount('signal') > 0) {
      this.#notify('signal', () => ({ from: peer.info(), to: target.info(), room: undefined, type: signal.type }));
    }
  }

  #broadcastSignal(peer: PeerRecord, signal: Signal): void {
    if (peer.rooms.length === 0) return this.#fail(peer, 'not-in-room');
    const event: OutboundEvent = { kind: 'signal', from: peer.id, signal };
    this.stats.signal(signal.type);
    // A peer in several rooms reaches each other member once, even when they share several rooms.
    const reached = peer.rooms.length > 1 ? new Set<string>([peer.id]) : undefined;
    for (const room of peer.rooms) {
      for (const member of room.members.values()) {
        if (member === peer || reached?.has(member.id)) continue;
        reached?.add(member.id);
        if (member.connection.send(event) === false) this.#fail(peer, 'target-unavailable-or-different-room', { to: member.id });
      }
      if (this.listenerCount('signal') > 0) {
        this.#notify('signal', () => ({ from: peer.info(), to: undefined, room: room.id, type: signal.type }));
      }
    }
  }

  /** Unicast needs a shared room unless both ends are `'open'`: an open peer cannot reach into a closed room. */
  #mayReach(sender: PeerRecord, target: PeerRecord): boolean {
    return (sender.scope === 'open' && target.scope === 'open') || sender.sharesRoomWith(target);
  }

  #join(
    peer: PeerRecord,
    requested: unknown,
    mode: 'auto' | 'create' | 'existing',
    name: string | undefined,
  ): void | Promise<void> {
    const roomId =
      requested === undefined && mode === 'create' ? this.options.generateId({ kind: 'room', dialect: peer.dialect }) : requested;
    if (!this.#isValidRoomId(roomId)) {
      // A room that must exist cannot have an impossible id: answer as the original does, "no such room".
      if (mode === 'existing' && typeof roomId === 'string') return this.#fail(peer, 'room-not-found', { room: roomId });
      return this.#fail(peer, 'invalid-room-name', { limit: this.options.maxRoomIdLength });
    }
    if (peer.allowedRooms !== undefined && !peer.allowedRooms.has(roomId)) return this.#fail(peer, 'forbidden', { room: roomId });
    const authorize = this.options.authorizeJoin;
    if (authorize === undefined) return this.#admit(peer, roomId, mode, name);
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = authorize({ peer: peer.info(), room: roomId, create: !this.#rooms.has(roomId) });
    } catch (error) {
      this.reportError(error);
      return this.#fail(peer, 'forbidden', { room: roomId });
    }
    if (typeof verdict === 'boolean') {
      return verdict ? this.#admit(peer, roomId, mode, name) : this.#fail(peer, 'forbidden', { room: roomId });
    }
    return Promise.resolve(verdict).then(
      (allowed) => {
        // The world moved on while the hook ran: admit re-checks everything, and a gone peer joins nothing.
        if (this.#peers.get(peer.id) !== peer) return;
        if (allowed === true) this.#admit(peer, roomId, mode, name);
        else this.#fail(peer, 'forbidden', { room: roomId });
      },
      (error: unknown) => {
        this.reportError(error);
        if (this.#peers.get(peer.id) === peer) this.#fail(peer, 'forbidden', { room: roomId });
      },
    );
  }

  /** Every check that depends on the current state, then the join itself. */
  #admit(peer: PeerRecord, roomId: string, mode: 'auto' | 'create' | 'existing', name: string | undefined): void {
    const existing = this.#rooms.get(roomId);
    if (mode === 'create' && existing !== undefined) return this.#fail(peer, 'room-exists', { room: roomId });
    if (mode === 'existing' && existing === undefined) return this.#fail(peer, 'room-not-found', { room: roomId });
    if (existing?.members.has(peer.id)) {
      if (mode !== 'auto') return this.#fail(peer, 'already-in-room', { room: roomId });
      // Joining the room one is in again: answer as for a join, change nothing.
      peer.connection.send({ kind: 'joined', room: existing, created: false });
      peer.connection.send({ kind: 'room-peers', room: existing, peers: othersIn(existing, peer) });
      return;
    }
    if (existing !== undefined && existing.members.size >= existing.capacity) {
      return this.#fail(peer, 'room-full', { room: roomId, limit: existing.capacity });
    }
    if (!peer.switchRooms && peer.rooms.length >= this.options.maxRoomsPerPeer) {
      return this.#fail(peer, 'too-many-rooms', { limit: this.options.maxRoomsPerPeer });
    }
    // Every check passed: only now leave the old room, so a refused join changes nothing.
    if (peer.switchRooms) for (const old of [...peer.rooms]) this.#removeMember(old, peer, 'left');

    this.#enter(peer, existing ?? this.#createRoom(roomId, name ?? '', peer.id), existing === undefined);
  }

  /** The join itself: membership, the three notices in their order, the events. */
  #enter(peer: PeerRecord, room: RoomRecord, created: boolean): void {
    room.members.set(peer.id, peer);
    peer.enter(room);
    peer.connection.send({ kind: 'joined', room, created });
    const notice: OutboundEvent = { kind: 'peer-joined', room, peerId: peer.id };
    for (const member of room.members.values()) if (member !== peer) member.connection.send(notice);
    peer.connection.send({ kind: 'room-peers', room, peers: othersIn(room, peer) });

    this.stats.joins++;
    if (created) this.#notify('room:create', () => ({ room: room.info(), peer: peer.info() }));
    this.#notify('room:join', () => ({ room: room.info(), peer: peer.info() }));
  }

  #leave(peer: PeerRecord, requested: unknown): void {
    if (requested === undefined) {
      // Console dialect: "the current room". A peer in several rooms leaves the one it joined first.
      const current = peer.rooms[0];
      if (current === undefined) return this.#fail(peer, 'not-in-room');
      return this.#removeMember(current, peer, 'left');
    }
    const room = this.#existingRoom(peer, requested);
    if (room === undefined) return;
    if (!room.members.has(peer.id)) return this.#fail(peer, 'not-in-room', { room: requested });
    this.#removeMember(room, peer, 'left');
  }

  #endByPeer(peer: PeerRecord, requested: unknown): void {
    const room = this.#existingRoom(peer, requested);
    if (room === undefined) return;
    if (room.owner !== peer.id) return this.#fail(peer, 'not-room-owner', { room: room.id });
    this.#end(room, peer);
  }

  /** The room a leave or end names, or `undefined` once the peer has been told why there is none. */
  #existingRoom(peer: PeerRecord, requested: unknown): RoomRecord | undefined {
    if (typeof requested !== 'string') {
      this.#fail(peer, 'invalid-room-name', { limit: this.options.maxRoomIdLength });
      return undefined;
    }
    // An id too long (or empty) to exist names no room, which is what the client is told.
    const room = this.#rooms.get(requested);
    if (room === undefined) this.#fail(peer, 'room-not-found', { room: requested });
    return room;
  }

  // ---------------------------------------------------------------------------------------------------------
  // State changes shared by commands and the server API

  #createRoom(id: string, name: string, owner: string): RoomRecord {
    const room = new RoomRecord(id, name, owner, this.options.maxPeersPerRoom, undefined);
    this.#rooms.set(id, room);
    return room;
  }

  /** Takes a peer out of a room, tells the peer (unless it is gone) and the rest, and deletes an empty room. */
  #removeMember(room: RoomRecord, peer: PeerRecord, reason: LeaveReason): void {
    room.members.delete(peer.id);
    peer.forget(room);
    if (reason !== 'disconnected' && reason !== 'ended') peer.connection.send({ kind: 'left', room, reason });
    const notice: OutboundEvent = { kind: 'peer-left', room, peerId: peer.id, reason };
    for (const member of room.members.values()) member.connection.send(notice);
    // By default the creator stays the owner even after it left, as in the original; with ownershipTransfer the
    // right to end the room passes to the longest-standing member, so a room never loses it.
    if (this.options.ownershipTransfer && room.owner === peer.id) room.owner = room.members.keys().next().value;
    this.stats.leaves[reason]++;
    this.#notify('room:leave', () => ({ room: room.info(), peer: peer.info(), reason }));
    if (room.members.size === 0) this.#deleteRoom(room);
  }

  /** Ends a room: tells every member (and the requester), empties it, then deletes it. */
  #end(room: RoomRecord, by: PeerRecord | undefined): void {
    const notice: OutboundEvent = { kind: 'room-ended', room };
    for (const member of room.members.values()) member.connection.send(notice);
    if (by !== undefined && !room.members.has(by.id)) by.connection.send(notice);
    const ended = room.info();
    const members = [...room.members.values()];
    room.members.clear();
    for (const member of members) member.forget(room);
    this.stats.leaves.ended += members.length;
    for (const member of members) this.#notify('room:leave', () => ({ room: ended, peer: member.info(), reason: 'ended' }));
    this.#notify('room:end', () => ({ room: ended, by: by?.info() }));
    this.#deleteRoom(room);
  }

  #deleteRoom(room: RoomRecord): void {
    if (this.#rooms.get(room.id) !== room) return;
    this.#rooms.delete(room.id);
    this.#notify('room:delete', () => ({ room: room.info() }));
  }

  #isValidRoomId(room: unknown): room is string {
    return typeof room === 'string' && room.length > 0 && room.length <= this.options.maxRoomIdLength;
  }

  #fail(peer: PeerRecord, code: SignalingErrorCode, details: Record<string, unknown> = {}): void {
    peer.connection.send({ kind: 'error', code, details });
    this.stats.error(code);
    this.#notify('peer:error', () => ({ peer: peer.info(), error: new SignalingError(code, details) }));
  }

  /**
   * Emits an event whose payload is built only when someone listens. A throwing listener must not leave a
   * half-done state change behind, so its error is routed to `'error'` instead of unwinding the caller.
   */
  #notify<E extends Exclude<keyof SignalingEvents, 'error'>>(
    event: E,
    payload: () => Parameters<SignalingEvents[E]>[0],
  ): void {
    if (this.listenerCount(event) === 0) return;
    try {
      (this.emit as (event: E, payload: unknown) => boolean)(event, payload());
    } catch (error) {
      this.reportError(error);
    }
  }

  /** Routes an unexpected error to `'error'` listeners, or to `console.error` when there are none. */
  reportError(error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else console.error('signalroom:', err);
  }
}

function othersIn(room: RoomRecord, peer: PeerRecord): string[] {
  const ids: string[] = [];
  for (const id of room.members.keys()) if (id !== peer.id) ids.push(id);
  return ids;
}
