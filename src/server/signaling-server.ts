import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { TypedEmitter } from 'tiny-typed-emitter';
import type { SessionSocket } from '../transport/session-socket.js';
import { ClusterNode } from '../cluster/cluster-node.js';
import { coreInternals, REPLACED_CLOSE_CODE, SignalingCore, type CoreInternals, type CreateRoomOptions, type DisconnectOptions, type JoinOptions } from '../core/core.js';
import type { PeerInfo, RoomInfo, SignalingEvents, StatusReport } from '../core/types.js';
import { asyncDispose } from '../dispose.js';
import { logEvents } from '../ops/logger.js';
import { turnCredentials } from '../ops/turn.js';
import type { Dialect, DialectName } from '../protocol/dialect.js';
import { frameDialect, frameText } from '../protocol/frame.js';
import { TRANSPORT_EVENTS, type TransportEvents } from '../transport/events.js';
import { Heartbeat } from '../transport/heartbeat.js';
import { PeerjsEndpoint } from '../transport/peerjs-endpoint.js';
import { resolvePeerServerOptions } from '../transport/peerjs-options.js';
import { Resumption } from '../transport/resumption.js';
import { Session, type SessionHost } from '../transport/session.js';
import { nowMs } from '../transport/token-bucket.js';
import { UpgradeGate, type Admission } from '../transport/upgrades.js';
import { authorizeHandshake } from './admission.js';
import { noticeCost } from './notice-cost.js';
import { resolveSignalingOptions, type ResolvedSignalingOptions, type SignalingOptions } from './options.js';

/** How long {@link SignalingServer.close} waits for clients to answer the close handshake before cutting them. */
const CLOSE_GRACE_MS = 2_000;

/** Every event a signaling server emits: the core's (peers, rooms, signals) and the transport's (suspend, resume). */
export type ServerEvents<Data = unknown> = SignalingEvents<Data> & TransportEvents<Data>;

/** What the package's own modules (adapters, ops routes, metrics) drive in a server; not on the user's handle. */
export interface ServerInternals {
  readonly core: SignalingCore;
  readonly coreInternals: CoreInternals;
  /** The ids of the PeerJS clients connected to this node, in connect order. */
  peerjsClientIds(): string[];
  /** Receives the time each client frame took to handle, in seconds (metrics use it); `undefined` stops it. */
  observeMessageHandling(observer: ((seconds: number) => void) | undefined): void;
  /** The `iceServers` for a peer (TURN REST credentials), or `undefined` without `turn` configured. */
  iceServersFor(peerId: string): Array<{ urls: string[]; username: string; credential: string }> | undefined;
}

let internalsOf: (server: SignalingServer<unknown>) => ServerInternals;

/** @internal The package's handle on a server's core and transport. */
export function serverInternals(server: SignalingServer<any>): ServerInternals {
  return internalsOf(server as SignalingServer<unknown>);
}

/**
 * A signaling endpoint: peers, rooms and their events, and the server API to act on them. {@link attachSignaling}
 * (or the Express and Fastify adapters) makes one and wires it to an HTTP server; {@link SignalingServer.handleUpgrade}
 * is the one primitive they use. `Data` is the type of the `data` your `authenticate` hook attaches to each peer.
 * Its wire formats, and every difference from the original servers, are in docs/protocols.md.
 *
 * @example
 * const signaling = attachSignaling<{ userId: string }>(server, { authenticate: (req) => ({ data: { userId: userOf(req) } }) });
 * signaling.on('room:join', ({ room, peer }) => signaling.broadcast(room.id, { text: `${peer.data.userId} is here` }));
 */
export class SignalingServer<Data = unknown> {
  /** The resolved options, defaults filled in. */
  readonly options: Readonly<ResolvedSignalingOptions>;
  readonly #core: SignalingCore<Data>;
  readonly #coreInternals: CoreInternals;
  readonly #transportEvents = new TypedEmitter<TransportEvents<Data>>();
  readonly #gate: UpgradeGate;
  readonly #sessions = new Set<Session>();
  readonly #resumption: Resumption;
  readonly #heartbeat: Heartbeat;
  /** This endpoint's place in a cluster, with a backplane configured. */
  readonly #cluster: ClusterNode | undefined;
  readonly #onClose: () => void;
  /** What sessions see of this server; kept private so no `ws` type leaks into the public API. */
  readonly #host: SessionHost;
  #closed: Promise<void> | undefined;
  /** Settles when the cluster node has started (at once without a cluster). */
  readonly #joined: Promise<void>;
  /** The PeerJS handshake, queue and timeouts, made when the first PeerJS client connects. */
  #peerjs: PeerjsEndpoint | undefined;

  static {
    internalsOf = (server) => ({
      core: server.#core,
      coreInternals: server.#coreInternals,
      peerjsClientIds: () => server.#peerjs?.clientIds() ?? [],
      observeMessageHandling: (observer) => {
        server.#host.observeHandling = observer;
      },
      iceServersFor: (peerId) => server.#iceServersFor(peerId),
    });
  }

  /** @param onClose runs once when the server closes, to detach it from whatever it was attached to. */
  constructor(options: SignalingOptions<Data> = {}, onClose: () => void = () => {}) {
    this.options = Object.freeze(resolveSignalingOptions(options as SignalingOptions));
    const core = new SignalingCore<Data>(this.options);
    this.#core = core;
    const internals = coreInternals(core as SignalingCore<unknown>);
    this.#coreInternals = internals;
    this.#onClose = onClose;
    this.#host = {
      core: core as SignalingCore<unknown>,
      internals,
      options: this.options,
      clock: nowMs,
      sessionClosed: (session, code) => this.#sessionClosed(session, code),
      sessionShed: (session) => {
        if (session.peerId !== '' && internals.isCurrent(session.peerId, session)) core.disconnect(session.peerId, session.cutReason);
      },
      prepareJoin: (session, room) => this.#prepareJoin(session, room),
      observeHandling: undefined,
    };
    if (this.options.logger !== undefined) logEvents(this as SignalingServer<unknown>, this.options.logger);
    this.#gate = new UpgradeGate(this.options, {
      // A cluster node takes peers only once it is part of the cluster: before, it would tell joiners rooms are empty.
      accepting: () => this.#closed === undefined && (this.#cluster?.started ?? true),
      admit: (request) => authorizeHandshake(request, this.options),
      accept: (ws, stream, dialect, codec, admission, request) => this.#accept(ws, stream, dialect, codec, admission, request),
      reportError: (error) => internals.reportError(error),
    });
    const backplane = this.options.backplane;
    this.#cluster =
      backplane === undefined
        ? undefined
        : new ClusterNode(
            {
              core: core as SignalingCore<unknown>,
              releasePeer: (peerId, previous) => this.#resumption.released(peerId, previous),
              replacePeer: (peerId) => void core.disconnectPeer(peerId, { code: REPLACED_CLOSE_CODE, reason: 'replaced' }),
              packSignal: (signal) => ({ codec: frameDialect(signal), text: frameText(signal) }),
              unpackSignal: (codec, text) => {
                const command = this.#gate.codec(codec as DialectName)?.decode(text);
                return command !== undefined && 'kind' in command && command.kind === 'signal' ? command.signal : undefined;
              },
              peerArrived: (peerId) => this.#peerjs?.peerArrived(peerId),
            },
            backplane,
            { heartbeatInterval: this.options.clusterHeartbeatInterval, nodeTimeout: this.options.clusterNodeTimeout },
          );
    const cluster = this.#cluster;
    this.#resumption = new Resumption(this.options, {
      core: core as SignalingCore<unknown>,
      internals,
      sessions: this.#sessions,
      closing: () => this.#closed !== undefined,
      connect: (session, id, dialect, admission) => this.#connect(session, id, dialect, admission),
      scopeOf: (dialect) => this.options.scope[dialect.name],
      adoptResumed: cluster === undefined ? undefined : (peerId, session, peer) => cluster.adoptResumed(peerId, session, peer),
      iceServersFor: (peerId) => this.#iceServersFor(peerId),
      suspended: (peer, reason) => this.#emitTransport('peer:suspend', { peer: peer as PeerInfo<Data>, reason }),
      resumed: (peer) => this.#emitTransport('peer:resume', { peer: peer as PeerInfo<Data> }),
    });
    this.#heartbeat = new Heartbeat(this.#sessions, this.options.heartbeatInterval, this.options.heartbeatTimeout);
    this.#heartbeat.start();
    this.#joined = this.#cluster?.start() ?? Promise.resolve();
    this.#joined.catch((error: unknown) => internals.reportError(error));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Lifecycle

  /** Resolves once this server takes peers: at once alone; in a cluster, once it has joined the cluster. */
  whenReady(): Promise<void> {
    return this.#joined;
  }

  /**
   * Whether it accepts peers: not closing and, in a cluster, started (its channel live and its lease announced)
   * and connected to its backplane.
   */
  get ready(): boolean {
    return this.#closed === undefined && (this.#cluster?.ready ?? true);
  }

  /** Whether {@link SignalingServer.close} has been called. */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** This node's id in its cluster (`undefined` without a backplane). */
  get nodeId(): string | undefined {
    return this.#cluster?.nodeId;
  }

  /** Runs a cluster heartbeat now (lease renewal and the check for dead nodes) instead of waiting for the timer. */
  async syncCluster(): Promise<void> {
    await this.#joined;
    await this.#cluster?.heartbeat();
  }

  /**
   * Takes over an HTTP upgrade request and turns it into a signaling peer: checks the origin, authenticates,
   * then upgrades. This is the primitive every adapter wires up; call it from your own `'upgrade'` listener to
   * mount signaling anywhere.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#gate.handleUpgrade(request, socket, head);
  }

  /**
   * Closes every connection with 1001 (going away), ends every resume grace period, waits for the sockets to
   * finish (at most 2 s, then cuts them) and detaches. Idempotent: every call returns the same promise.
   */
  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  /** `await using signaling = attachSignaling(server)` closes it when the scope ends. */
  [asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Events

  /** Subscribes to an event. Returns this, for chaining. */
  on<E extends keyof ServerEvents<Data>>(event: E, listener: ServerEvents<Data>[E]): this {
    this.#emitterOf(event).on(event as never, listener as never);
    return this;
  }

  /** Subscribes to the next occurrence of an event. */
  once<E extends keyof ServerEvents<Data>>(event: E, listener: ServerEvents<Data>[E]): this {
    this.#emitterOf(event).once(event as never, listener as never);
    return this;
  }

  /** Unsubscribes a listener. */
  off<E extends keyof ServerEvents<Data>>(event: E, listener: ServerEvents<Data>[E]): this {
    this.#emitterOf(event).off(event as never, listener as never);
    return this;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Reading peers and rooms (this node's; the cluster-wide views are async)

  /** How many peers are connected to this node (peers in their resume grace period included). */
  get peerCount(): number {
    return this.#core.peerCount;
  }

  /** How many rooms this node holds (in a cluster: the rooms with a peer of this node). */
  get roomCount(): number {
    return this.#core.roomCount;
  }

  /** Open WebSocket connections (peers in their resume grace period have none). */
  get connectionCount(): number {
    return this.#sessions.size;
  }

  /** Every peer connected to this node, in connect order. */
  peers(): PeerInfo<Data>[] {
    return this.#core.peers();
  }

  /** One peer connected to this node, or `undefined`. */
  peer(peerId: string): PeerInfo<Data> | undefined {
    return this.#core.peer(peerId);
  }

  /** Every room this node holds, in creation order. */
  rooms(): RoomInfo[] {
    return this.#core.rooms();
  }

  /** One room this node holds, or `undefined`. */
  room(roomId: string): RoomInfo | undefined {
    return this.#core.room(roomId);
  }

  /** The ids of a room's members in join order, as this node holds it (empty when it holds no such room). */
  members(roomId: string): string[] {
    return this.#core.members(roomId);
  }

  /** The `/status` document of this node: every client and every non-empty room. */
  status(): StatusReport {
    return this.#core.status();
  }

  /**
   * The `/status` document for the whole cluster (read from the shared state), or this server's own when it is
   * not clustered. Lists every peer id: for big clusters prefer {@link SignalingServer.summary}.
   */
  async clusterStatus(): Promise<StatusReport> {
    return this.#cluster === undefined ? this.#core.status() : this.#cluster.status();
  }

  /** Counts only, cluster-wide when clustered: connected peers, rooms, and live nodes. */
  async summary(): Promise<{ totalClients: number; rooms: number; nodes: number }> {
    if (this.#cluster === undefined) return { totalClients: this.#core.peerCount, rooms: this.#core.roomCount, nodes: 1 };
    const { peers, rooms, nodes } = await this.#cluster.summary();
    return { totalClients: peers, rooms, nodes };
  }

  /** One room's members in join order, cluster-wide when clustered (empty when the room does not exist). */
  async roomMembers(roomId: string): Promise<string[]> {
    return this.#cluster === undefined ? this.#core.members(roomId) : this.#cluster.members(roomId);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Acting on peers and rooms

  /**
   * Sends an application message to one peer of this node: the SDK emits it as `server-message`, a console client
   * gets `{"type":"server-message","data":...}` (docs/protocols.md has every dialect's frame). Returns false when
   * the peer is not connected here.
   *
   * @example signaling.send(peerId, { text: 'Maintenance at 18:00' });
   */
  send(peerId: string, data: unknown): boolean {
    return this.#core.send(peerId, data);
  }

  /** Sends an application message to every member of a room but `except`, on every node. Returns how many it reached. */
  broadcast(roomId: string, data: unknown, options: { except?: string } = {}): number {
    return this.#core.broadcast(roomId, data, options);
  }

  /**
   * Puts a peer of this node into a room from server code (no `authorizeJoin`; the room's capacity holds). See
   * {@link SignalingCore.join}.
   *
   * @example signaling.on('peer:connect', ({ peer }) => void signaling.join(peer.id, 'lobby'));
   */
  join(peerId: string, roomId: string, options?: JoinOptions): Promise<RoomInfo> {
    return this.#core.join(peerId, roomId, options);
  }

  /** Takes a peer of this node out of a room from server code, as if it left. Returns false when it is not in it. */
  leave(peerId: string, roomId: string): boolean {
    return this.#core.leave(peerId, roomId);
  }

  /** Removes a peer from a room, telling it it was kicked. Returns false when it is not in that room. */
  kick(roomId: string, peerId: string): boolean {
    return this.#core.kick(roomId, peerId);
  }

  /** Ends a room on every node: every member is told and removed. See {@link SignalingCore.endRoom}. */
  endRoom(roomId: string): boolean {
    return this.#core.endRoom(roomId);
  }

  /** Creates a room from server code, before anyone joins. See {@link SignalingCore.createRoom}. */
  createRoom(options?: CreateRoomOptions): RoomInfo {
    return this.#core.createRoom(options);
  }

  /** Disconnects a peer of this node: it leaves its rooms at once and its connection is closed. */
  disconnect(peerId: string, options?: DisconnectOptions): boolean {
    return this.#core.disconnectPeer(peerId, options);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Connections

  #accept(ws: SessionSocket, stream: Duplex, dialect: Dialect, codec: Dialect, admission: Admission, request: IncomingMessage): void {
    if (this.#sessions.size >= this.options.maxConnections) {
      ws.close(1013, 'server-overloaded');
      return;
    }
    // A PeerJS client names its own id and proves it with its token: PeerServer's handshake decides.
    if (dialect.name === 'peerjs') return this.#peerjsEndpoint.accept(ws, stream, request, admission, codec);
    const session = new Session(ws, stream, codec, this.#host);
    session.extensions = admission.extensions;
    this.#sessions.add(session);
    if (this.#resumption.tryResume(session, dialect, admission)) return;
    this.#connect(session, admission.identity.id, dialect, admission);
  }

  #connect(session: Session, id: string | undefined, dialect: Dialect, admission: Admission): void {
    this.#resumption.beforeConnect(id);
    const peerId = this.#core.connect(session, {
      id,
      scope: this.options.scope[dialect.name],
      switchRooms: dialect.switchRooms,
      dialect: dialect.name,
      data: admission.identity.data,
      allowedRooms: admission.identity.rooms,
    });
    session.peerId = peerId;
    this.#resumption.welcome(session);
  }

  /**
   * A session's socket closed: the peer leaves at once, or, if it asked for extensions and dropped by accident,
   * waits out its grace period. A plain connection always leaves at once: its original client cannot resume.
   */
  #sessionClosed(session: Session, code: number): void {
    this.#sessions.delete(session);
    // A socket whose id now belongs to a newer connection must not remove that newer peer.
    if (session.retired || session.peerId === '' || !this.#coreInternals.isCurrent(session.peerId, session)) return;
    const reason = session.closeReason(code);
    if (this.#resumption.suspend(session, code, reason)) return;
    this.#core.disconnect(session.peerId, this.#closed !== undefined ? 'shutdown' : reason);
  }

  /**
   * Before a join: a full room gives the seat of its longest-suspended member (a peer in its grace period) to the
   * joiner; then the join's cost in join tokens (see notice-cost.ts).
   */
  #prepareJoin(session: Session, roomId: unknown): number {
    if (typeof roomId !== 'string') return 1;
    // Read in place: this runs on every join, and a copy of the room and of each member would be garbage at once.
    const room = this.#coreInternals.roomView(roomId);
    const members = room?.members;
    // Nobody else to tell: a created room's notice goes to its creator only.
    if (room === undefined || members === undefined || members.size === 0 || (members.size === 1 && members.has(session.peerId))) return 1;
    if (members.size >= room.capacity && !members.has(session.peerId)) this.#resumption.freeSeat([...members.keys()]);
    let connector = session.dialect.name === 'connector';
    if (!connector) {
      for (const member of members.values()) {
        if (member.dialect !== 'connector') continue;
        connector = true;
        break;
      }
    }
    return connector ? noticeCost(roomId, room.name, [...members.keys(), session.peerId]) : 1;
  }

  /**
   * The PeerJS endpoint, made for the first PeerJS client: the `peerjs` option, or PeerServer's defaults for a
   * client that came in through the `dialects` map or a subprotocol.
   */
  get #peerjsEndpoint(): PeerjsEndpoint {
    this.#peerjs ??= new PeerjsEndpoint(
      {
        core: this.#core as SignalingCore<unknown>,
        internals: this.#coreInternals,
        sessionHost: this.#host,
        scope: this.options.scope.peerjs,
        addSession: (session) => void this.#sessions.add(session),
        cluster: this.#cluster,
      },
      this.options.peerjs ?? resolvePeerServerOptions({}),
      this.options.maxBufferedBytes,
    );
    return this.#peerjs;
  }

  /** The `iceServers` for a peer (TURN REST credentials), or `undefined` without `turn` configured. */
  #iceServersFor(peerId: string): Array<{ urls: string[]; username: string; credential: string }> | undefined {
    return this.options.turn === undefined ? undefined : [turnCredentials(this.options.turn, peerId)];
  }

  #emitterOf(event: keyof ServerEvents<Data>): { on: Function; once: Function; off: Function } {
    return TRANSPORT_EVENTS.has(event) ? this.#transportEvents : this.#core;
  }

  /** Emits a transport event; a listener's error is reported where the core's go. */
  #emitTransport<E extends keyof TransportEvents<Data>>(event: E, payload: Parameters<TransportEvents<Data>[E]>[0]): void {
    if (this.#transportEvents.listenerCount(event) === 0) return;
    try {
      (this.#transportEvents.emit as (event: E, payload: unknown) => boolean)(event, payload);
    } catch (error) {
      this.#coreInternals.reportError(error);
    }
  }

  async #shutdown(): Promise<void> {
    this.#onClose();
    this.#heartbeat.stop();
    this.#peerjs?.close();
    // Upgrades still being authenticated get their answer now, not a reset when their check ends.
    this.#gate.refusePending();
    this.#resumption.endAll();
    const sessions = [...this.#sessions];
    const allClosed = Promise.all(sessions.map((s) => new Promise((resolve) => s.socket.once('close', resolve))));
    for (const session of sessions) session.close(1001, 'server shutting down');
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        for (const session of sessions) session.socket.terminate();
        resolve();
      }, CLOSE_GRACE_MS);
    });
    await Promise.race([allClosed, grace]);
    clearTimeout(timer);
    // Our peers' departures have gone out as events; now leave the cluster.
    await this.#cluster?.close().catch((error: unknown) => this.#coreInternals.reportError(error));
    await this.#gate.close();
  }
}
