import { TypedEmitter } from 'tiny-typed-emitter';
import { SignalingError } from '../errors.js';
import { CommandHandler, describePeer, type JoinMode } from './commands.js';
import type { RoomCoordinator } from './coordinator.js';
import { assertInteger, resolveCoreOptions, type CoreOptions, type ResolvedCoreOptions } from './options.js';
import { RoomRecord } from './records.js';
import { ClusterReplica } from './replica.js';
import { CoreState, type EventSink } from './state.js';
import { CoreStats } from './stats.js';
import type { Command, Connection, DisconnectReason, OutboundEvent, PeerInfo, PeerOptions, RoomInfo, SignalingEvents, StatusReport } from './types.js';

export type { ClusterMember, ClusterRoom } from './replica.js';

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

/** Options of {@link SignalingCore.join}. */
export interface JoinOptions {
  /**
   * `'auto'` creates the room if needed (a peer already in it stays, nothing is sent); `'create'` requires a new
   * room (`room-exists` otherwise); `'existing'` requires an existing room (`room-not-found` otherwise).
   * @default 'auto'
   */
  mode?: JoinMode;
  /** The display label of a room this join creates. @default '' */
  name?: string;
}

/**
 * What the transport and the cluster drive in a core, beyond its public API: kept off the object users hold
 * (see {@link coreInternals}).
 * @internal
 */
export interface CoreInternals {
  /** Makes the core one node of a cluster: joins and ends are decided by `coordinator`, which applies them back through the replica returned. */
  useCoordinator(coordinator: RoomCoordinator): ClusterReplica;
  /**
   * Whether `connection` is the one the peer uses now. A transport asks before reporting a socket closed, so an
   * old socket of an id that reconnected never removes the newer peer.
   */
  isCurrent(peerId: string, connection: Connection): boolean;
  /**
   * Hands a connected peer a new connection (it resumed its identity on a new socket): rooms and id stay, nothing
   * is announced. Returns the old connection, or `undefined` when the peer is not connected here.
   */
  replaceConnection(peerId: string, connection: Connection): Connection | undefined;
  /** Whether a peer is connected to this node. */
  hasLocal(peerId: string): boolean;
  /**
   * A room as this node holds it, read in place (no copy): for a transport's checks on every join. Valid only
   * until the core runs again.
   */
  roomView(roomId: string): JoinView | undefined;
  /**
   * How many peers a broadcast from this peer reaches at most: the other members of each of its rooms (a
   * transport charges a sender for what its frames cost their rooms).
   */
  audience(peerId: string): number;
  /** Routes an unexpected error to `'error'` listeners, or to `console.error` when there are none. */
  reportError(error: unknown): void;
}

/** What a transport reads of a room before a join: its label, capacity and members (with each one's dialect). */
export interface JoinView {
  readonly name: string;
  readonly capacity: number;
  readonly members: ReadonlyMap<string, { readonly dialect: string }>;
}

let internalsOf: (core: SignalingCore<unknown>) => CoreInternals;

/** @internal The transport's and the cluster's handle on a core. */
export function coreInternals(core: SignalingCore<unknown>): CoreInternals {
  return internalsOf(core);
}

/**
 * The transport-agnostic heart of signalroom: it holds peers and rooms, routes signals and emits typed events.
 * It does no I/O and keeps no timers; it talks to each client through a {@link Connection} and is driven by
 * {@link SignalingCore.handle}. Two cores are two independent worlds. `Data` is the type of each peer's
 * application data (see {@link PeerInfo.data}).
 *
 * Every state change is finished, and every affected client told, before the matching event is emitted, so a
 * listener always sees a consistent state. A listener that throws does not break that: its error goes to the
 * `'error'` event (or to `console.error` when nobody listens to `'error'`).
 *
 * Most apps never touch a core: `attachSignaling` makes one and its handle offers the same server API. Use a core
 * directly to put signalroom on a transport of your own.
 *
 * @example
 * const core = new SignalingCore({ maxPeersPerRoom: 8 });
 * core.on('room:join', ({ room, peer }) => console.log(`${peer.id} joined ${room.id}`));
 * const peerId = core.connect({ send: (event) => ws.send(encode(event)), close: (c, r) => ws.close(c, r) });
 * const command = decode(text); // a Command, or a SignalingError for a bad frame
 * if (command instanceof SignalingError) core.reject(peerId, command);
 * else core.handle(peerId, command);
 */
export class SignalingCore<Data = unknown> extends TypedEmitter<SignalingEvents<Data>> {
  /** The resolved options, defaults filled in. */
  readonly options: Readonly<ResolvedCoreOptions>;
  /** Running totals (connects, joins, leaves, signals by type, errors by code, disconnects by reason). */
  readonly stats = new CoreStats();
  readonly #state: CoreState;
  readonly #commands: CommandHandler;
  readonly #internals: CoreInternals;

  static {
    internalsOf = (core) => core.#internals;
  }

  constructor(options: CoreOptions<Data> = {}) {
    super();
    this.options = Object.freeze(resolveCoreOptions(options));
    const state = new CoreState(this.options, this.stats, this as unknown as EventSink);
    this.#state = state;
    this.#commands = new CommandHandler(state);
    this.#internals = {
      useCoordinator: (coordinator) => {
        state.coordinator = coordinator;
        return new ClusterReplica(state);
      },
      isCurrent: (peerId, connection) => state.peers.get(peerId)?.connection === connection,
      replaceConnection: (peerId, connection) => {
        const peer = state.peers.get(peerId);
        if (peer === undefined) return undefined;
        const old = peer.connection;
        peer.connection = connection;
        return old;
      },
      hasLocal: (peerId) => state.peers.has(peerId),
      roomView: (roomId) => state.rooms.get(roomId),
      audience: (peerId) => {
        const peer = state.peers.get(peerId);
        if (peer === undefined) return 0;
        let reached = 0;
        for (const room of peer.rooms) reached += room.members.size - 1;
        return reached;
      },
      reportError: (error) => state.reportError(error),
    };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Driven by a transport

  /**
   * Registers a new client, sends it its id, and returns the id. An `options.id` that is already connected
   * replaces the older peer: the newest connection wins. The old one leaves its rooms (once; reason
   * `'replaced'`) and its connection is closed with {@link REPLACED_CLOSE_CODE} `replaced`.
   */
  connect(connection: Connection, options: PeerOptions = {}): string {
    const state = this.#state;
    const id = options.id ?? this.options.generateId({ kind: 'peer', dialect: options.dialect });
    const previous = state.peers.get(id);
    if (previous !== undefined) {
      this.disconnect(id, 'replaced');
      previous.connection.close(REPLACED_CLOSE_CODE, 'replaced');
    }
    const peer = state.newPeer(id, connection, options);
    state.peers.set(id, peer);
    this.stats.connects++;
    state.coordinator?.peerConnected(describePeer(peer));
    connection.send({ kind: 'welcome', peerId: id });
    state.notify('peer:connect', () => ({ peer: peer.info() }));
    return id;
  }

  /**
   * Carries out one command from a client. Commands from unknown (already disconnected) peers are ignored.
   * Returns a promise only while an async `authorizeJoin` (or, in a cluster, the shared state) decides; the caller
   * must hold the peer's later commands until it settles, so they are handled in arrival order.
   */
  handle(peerId: string, command: Command): void | Promise<void> {
    const peer = this.#state.peers.get(peerId);
    if (peer === undefined) return;
    return this.#commands.handle(peer, command);
  }

  /**
   * Refuses a client's frame: a bad frame (its codec's {@link SignalingError}) or one over a limit of the
   * transport (`rate-limit`). The peer is told, the error is counted and `peer:error` is emitted.
   */
  reject(peerId: string, error: SignalingError): void {
    const peer = this.#state.peers.get(peerId);
    if (peer !== undefined) this.#state.fail(peer, error.code, error.details, undefined, error);
  }

  /**
   * The transport reports that a client's connection is gone. It leaves every room (the rooms are told, with
   * reason `'disconnected'`). Returns false when the peer was not connected.
   */
  disconnect(peerId: string, reason: DisconnectReason = 'closed'): boolean {
    const state = this.#state;
    const peer = state.peers.get(peerId);
    if (peer === undefined) return false;
    const info = this.listenerCount('peer:disconnect') > 0 ? peer.info() : undefined;
    state.peers.delete(peerId);
    this.stats.disconnect(reason);
    for (const room of [...peer.rooms]) state.removeMember(room, peer, 'disconnected', false);
    state.coordinator?.peerDisconnected(peerId);
    state.notify('peer:disconnect', () => ({ peer: info as PeerInfo, reason }));
    return true;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Server-side API

  /** How many peers are connected to this node. */
  get peerCount(): number {
    return this.#state.peers.size;
  }

  /** How many rooms exist (rooms are deleted when they empty); in a cluster, the rooms with a peer of this node. */
  get roomCount(): number {
    return this.#state.rooms.size;
  }

  /** Every connected peer, in connect order. */
  peers(): PeerInfo<Data>[] {
    return [...this.#state.peers.values()].map((peer) => peer.info() as PeerInfo<Data>);
  }

  /** One peer, or `undefined`. */
  peer(peerId: string): PeerInfo<Data> | undefined {
    return this.#state.peers.get(peerId)?.info() as PeerInfo<Data> | undefined;
  }

  /** Every room, in creation order. */
  rooms(): RoomInfo[] {
    return [...this.#state.rooms.values()].map((room) => room.info());
  }

  /** One room, or `undefined`. */
  room(roomId: string): RoomInfo | undefined {
    return this.#state.rooms.get(roomId)?.info();
  }

  /** The ids of a room's members in join order; empty when the room does not exist. */
  members(roomId: string): string[] {
    const room = this.#state.rooms.get(roomId);
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
    const state = this.#state;
    const id = options.id ?? this.options.generateId({ kind: 'room', dialect: undefined });
    if (!state.isValidRoomId(id)) throw new SignalingError('invalid-room-name', { room: id, limit: this.options.maxRoomIdLength });
    if (state.rooms.has(id)) throw new SignalingError('room-exists', { room: id });
    const capacity = options.capacity ?? this.options.maxPeersPerRoom;
    assertInteger('capacity', capacity, 1);
    const room = new RoomRecord(id, options.name ?? '', options.owner, capacity, options.metadata);
    const info = room.info();
    // In a cluster the room lives in the shared state until a peer here joins it.
    if (state.coordinator !== undefined) state.coordinator.created(room);
    else state.rooms.set(id, room);
    state.notify('room:create', () => ({ room: info, peer: undefined }));
    return info;
  }

  /**
   * Puts a peer connected to this node into a room, from server code: no `authorizeJoin`, no token `rooms`
   * claim (your code decides), but the room's capacity and `maxRoomsPerPeer` hold. The peer and the room's
   * members are told as for the peer's own join; a console peer leaves its current room first. Resolves with the
   * room; rejects with {@link SignalingError} (`room-full`, `room-exists`, `room-not-found`, `too-many-rooms`,
   * `invalid-room-name`, or `peer-not-found` when the peer is not connected here).
   *
   * @example await core.join(peer.id, 'lobby');
   */
  join(peerId: string, roomId: string, options: JoinOptions = {}): Promise<RoomInfo> {
    const peer = this.#state.peers.get(peerId);
    if (peer === undefined) return Promise.reject(new SignalingError('peer-not-found', { peer: peerId }));
    return new Promise<RoomInfo>((resolve, reject) => {
      const pending = this.#commands.join(peer, roomId, options.mode ?? 'auto', options.name, {
        byServer: true,
        refused: (code, details) => reject(new SignalingError(code, details)),
        joined: (room) => resolve(room.info()),
      });
      pending?.catch(reject);
    });
  }

  /**
   * Takes a peer connected to this node out of a room, from server code: it is told it left (as for its own
   * leave) and the others see it leave. Returns false when the peer is not in that room. To tell it it was
   * removed, use {@link SignalingCore.kick}.
   */
  leave(peerId: string, roomId: string): boolean {
    const state = this.#state;
    const peer = state.peers.get(peerId);
    const room = state.rooms.get(roomId);
    if (peer === undefined || room === undefined || !room.members.has(peerId)) return false;
    state.removeMember(room, peer, 'left', true);
    return true;
  }

  /**
   * Sends an application message to one peer connected to this node. Its client gets it as a server message
   * (docs/protocols.md: `{"type":"server-message","data":...}` in the console dialect, the SDK's `server-message`
   * event). Returns false when the peer is not connected.
   *
   * @example core.send(peerId, { text: 'Maintenance at 18:00' });
   */
  send(peerId: string, data: unknown): boolean {
    const peer = this.#state.peers.get(peerId);
    if (peer === undefined) return false;
    peer.connection.send({ kind: 'message', data });
    return true;
  }

  /**
   * Sends an application message (as {@link SignalingCore.send} does) to every member of a room but `except`,
   * on every node. Returns how many peers it reached.
   */
  broadcast(roomId: string, data: unknown, options: { except?: string } = {}): number {
    const state = this.#state;
    const room = state.rooms.get(roomId);
    if (room === undefined) return 0;
    const event: OutboundEvent = { kind: 'message', data };
    let reached = 0;
    for (const member of room.members.values()) {
      if (member.id === options.except) continue;
      if (member.local) member.connection.send(event);
      reached++;
    }
    if (room.members.size > room.localCount) state.coordinator?.message(roomId, data, options.except);
    return reached;
  }

  /**
   * Removes a peer from a room. The peer is told it left with reason `'kicked'`; the others see it leave.
   * Returns false when the peer is not in that room.
   */
  kick(roomId: string, peerId: string): boolean {
    const state = this.#state;
    const room = state.rooms.get(roomId);
    const peer = room?.members.get(peerId);
    if (room === undefined || peer === undefined) return false;
    // A member on another node is kicked by its own node, once the shared state has recorded it.
    if (!peer.local) state.coordinator?.kick(roomId, peerId);
    else state.removeMember(room, peer, 'kicked', true);
    return true;
  }

  /**
   * Ends a room: every member is told and removed, then the room is deleted. Returns false if it did not exist
   * (in a cluster: if no peer of this node is in it; the end is still asked of the shared state).
   */
  endRoom(roomId: string): boolean {
    const state = this.#state;
    const room = state.rooms.get(roomId);
    if (state.coordinator !== undefined) {
      state.coordinator.end(roomId, undefined).then((result) => {
        const now = state.rooms.get(roomId);
        if (result.outcome === 'local' && now !== undefined) state.end(now, undefined, false);
      }, (error: unknown) => state.reportError(error));
      return room !== undefined;
    }
    if (room === undefined) return false;
    state.end(room, undefined, true);
    return true;
  }

  /**
   * Disconnects a peer: it leaves its rooms at once (they are told) and its connection is closed.
   * Returns false when the peer was not connected.
   */
  disconnectPeer(peerId: string, options: DisconnectOptions = {}): boolean {
    const peer = this.#state.peers.get(peerId);
    if (peer === undefined) return false;
    this.disconnect(peerId, 'server');
    peer.connection.close(options.code ?? 1000, options.reason ?? 'disconnected by server');
    return true;
  }

  /** The `/status` document (docs/protocols.md): clients in connect order, non-empty rooms with members in join order. */
  status(): StatusReport {
    const state = this.#state;
    // A null-prototype object, so a room named `__proto__` is an ordinary key.
    const rooms: Record<string, string[]> = Object.create(null);
    for (const room of state.rooms.values()) if (room.members.size > 0) rooms[room.id] = [...room.members.keys()];
    return { totalClients: state.peers.size, clients: [...state.peers.keys()], rooms };
  }
}
