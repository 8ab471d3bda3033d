import { TypedEmitter } from 'tiny-typed-emitter';
import { SignalingError, type SignalingErrorCode } from '../errors.js';
import type { CoordinatedPeer, RoomCoordinator } from './coordinator.js';
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

/**
 * The close code of a connection whose id connected again elsewhere (a second tab, a reload): the newest
 * connection wins. Not 1000, so a client can tell "replaced" from a normal close and not reconnect in a loop.
 */
export const REPLACED_CLOSE_CODE = 4001;

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
  /** The peers connected to this node. */
  readonly #peers = new Map<string, PeerRecord>();
  /** Stand-ins for peers on other nodes that share a room with a peer here (cluster only). */
  readonly #remote = new Map<string, PeerRecord>();
  /** Rooms with at least one peer of this node (in a cluster), or every room (alone). */
  readonly #rooms = new Map<string, RoomRecord>();
  #coordinator: RoomCoordinator | undefined;

  constructor(options: CoreOptions = {}) {
    super();
    this.options = Object.freeze(resolveCoreOptions(options));
  }

  /**
   * @internal Makes this core one node of a cluster: joins and ends are decided by `coordinator`, which applies
   * them back through the `apply*` methods. Called once, by the cluster node, before any peer connects.
   */
  useCoordinator(coordinator: RoomCoordinator): void {
    this.#coordinator = coordinator;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Driven by a transport

  /**
   * Registers a new client, sends it its id, and returns the id. An `options.id` that is already connected
   * replaces the older peer: the newest connection wins. The old one leaves its rooms (once; reason
   * `'replaced'`) and its connection is closed with {@link REPLACED_CLOSE_CODE} `replaced`.
   */
  connect(connection: Connection, options: PeerOptions = {}): string {
    const id = options.id ?? this.options.generateId({ kind: 'peer', dialect: options.dialect });
    const previous = this.#peers.get(id);
    if (previous !== undefined) {
      this.disconnect(id, 'replaced');
      previous.connection.close(REPLACED_CLOSE_CODE, 'replaced');
    }
    const peer = this.#newPeer(id, connection, options);
    this.#peers.set(id, peer);
    this.stats.connects++;
    this.#coordinator?.peerConnected(describe(peer));
    connection.send({ kind: 'welcome', peerId: id });
    this.#notify('peer:connect', () => ({ peer: peer.info() }));
    return id;
  }

  /**
   * Whether `connection` is the one the peer uses now. A transport asks before reporting a socket closed, so an
   * old socket of an id that reconnected never removes the newer peer.
   */
  isCurrent(peerId: string, connection: Connection): boolean {
    return this.#peers.get(peerId)?.connection === connection;
  }

  /**
   * Hands a connected peer a new connection (it resumed its identity on a new socket): rooms and id stay, nothing
   * is announced. Returns the old connection, or `undefined` when the peer is not connected here.
   */
  replaceConnection(peerId: string, connection: Connection): Connection | undefined {
    const peer = this.#peers.get(peerId);
    if (peer === undefined) return undefined;
    const old = peer.connection;
    peer.connection = connection;
    return old;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Applied from a cluster: changes the shared state already decided. No hooks, no limits.

  /**
   * @internal A peer that resumed here from another node: registered without a welcome or an event, and put in
   * place of its stand-in in the rooms this node follows.
   */
  adopt(connection: Connection, options: PeerOptions & { id: string }): void {
    const peer = this.#newPeer(options.id, connection, options);
    this.#peers.set(peer.id, peer);
    const standIn = this.#remote.get(peer.id);
    if (standIn === undefined) return;
    this.#remote.delete(peer.id);
    peer.rooms = standIn.rooms;
    for (const room of peer.rooms) {
      room.members.set(peer.id, peer);
      room.localCount++;
    }
  }

  /**
   * @internal A peer of this node resumed on another one: it becomes a stand-in there, without a leave. Returns
   * its old connection, or `undefined` when it is not connected here.
   */
  release(peerId: string, node: string): Connection | undefined {
    const peer = this.#peers.get(peerId);
    const coordinator = this.#coordinator;
    if (peer === undefined || coordinator === undefined) return undefined;
    this.#peers.delete(peerId);
    const rooms = peer.rooms;
    if (rooms.length > 0) {
      const standIn = this.#newPeer(peerId, coordinator.remoteConnection(peerId, node), {
        scope: peer.scope,
        switchRooms: peer.switchRooms,
        dialect: peer.dialect,
        data: peer.data,
        node,
      });
      standIn.rooms = rooms;
      this.#remote.set(peerId, standIn);
      for (const room of rooms) {
        room.members.set(peerId, standIn);
        room.localCount--;
      }
      for (const room of rooms) if (room.localCount === 0) this.#releaseRoom(room);
    }
    return peer.connection;
  }

  /** @internal A member joined a room this node follows (a peer here or on `member.node`), as decided elsewhere. */
  applyJoin(roomId: string, member: ClusterMember, room: ClusterRoom, created: boolean): void {
    const peer = this.#memberRecord(member);
    if (peer === undefined) return;
    let record = this.#rooms.get(roomId);
    if (record?.members.has(peer.id)) return;
    if (record === undefined) {
      record = new RoomRecord(roomId, room.name, room.owner, room.capacity, undefined);
      this.#rooms.set(roomId, record);
    }
    this.#enter(peer, record, created);
  }

  /** @internal A member left a room this node follows, as decided elsewhere; `owner` is the owner after. */
  applyLeave(roomId: string, peerId: string, reason: LeaveReason, owner: string | undefined): void {
    const room = this.#rooms.get(roomId);
    const peer = room?.members.get(peerId);
    if (room === undefined || peer === undefined) return;
    this.#removeMember(room, peer, reason, false);
    room.owner = owner;
  }

  /** @internal A room this node follows was ended elsewhere (or here, decided by the shared state). */
  applyEnd(roomId: string, by: string | undefined): void {
    const room = this.#rooms.get(roomId);
    if (room !== undefined) this.#end(room, by === undefined ? undefined : this.#peers.get(by), false);
  }

  /** @internal A member of a room this node follows now lives on another node. */
  applyMove(peerId: string, node: string): void {
    const standIn = this.#remote.get(peerId);
    const coordinator = this.#coordinator;
    if (standIn === undefined || coordinator === undefined) return;
    standIn.connection = coordinator.remoteConnection(peerId, node);
    standIn.node = node;
  }

  /**
   * @internal Makes a followed room match the shared state. `'silent'`: a room new here (a resumed peer brings
   * it along), members put in without notices. `'add'`: members it lacks join, with notices, nobody leaves (right
   * after an outage, while other nodes may still be writing their peers back). `'full'`: also, members on other
   * nodes that the shared state no longer has leave. A peer of this node never leaves here: its own truth wins.
   */
  syncRoom(snapshot: ClusterRoom & { id: string; members: readonly ClusterMember[] }, mode: 'silent' | 'add' | 'full'): void {
    let room = this.#rooms.get(snapshot.id);
    if (room === undefined) {
      room = new RoomRecord(snapshot.id, snapshot.name, snapshot.owner, snapshot.capacity, undefined);
      this.#rooms.set(snapshot.id, room);
    }
    room.owner = snapshot.owner;
    if (mode === 'full') {
      const wanted = new Set(snapshot.members.map((member) => member.id));
      for (const member of [...room.members.values()]) {
        if (!member.local && !wanted.has(member.id)) this.#removeMember(room, member, 'disconnected', false);
      }
      if (this.#rooms.get(snapshot.id) !== room) return;
    }
    for (const entry of snapshot.members) {
      if (room.members.has(entry.id)) continue;
      const peer = this.#memberRecord(entry);
      if (peer === undefined) continue;
      if (mode !== 'silent') {
        this.#enter(peer, room, false);
      } else {
        room.members.set(peer.id, peer);
        if (peer.local) room.localCount++;
        peer.enter(room);
      }
    }
    // 'silent' installs a room a peer of ours is about to enter: it stays even before that.
    if (room.localCount === 0 && mode !== 'silent') this.#releaseRoom(room);
  }

  /** @internal Hands a signal another node routed to a peer connected here. Returns false when it is not here. */
  deliver(fromId: string, toId: string, signal: Signal, requireOpen: boolean): boolean {
    const target = this.#peers.get(toId);
    if (target === undefined || (requireOpen && target.scope !== 'open')) return false;
    target.connection.send({ kind: 'signal', from: fromId, signal });
    return true;
  }

  /** @internal Hands a broadcast from a member on another node to this node's members of the room. */
  deliverToRoom(roomId: string, fromId: string, event: { signal: Signal } | { data: unknown }): void {
    const room = this.#rooms.get(roomId);
    if (room === undefined) return;
    const outbound: OutboundEvent =
      'signal' in event ? { kind: 'signal', from: fromId, signal: event.signal, room } : { kind: 'message', data: event.data };
    for (const member of room.members.values()) if (member.local && member.id !== fromId) member.connection.send(outbound);
  }

  /**
   * @internal A unicast another node was asked to deliver found nobody: the sender is told, with the signal, as
   * when the target is unknown here.
   */
  undeliverable(fromId: string, to: string, signal: Signal | undefined): void {
    const peer = this.#peers.get(fromId);
    if (peer !== undefined) this.#fail(peer, 'target-unavailable-or-different-room', { to }, signal);
  }

  /** @internal Every local peer with the rooms it is in, in join order (for re-announcing after an outage). */
  localMemberships(): Array<{ peer: CoordinatedPeer; rooms: RoomInfo[] }> {
    return [...this.#peers.values()].map((peer) => ({ peer: describe(peer), rooms: peer.rooms.map((room) => room.info()) }));
  }

  /** @internal The ids of the rooms this node follows. */
  followedRooms(): string[] {
    return [...this.#rooms.keys()];
  }

  /** @internal Whether this node holds a room (has a peer in it, in a cluster). */
  holds(roomId: string): boolean {
    return this.#rooms.has(roomId);
  }

  /**
   * @internal How many peers a broadcast from this peer reaches at most: the other members of each of its rooms
   * (a transport charges a sender for what its frames cost their rooms).
   */
  audience(peerId: string): number {
    const peer = this.#peers.get(peerId);
    if (peer === undefined) return 0;
    let reached = 0;
    for (const room of peer.rooms) reached += room.members.size - 1;
    return reached;
  }

  /** @internal Whether a peer is connected to this node. */
  hasLocal(peerId: string): boolean {
    return this.#peers.has(peerId);
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
      case 'reply':
        return void peer.connection.send({ kind: 'message', data: command.data });
      case 'noop':
        return;
      case 'batch':
        return this.#batch(peerId, command.commands, 0);
    }
  }

  /** The commands of one frame in order; one that waits for a hook holds the rest until it settles. */
  #batch(peerId: string, commands: readonly Command[], from: number): void | Promise<void> {
    for (let i = from; i < commands.length; i++) {
      const pending = this.handle(peerId, commands[i] as Command);
      if (pending !== undefined) return pending.then(() => this.#batch(peerId, commands, i + 1));
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
    for (const room of [...peer.rooms]) this.#removeMember(room, peer, 'disconnected', false);
    this.#coordinator?.peerDisconnected(peerId);
    this.#notify('peer:disconnect', () => ({ peer: info as PeerInfo, reason }));
    return true;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Server-side API

  /** How many peers are connected to this node. */
  get peerCount(): number {
    return this.#peers.size;
  }

  /** How many rooms exist (rooms are deleted when they empty); in a cluster, the rooms with a peer of this node. */
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
    const info = room.info();
    // In a cluster the room lives in the shared state until a peer here joins it.
    if (this.#coordinator !== undefined) this.#coordinator.created(room);
    else this.#rooms.set(id, room);
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
      if (member.local) member.connection.send(event);
      reached++;
    }
    if (room.members.size > room.localCount) this.#coordinator?.message(roomId, data, options.except);
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
    // A member on another node is kicked by its own node, once the shared state has recorded it.
    if (!peer.local) this.#coordinator?.kick(roomId, peerId);
    else this.#removeMember(room, peer, 'kicked', true);
    return true;
  }

  /**
   * Ends a room: every member is told and removed, then the room is deleted. Returns false if it did not exist
   * (in a cluster: if no peer of this node is in it; the end is still asked of the shared state).
   */
  endRoom(roomId: string): boolean {
    const room = this.#rooms.get(roomId);
    if (this.#coordinator !== undefined) {
      this.#coordinator.end(roomId, undefined).then((result) => {
        if (result.outcome === 'local') this.applyEnd(roomId, undefined);
      }, (error: unknown) => this.reportError(error));
      return room !== undefined;
    }
    if (room === undefined) return false;
    this.#end(room, undefined, true);
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

  /** The records of a room's member (a peer here, or a stand-in for one elsewhere), made on first sight. */
  #memberRecord(member: ClusterMember): PeerRecord | undefined {
    if (member.node === undefined) return this.#peers.get(member.id);
    if (this.#peers.has(member.id)) return undefined; // ours: another node's stale view of it
    let standIn = this.#remote.get(member.id);
    const coordinator = this.#coordinator;
    if (standIn === undefined && coordinator !== undefined) {
      standIn = this.#newPeer(member.id, coordinator.remoteConnection(member.id, member.node), member);
      this.#remote.set(member.id, standIn);
    }
    return standIn;
  }

  #newPeer(id: string, connection: Connection, options: PeerOptions): PeerRecord {
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

  /** No peer of this node is left in a room other nodes still use: stop holding it. */
  #releaseRoom(room: RoomRecord): void {
    if (this.#rooms.get(room.id) !== room) return;
    this.#rooms.delete(room.id);
    for (const member of room.members.values()) {
      member.forget(room);
      if (!member.local && member.rooms.length === 0) this.#remote.delete(member.id);
    }
    room.members.clear();
    this.#coordinator?.released(room.id);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Commands

  #signal(peer: PeerRecord, signal: Signal, fault: SignalFault | undefined): void {
    if (signal.room !== undefined) return this.#publish(peer, signal.room, signal);
    if (signal.to === undefined) return this.#broadcastSignal(peer, signal);
    const target = typeof signal.to === 'string' ? (this.#peers.get(signal.to) ?? this.#remote.get(signal.to)) : undefined;
    if (target === undefined && peer.scope === 'open' && typeof signal.to === 'string' && this.#coordinator !== undefined) {
      // Another node may have it: the coordinator finds it, or answers the sender as below.
      this.stats.signal(signal.type);
      return this.#coordinator.route(peer.id, signal.to, signal);
    }
    // One answer whether the id is unknown or out of reach, so errors reveal nobody's presence.
    if (target === undefined || !this.#mayReach(peer, target)) {
      return this.#fail(peer, 'target-unavailable-or-different-room', { to: signal.to }, signal);
    }
    if (fault !== undefined) return this.#fail(peer, fault.code, fault.details);
    if (target.connection.send({ kind: 'signal', from: peer.id, signal }) === false) {
      return this.#fail(peer, 'target-unavailable-or-different-room', { to: signal.to }, signal);
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
        if (member === peer || !member.local || reached?.has(member.id)) continue;
        reached?.add(member.id);
        member.connection.send(event);
      }
      // Members on other nodes: one message for the room, which each node hands to its own members.
      if (room.members.size > room.localCount) this.#coordinator?.broadcast(room.id, peer.id, signal);
      if (this.listenerCount('signal') > 0) {
        this.#notify('signal', () => ({ from: peer.info(), to: undefined, room: room.id, type: signal.type }));
      }
    }
  }

  /** A publish to one room the sender is in: every member hears it, the sender too (y-webrtc topics). */
  #publish(peer: PeerRecord, roomId: string, signal: Signal): void {
    const room = this.#rooms.get(roomId);
    if (room === undefined || !room.members.has(peer.id)) return this.#fail(peer, 'not-in-room', { room: roomId });
    const event: OutboundEvent = { kind: 'signal', from: peer.id, signal, room };
    this.stats.signal(signal.type);
    for (const member of room.members.values()) if (member.local) member.connection.send(event);
    if (room.members.size > room.localCount) this.#coordinator?.broadcast(room.id, peer.id, signal);
    if (this.listenerCount('signal') > 0) {
      this.#notify('signal', () => ({ from: peer.info(), to: undefined, room: room.id, type: signal.type }));
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
        if (allowed === true) return this.#admit(peer, roomId, mode, name);
        this.#fail(peer, 'forbidden', { room: roomId });
      },
      (error: unknown) => {
        this.reportError(error);
        if (this.#peers.get(peer.id) === peer) this.#fail(peer, 'forbidden', { room: roomId });
      },
    );
  }

  /** Every check that depends on the current state, then the join itself. */
  #admit(peer: PeerRecord, roomId: string, mode: 'auto' | 'create' | 'existing', name: string | undefined): void | Promise<void> {
    const existing = this.#rooms.get(roomId);
    if (mode === 'create' && existing !== undefined) return this.#fail(peer, 'room-exists', { room: roomId });
    // In a cluster the room may exist without a peer of this node in it: the shared state says.
    if (mode === 'existing' && existing === undefined && this.#coordinator === undefined) {
      return this.#fail(peer, 'room-not-found', { room: roomId });
    }
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
    if (this.#coordinator !== undefined) return this.#admitShared(this.#coordinator, peer, roomId, mode, name);
    this.#admitHere(peer, existing, roomId, name);
  }

  /** The join decided here alone: capacity was checked above; leave the old room only now, so a refusal changes nothing. */
  #admitHere(peer: PeerRecord, existing: RoomRecord | undefined, roomId: string, name: string | undefined): void {
    if (peer.switchRooms) for (const old of [...peer.rooms]) this.#removeMember(old, peer, 'left', true);
    this.#enter(peer, existing ?? this.#createRoom(roomId, name ?? '', peer.id), existing === undefined);
  }

  /** The join decided by the shared state (a cluster); its outcome comes back through {@link applyJoin}. */
  #admitShared(
    coordinator: RoomCoordinator,
    peer: PeerRecord,
    roomId: string,
    mode: 'auto' | 'create' | 'existing',
    name: string | undefined,
  ): Promise<void> {
    return coordinator.join(describe(peer), roomId, mode, name ?? '').then(
      (result) => {
        if (this.#peers.get(peer.id) !== peer) return;
        if (result.outcome === 'refused') return this.#fail(peer, result.code, result.details);
        if (result.outcome === 'applied') return;
        // The shared state is out of reach: decide as a single node would; the cluster catches up later.
        const existing = this.#rooms.get(roomId);
        if (existing?.members.has(peer.id)) return;
        if (mode === 'existing' && existing === undefined) return this.#fail(peer, 'room-not-found', { room: roomId });
        if (existing !== undefined && existing.members.size >= existing.capacity) {
          return this.#fail(peer, 'room-full', { room: roomId, limit: existing.capacity });
        }
        this.#admitHere(peer, existing, roomId, name);
      },
      (error: unknown) => {
        this.reportError(error);
        if (this.#peers.get(peer.id) === peer) this.#fail(peer, 'forbidden', { room: roomId });
      },
    );
  }

  /** The join itself: membership, the three notices in their order, the events. */
  #enter(peer: PeerRecord, room: RoomRecord, created: boolean): void {
    room.members.set(peer.id, peer);
    if (peer.local) room.localCount++;
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
      return this.#removeMember(current, peer, 'left', true);
    }
    const room = this.#existingRoom(peer, requested);
    if (room === undefined) return;
    if (!room.members.has(peer.id)) return this.#fail(peer, 'not-in-room', { room: requested });
    this.#removeMember(room, peer, 'left', true);
  }

  #endByPeer(peer: PeerRecord, requested: unknown): void | Promise<void> {
    const coordinator = this.#coordinator;
    if (coordinator === undefined) return this.#endHere(peer, requested);
    if (typeof requested !== 'string') return this.#fail(peer, 'invalid-room-name', { limit: this.options.maxRoomIdLength });
    return coordinator.end(requested, peer.id).then(
      (result) => {
        if (this.#peers.get(peer.id) !== peer) return;
        if (result.outcome === 'refused') return this.#fail(peer, result.code, result.details);
        // A requester who was not in the room is told here; members heard it through applyEnd.
        if (result.outcome === 'ended' && !result.room.members.has(peer.id)) peer.connection.send({ kind: 'room-ended', room: result.room });
        if (result.outcome === 'local') this.#endHere(peer, requested);
      },
      (error: unknown) => this.reportError(error),
    );
  }

  #endHere(peer: PeerRecord, requested: unknown): void {
    const room = this.#existingRoom(peer, requested);
    if (room === undefined) return;
    if (room.owner !== peer.id) return this.#fail(peer, 'not-room-owner', { room: room.id });
    this.#end(room, peer, true);
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

  /**
   * Takes a peer out of a room, tells the peer (unless it is gone) and the rest, and deletes an empty room.
   * `propagate`: the change starts here (not applied from the shared state), so a coordinator is told.
   */
  #removeMember(room: RoomRecord, peer: PeerRecord, reason: LeaveReason, propagate: boolean): void {
    room.members.delete(peer.id);
    if (peer.local) room.localCount--;
    peer.forget(room);
    if (!peer.local && peer.rooms.length === 0) this.#remote.delete(peer.id);
    if (reason !== 'disconnected' && reason !== 'ended') peer.connection.send({ kind: 'left', room, reason });
    const notice: OutboundEvent = { kind: 'peer-left', room, peerId: peer.id, reason };
    for (const member of room.members.values()) member.connection.send(notice);
    // By default the creator stays the owner even after it left, as in the original; with ownershipTransfer the
    // right to end the room passes to the longest-standing member, so a room never loses it.
    if (this.options.ownershipTransfer && room.owner === peer.id) room.owner = room.members.keys().next().value;
    if (propagate && peer.local) this.#coordinator?.left(peer.id, room.id, reason);
    this.stats.leaves[reason]++;
    this.#notify('room:leave', () => ({ room: room.info(), peer: peer.info(), reason }));
    if (room.members.size === 0) this.#deleteRoom(room);
    else if (room.localCount === 0 && this.#coordinator !== undefined) this.#releaseRoom(room);
  }

  /**
   * Ends a room: tells every member (and, when `tellRequester`, a requester outside it), empties it, then
   * deletes it.
   */
  #end(room: RoomRecord, by: PeerRecord | undefined, tellRequester: boolean): void {
    const notice: OutboundEvent = { kind: 'room-ended', room };
    for (const member of room.members.values()) member.connection.send(notice);
    if (tellRequester && by !== undefined && !room.members.has(by.id)) by.connection.send(notice);
    const ended = room.info();
    const members = [...room.members.values()];
    room.members.clear();
    room.localCount = 0;
    for (const member of members) {
      member.forget(room);
      if (!member.local && member.rooms.length === 0) this.#remote.delete(member.id);
    }
    this.stats.leaves.ended += members.length;
    for (const member of members) this.#notify('room:leave', () => ({ room: ended, peer: member.info(), reason: 'ended' }));
    this.#notify('room:end', () => ({ room: ended, by: by?.info() }));
    this.#deleteRoom(room);
  }

  #deleteRoom(room: RoomRecord): void {
    if (this.#rooms.get(room.id) !== room) return;
    this.#rooms.delete(room.id);
    this.#coordinator?.released(room.id);
    this.#notify('room:delete', () => ({ room: room.info() }));
  }

  #isValidRoomId(room: unknown): room is string {
    return typeof room === 'string' && room.length > 0 && room.length <= this.options.maxRoomIdLength;
  }

  #fail(peer: PeerRecord, code: SignalingErrorCode, details: Record<string, unknown> = {}, signal?: Signal): void {
    peer.connection.send(signal === undefined ? { kind: 'error', code, details } : { kind: 'error', code, details, signal });
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

/** A member of a followed room as a cluster describes it; `node` undefined means a peer of this node. */
export interface ClusterMember {
  readonly id: string;
  readonly node: string | undefined;
  readonly dialect: string;
  readonly scope: 'room' | 'open';
  readonly switchRooms: boolean;
}

/** A followed room's settings as the shared state has them. */
export interface ClusterRoom {
  readonly name: string;
  readonly owner: string | undefined;
  readonly capacity: number;
}

function describe(peer: PeerRecord): CoordinatedPeer {
  const described = { id: peer.id, dialect: peer.dialect, scope: peer.scope, switchRooms: peer.switchRooms };
  return peer.credential === undefined ? described : { ...described, credential: peer.credential };
}

function othersIn(room: RoomRecord, peer: PeerRecord): string[] {
  const ids: string[] = [];
  for (const id of room.members.keys()) if (id !== peer.id) ids.push(id);
  return ids;
}
