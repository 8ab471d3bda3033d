import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { REPLACED_CLOSE_CODE, SignalingCore } from '../core/core.js';
import type { Connection, PeerInfo, RoomInfo, SignalingEvents, StatusReport } from '../core/types.js';
import type { Dialect, DialectName } from '../protocol/dialect.js';
import { createDialects } from '../protocol/dialects.js';
import { authorizeHandshake, type Admission } from './handshake.js';
import { Heartbeat } from './heartbeat.js';
import { resolveSignalingOptions, type ResolvedSignalingOptions, type SignalingOptions } from './options.js';
import { ResumeTokens } from './resume-tokens.js';
import { Session, type SessionHost } from './session.js';
import { Suspension } from './suspension.js';
import { ClusterNode } from '../cluster/cluster-node.js';
import { logEvents } from '../ops/logger.js';
import { turnCredentials } from '../ops/turn.js';
import { asyncDispose } from '../dispose.js';
import { PeerjsEndpoint } from './peerjs-endpoint.js';
import { resolvePeerServerOptions } from './peerjs-options.js';

/** How long {@link SignalingServer.close} waits for clients to answer the close handshake before cutting them. */
const CLOSE_GRACE_MS = 2_000;

/** Close codes a client sends when it leaves on purpose: even a resumable peer then leaves at once. */
const DELIBERATE_CLOSE = new Set([1000, 1005]);
/** Reasons the server cut a socket that end the peer at once, with no grace period. */
const FINAL_CUTS = new Set(['slow-consumer', 'rate-limit']);

/**
 * A signaling endpoint that is not yet wired to any HTTP server: it owns a {@link SignalingCore} and a `ws`
 * server, and accepts sockets through {@link SignalingServer.handleUpgrade}, the one primitive every adapter
 * wires up. Use {@link attachSignaling} (or the Express and Fastify adapters) rather than constructing it.
 * Its wire formats, and every difference from the original servers, are in docs/protocols.md.
 */
export class SignalingServer {
  /** The core: peers, rooms and the server-side API (`kick`, `endRoom`, `send`, `broadcast`, ...). */
  readonly core: SignalingCore;
  /** The resolved options, defaults filled in. */
  readonly options: Readonly<ResolvedSignalingOptions>;
  readonly #wss: WebSocketServer;
  readonly #dialects: ReadonlyMap<DialectName, Dialect>;
  /** The same dialects for connections that asked for extensions (they may add fields to frames). */
  readonly #extendedDialects: ReadonlyMap<DialectName, Dialect>;
  readonly #bySubprotocol: ReadonlyMap<string, Dialect>;
  readonly #sessions = new Set<Session>();
  /** Upgrade sockets whose admission (an async `authenticate` or token check) is still running. */
  readonly #pending = new Set<Duplex>();
  readonly #suspended = new Map<string, Suspension>();
  readonly #heartbeat: Heartbeat;
  readonly #resumeTokens: ResumeTokens | undefined;
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

  /** @param onClose runs once when the server closes, to detach it from whatever it was attached to. */
  constructor(options: SignalingOptions = {}, onClose: () => void = () => {}) {
    this.options = Object.freeze(resolveSignalingOptions(options));
    this.core = new SignalingCore(this.options);
    this.#onClose = onClose;
    this.#host = {
      core: this.core,
      options: this.options,
      sessionClosed: (session, code) => this.#sessionClosed(session, code),
      sessionShed: (session) => {
        if (session.peerId !== '' && this.core.isCurrent(session.peerId, session)) this.core.disconnect(session.peerId, session.cutReason);
      },
      prepareJoin: (session, room) => this.#prepareJoin(session, room),
      observeHandling: undefined,
    };
    if (this.options.logger !== undefined) logEvents(this.core, this.options.logger);
    this.#dialects = createDialects({ maxDepth: this.options.maxDepth });
    this.#extendedDialects = createDialects({ maxDepth: this.options.maxDepth, extensions: true });
    this.#bySubprotocol = new Map([...this.#dialects.values()].map((dialect) => [dialect.subprotocol, dialect]));
    this.#wss = new WebSocketServer({
      noServer: true,
      // The heartbeat and shutdown walk this server's own session set; ws need not track clients too.
      clientTracking: false,
      maxPayload: this.options.maxMessageSize,
      // Compression invites zip bombs and fragments memory; signaling frames are small.
      perMessageDeflate: false,
      // None of ours offered: echo the first one, as ws (and so the Console Viewer original) does by default.
      handleProtocols: (offered) => this.#subprotocolFor(offered)?.subprotocol ?? offered.values().next().value ?? false,
    });
    this.#resumeTokens = this.options.resume
      ? new ResumeTokens(this.options.resumeSecret, this.options.resumeTokenTtl, this.options.resumeGracePeriod)
      : undefined;
    this.#heartbeat = new Heartbeat(this.#sessions, this.options.heartbeatInterval, this.options.heartbeatTimeout);
    this.#heartbeat.start();
    const backplane = this.options.backplane;
    this.#cluster =
      backplane === undefined
        ? undefined
        : new ClusterNode(
            {
              core: this.core,
              releasePeer: (peerId, previous) => this.#releasePeer(peerId, previous),
              replacePeer: (peerId) => void this.core.disconnectPeer(peerId, { code: REPLACED_CLOSE_CODE, reason: 'replaced' }),
              decodeSignal: (dialect, raw) => {
                const command = this.#dialects.get(dialect as DialectName)?.decode(raw);
                return command?.kind === 'signal' ? command.signal : undefined;
              },
              peerArrived: (peerId) => this.#peerjs?.peerArrived(peerId),
            },
            backplane,
            {
              heartbeatInterval: this.options.clusterHeartbeatInterval,
              nodeTimeout: this.options.clusterNodeTimeout,
            },
          );
    if (this.#resumeTokens !== undefined) this.#revokeTokens(this.#resumeTokens);
    this.#joined = this.#cluster?.start() ?? Promise.resolve();
    this.#joined.catch((error: unknown) => this.core.reportError(error));
  }

  /** Resolves once this server takes peers: at once alone; in a cluster, once it has joined the cluster. */
  whenReady(): Promise<void> {
    return this.#joined;
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
   * The `/status` document for the whole cluster (read from the shared state), or this server's own when it is
   * not clustered. Lists every peer id: for big clusters prefer {@link SignalingServer.summary}.
   */
  async clusterStatus(): Promise<StatusReport> {
    return this.#cluster === undefined ? this.core.status() : this.#cluster.status();
  }

  /** Counts only, cluster-wide when clustered: connected peers, rooms, and live nodes. */
  async summary(): Promise<{ totalClients: number; rooms: number; nodes: number }> {
    if (this.#cluster === undefined) return { totalClients: this.core.peerCount, rooms: this.core.roomCount, nodes: 1 };
    const { peers, rooms, nodes } = await this.#cluster.summary();
    return { totalClients: peers, rooms, nodes };
  }

  /** One room's members in join order, cluster-wide when clustered (empty when the room does not exist). */
  async roomMembers(roomId: string): Promise<string[]> {
    return this.#cluster === undefined ? this.core.members(roomId) : this.#cluster.members(roomId);
  }

  /** Subscribes to a core event. Returns this, for chaining. */
  on<E extends keyof SignalingEvents>(event: E, listener: SignalingEvents[E]): this {
    this.core.on(event, listener);
    return this;
  }

  /** Subscribes to the next occurrence of a core event. */
  once<E extends keyof SignalingEvents>(event: E, listener: SignalingEvents[E]): this {
    this.core.once(event, listener);
    return this;
  }

  /** Unsubscribes a listener. */
  off<E extends keyof SignalingEvents>(event: E, listener: SignalingEvents[E]): this {
    this.core.off(event, listener);
    return this;
  }

  /** The `/status` document: every client and every non-empty room. */
  status(): StatusReport {
    return this.core.status();
  }

  /** Open WebSocket connections (peers in their resume grace period have none). */
  get connectionCount(): number {
    return this.#sessions.size;
  }

  /** Whether {@link SignalingServer.close} has been called. */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /**
   * Whether it accepts peers: not closing and, in a cluster, started (its channel live and its lease announced)
   * and connected to its backplane.
   */
  get ready(): boolean {
    return this.#closed === undefined && (this.#cluster?.ready ?? true);
  }

  /**
   * Receives the time each client frame took to handle, in seconds (metrics use it). Off by default, so
   * nobody pays for clock reads they do not use.
   */
  observeMessageHandling(observer: ((seconds: number) => void) | undefined): void {
    this.#host.observeHandling = observer;
  }

  /** The `iceServers` for a peer (TURN REST credentials), or `undefined` without `turn` configured. */
  iceServersFor(peerId: string): Array<{ urls: string[]; username: string; credential: string }> | undefined {
    return this.options.turn === undefined ? undefined : [turnCredentials(this.options.turn, peerId)];
  }

  /**
   * Takes over an HTTP upgrade request and turns it into a signaling peer: checks the origin, authenticates,
   * then upgrades. This is the primitive every adapter wires up; call it from your own `'upgrade'` listener to
   * mount signaling anywhere.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#closed !== undefined) return rejectUpgrade(socket, 503, 'Service Unavailable');
    // A cluster node takes peers only once it is part of the cluster: before, it would tell joiners rooms are empty.
    if (this.#cluster !== undefined && !this.#cluster.started) return rejectUpgrade(socket, 503, 'Service Unavailable');
    const admission = authorizeHandshake(request, this.options);
    // Synchronously, ws takes the socket (and its errors) at once.
    if (!(admission instanceof Promise)) return this.#upgrade(request, socket, head, admission);
    // While authentication runs, a socket reset must not become an uncaught 'error'.
    socket.on('error', destroySocket);
    this.#pending.add(socket);
    admission.then(
      (result) => {
        this.#pending.delete(socket);
        this.#upgrade(request, socket, head, result);
      },
      (error: unknown) => {
        this.#pending.delete(socket);
        this.core.reportError(error);
        rejectUpgrade(socket, 500, 'Internal Server Error');
      },
    );
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

  /** The ids of the PeerJS clients connected to this node, in connect order. */
  peerjsClientIds(): string[] {
    return this.#peerjs?.clientIds() ?? [];
  }

  /**
   * The PeerJS endpoint, made for the first PeerJS client: the `peerjs` option, or PeerServer's defaults for a
   * client that came in through the `dialects` map or a subprotocol.
   */
  get #peerjsEndpoint(): PeerjsEndpoint {
    this.#peerjs ??= new PeerjsEndpoint(
      {
        core: this.core,
        sessionHost: this.#host,
        addSession: (session) => void this.#sessions.add(session),
        cluster: this.#cluster,
      },
      this.options.peerjs ?? resolvePeerServerOptions({}),
      this.options.maxBufferedBytes,
    );
    return this.#peerjs;
  }

  async #shutdown(): Promise<void> {
    this.#onClose();
    this.#heartbeat.stop();
    this.#peerjs?.close();
    // Upgrades still being authenticated get their answer now, not a reset when their check ends.
    for (const socket of this.#pending) rejectUpgrade(socket, 503, 'Service Unavailable');
    this.#pending.clear();
    for (const suspension of [...this.#suspended.values()]) this.#endSuspension(suspension, 'shutdown');
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
    await this.#cluster?.close().catch((error: unknown) => this.core.reportError(error));
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, admission: Admission): void {
    // Gone, or already answered (close() answers pending upgrades itself).
    if (socket.destroyed || !socket.writable) return;
    if (this.#closed !== undefined) return rejectUpgrade(socket, 503, 'Service Unavailable');
    socket.off('error', destroySocket);
    if (admission.refuse !== undefined) return rejectUpgrade(socket, admission.refuse, admission.reason);
    const dialect = this.#dialectFor(request);
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, socket, dialect, admission, request));
  }

  #accept(ws: WebSocket, stream: Duplex, dialect: Dialect, admission: Admission, request: IncomingMessage): void {
    // First, before anything can fail: a socket error (an oversized frame, bad UTF-8) closes this socket only.
    ws.on('error', onSocketError);
    if (this.#sessions.size >= this.options.maxConnections) {
      ws.close(1013, 'server-overloaded');
      return;
    }
    const codec = admission.extensions ? (this.#extendedDialects.get(dialect.name) as Dialect) : dialect;
    // A PeerJS client names its own id and proves it with its token: PeerServer's handshake decides.
    if (dialect.name === 'peerjs') return this.#peerjsEndpoint.accept(ws, stream, request, admission, codec);
    const session = new Session(ws, stream, codec, this.#host);
    session.extensions = admission.extensions;
    this.#sessions.add(session);
    const authenticated = admission.identity.id;
    if (admission.resume !== undefined && this.#resumeTokens !== undefined) {
      // Single use: whatever happens next, this token is spent.
      const taken = this.#resumeTokens.take(admission.resume, this.#cluster !== undefined);
      // A resume token only brings back the identity the request is entitled to.
      if (taken !== undefined && (authenticated === undefined || authenticated === taken.peerId)) {
        if (this.#resume(session, taken.peerId)) return;
        if (!taken.local) {
          if (this.#cluster !== undefined) return this.#resumeFromCluster(this.#cluster, session, taken.peerId, dialect, admission);
          // Issued before a restart, within its grace period: the same id back (its rooms ended with the old process).
          return this.#connect(session, taken.peerId, dialect, admission);
        }
      } else if (authenticated !== undefined && this.core.hasLocal(authenticated)) {
        // A spent or revoked token for an id a newer connection holds (the tab that was replaced): it may not
        // come back by resuming, and must not replace the newer one.
        session.retire(REPLACED_CLOSE_CODE, 'replaced');
        return;
      }
    }
    this.#connect(session, authenticated, dialect, admission);
  }

  #connect(session: Session, id: string | undefined, dialect: Dialect, admission: Admission): void {
    // A new connection for an id in its grace period replaces it: that grace period's timer must not end the new peer.
    if (id !== undefined) this.#dropSuspension(id);
    // Peers in their grace period count against maxConnections, but never keep a live connection out.
    for (const oldest of this.#suspended.values()) {
      if (this.#sessions.size + this.#suspended.size <= this.options.maxConnections) break;
      this.#endSuspension(oldest, 'evicted');
    }
    const peerId = this.core.connect(session, {
      id,
      scope: this.options.scope[dialect.name],
      switchRooms: dialect.switchRooms,
      dialect: dialect.name,
      data: admission.identity.data,
      allowedRooms: admission.identity.rooms,
    });
    session.peerId = peerId;
    this.#sendExtensions(session);
  }

  /** A resume of a peer another node may hold: the cluster moves it here with its rooms, or it connects anew. */
  #resumeFromCluster(cluster: ClusterNode, session: Session, id: string, dialect: Dialect, admission: Admission): void {
    const peer = {
      dialect: dialect.name,
      scope: this.options.scope[dialect.name],
      switchRooms: dialect.switchRooms,
      data: admission.identity.data,
      allowedRooms: admission.identity.rooms,
    };
    const moved = cluster.adoptResumed(id, session, peer).then(
      (adopted) => {
        // Nobody holds that id any more (its grace period is over): a fresh identity, as for a spent token.
        if (!adopted) return this.#connect(session, admission.identity.id, dialect, admission);
        session.peerId = id;
        // The socket may have gone while the cluster moved the peer: then it leaves like any other.
        if (session.socket.readyState !== session.socket.OPEN) return void this.core.disconnect(id, 'closed');
        session.send({ kind: 'welcome', peerId: id });
        this.#sendExtensions(session);
        this.#emit('peer:resume', { peer: this.core.peer(id) as PeerInfo });
      },
      (error: unknown) => {
        this.core.reportError(error);
        this.#connect(session, admission.identity.id, dialect, admission);
      },
    );
    session.hold(moved);
  }

  /** Moves a known peer onto a new session: from its grace period, or from a socket not yet seen dead. */
  #resume(session: Session, peerId: string): boolean {
    const suspension = this.#suspended.get(peerId);
    const previous = this.core.replaceConnection(peerId, session);
    if (previous === undefined) return false;
    session.peerId = peerId;
    session.send({ kind: 'welcome', peerId });
    this.#sendExtensions(session);
    if (suspension !== undefined) {
      clearTimeout(suspension.timer);
      this.#suspended.delete(peerId);
      for (const text of suspension.frames) session.sendText(text);
    } else if (previous instanceof Session) {
      previous.retire(4000, 'resumed on a new connection');
    }
    this.#emit('peer:resume', { peer: this.core.peer(peerId) as PeerInfo });
    return true;
  }

  /**
   * Before a join: a full room gives the seat of its longest-suspended member (a peer in its grace period) to the
   * joiner; then the join's cost in join tokens. A console `peer-joined` and `peer-left` cost one token; a room
   * with a connector member sends each member the whole member list twice instead (`Client_Added`, then
   * `Client_Removed`), so the join costs as many tokens as that is bigger: every member then receives no more
   * notice bytes per second from one peer than a console member would.
   */
  #prepareJoin(session: Session, roomId: unknown): number {
    if (typeof roomId !== 'string') return 1;
    const room = this.core.room(roomId);
    // Nobody else to tell: a created room's notice goes to its creator only.
    if (room === undefined || room.members.every((member) => member === session.peerId)) return 1;
    if (room.members.length >= room.capacity && !room.members.includes(session.peerId)) {
      const seated = room.members.find((member) => this.#suspended.has(member));
      if (seated !== undefined) this.#endSuspension(this.#suspended.get(seated) as Suspension, 'evicted');
    }
    const connector =
      session.dialect.name === 'connector' || room.members.some((member) => this.core.peer(member)?.dialect === 'connector');
    return connector ? noticeCost(roomId, room, [...room.members, session.peerId]) : 1;
  }

  /**
   * A resume token lives only as long as its peer: when the peer leaves (its grace period ends, server code
   * disconnects or bans it, a newer connection replaces it) its token dies with it. A kick takes its token too;
   * a kicked peer still connected gets a fresh one at once.
   */
  #revokeTokens(tokens: ResumeTokens): void {
    this.core.on('peer:disconnect', ({ peer }) => tokens.revoke(peer.id));
    this.core.on('room:leave', ({ peer, reason }) => {
      if (reason !== 'kicked' || !tokens.has(peer.id)) return;
      tokens.revoke(peer.id);
      for (const session of this.#sessions) {
        if (session.peerId === peer.id && this.core.isCurrent(peer.id, session)) session.send({ kind: 'resume-token', token: tokens.issue(peer.id) });
      }
    });
  }

  /**
   * What a peer that asked for extensions learns right after its id: its resume token, and TURN credentials when
   * configured. A plain connection gets neither: its original sends nothing of the kind.
   */
  #sendExtensions(session: Session): void {
    if (!session.extensions) return;
    if (this.#resumeTokens !== undefined) session.send({ kind: 'resume-token', token: this.#resumeTokens.issue(session.peerId) });
    const iceServers = this.iceServersFor(session.peerId);
    if (iceServers !== undefined) session.send({ kind: 'ice-servers', iceServers });
  }

  /**
   * A session's socket closed: the peer leaves at once, or, if it asked for extensions and dropped by accident,
   * waits out its grace period. A plain connection always leaves at once: its original client cannot resume.
   */
  #sessionClosed(session: Session, code: number): void {
    this.#sessions.delete(session);
    // A socket whose id now belongs to a newer connection must not remove that newer peer.
    if (session.retired || session.peerId === '' || !this.core.isCurrent(session.peerId, session)) return;
    const reason = session.cutReason ?? closeReasonOf(session.socket, code);
    const mayResume =
      session.extensions &&
      this.#resumeTokens !== undefined &&
      this.options.resumeGracePeriod > 0 &&
      this.#closed === undefined &&
      !DELIBERATE_CLOSE.has(code) &&
      !FINAL_CUTS.has(reason) &&
      reason !== 'too-large';
    if (!mayResume) {
      this.core.disconnect(session.peerId, this.#closed !== undefined ? 'shutdown' : reason);
      return;
    }
    const suspension = new Suspension(session.peerId, session.dialect, this.options.maxBufferedBytes, (s) =>
      this.#endSuspension(s, 'resume-overflow'),
    );
    if (this.core.replaceConnection(session.peerId, suspension) === undefined) return;
    this.#suspended.set(session.peerId, suspension);
    suspension.timer = setTimeout(() => this.#endSuspension(suspension, reason), this.options.resumeGracePeriod);
    this.#emit('peer:suspend', { peer: this.core.peer(session.peerId) as PeerInfo, reason });
  }

  /** Emits a transport event on the core's emitter, where every other event is; listener errors are reported. */
  #emit<E extends 'peer:suspend' | 'peer:resume'>(event: E, payload: Parameters<SignalingEvents[E]>[0]): void {
    if (this.core.listenerCount(event) === 0) return;
    try {
      (this.core.emit as (event: E, payload: unknown) => boolean)(event, payload);
    } catch (error) {
      this.core.reportError(error);
    }
  }

  /** Another node took over this peer (it resumed there): drop its grace period or old socket, without a leave. */
  #releasePeer(peerId: string, previous: Connection | undefined): void {
    this.#dropSuspension(peerId);
    // Its live token is the one the other node issued now.
    this.#resumeTokens?.revoke(peerId);
    if (previous instanceof Session) previous.retire(4000, 'resumed on another node');
  }

  #endSuspension(suspension: Suspension, reason: string): void {
    if (this.#suspended.get(suspension.peerId) !== suspension) return;
    clearTimeout(suspension.timer);
    this.#suspended.delete(suspension.peerId);
    // Only the peer this grace period was for: never a newer peer that took the id meanwhile.
    if (this.core.isCurrent(suspension.peerId, suspension)) this.core.disconnect(suspension.peerId, reason);
  }

  /** Forgets a grace period without ending the peer (it resumed elsewhere, or a new connection replaces it). */
  #dropSuspension(peerId: string): void {
    const suspension = this.#suspended.get(peerId);
    if (suspension === undefined) return;
    clearTimeout(suspension.timer);
    this.#suspended.delete(peerId);
  }

  /** docs/protocols.md: an offered subprotocol of ours wins, then the path map, then the server default. */
  #dialectFor(request: IncomingMessage): Dialect {
    const offered = request.headers['sec-websocket-protocol'];
    if (offered !== undefined) {
      const fromProtocol = this.#subprotocolFor(new Set(offered.split(',').map((p) => p.trim())));
      if (fromProtocol !== undefined) return fromProtocol;
    }
    const path = pathnameOf(request);
    const byPath = Object.hasOwn(this.options.dialects, path) ? this.options.dialects[path] : undefined;
    return this.#dialects.get(byPath ?? this.options.dialect) as Dialect;
  }

  #subprotocolFor(offered: ReadonlySet<string>): Dialect | undefined {
    for (const protocol of offered) {
      const dialect = this.#bySubprotocol.get(protocol);
      if (dialect !== undefined) return dialect;
    }
    return undefined;
  }
}

/** A console `peer-joined` plus `peer-left` for a UUID id: what one join token buys (see #prepareJoin). */
const CONSOLE_NOTICE_PAIR_BYTES = 2 * 64;
/** A connector membership envelope without its member list: type, event, name, room, timestamp, message_id. */
const CONNECTOR_ENVELOPE_BYTES = 170;

/** Join tokens for the `Client_Added` and `Client_Removed` a join brings each member of a connector room. */
function noticeCost(roomId: string, room: RoomInfo, members: readonly string[]): number {
  let bytes = CONNECTOR_ENVELOPE_BYTES + roomId.length + room.name.length;
  for (const member of members) bytes += member.length + 3;
  return Math.max(1, Math.ceil((2 * bytes) / CONSOLE_NOTICE_PAIR_BYTES));
}

const kSocketError = Symbol('signalroom.socketError');

/** Remembers why ws failed a socket (it then closes it), so the disconnect can say so. */
function onSocketError(this: WebSocket, error: Error & { code?: string }): void {
  (this as WebSocket & { [kSocketError]?: string })[kSocketError] = error.code;
}

function closeReasonOf(socket: WebSocket, code: number): string {
  const error = (socket as WebSocket & { [kSocketError]?: string })[kSocketError];
  if (error === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 'too-large';
  if (error !== undefined) return 'error';
  return code === 1006 ? 'lost' : 'closed';
}

/** The path of a request, without its query string. */
export function pathnameOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
export function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  // The HTTP server no longer watches an upgrade socket: a reset while answering must not crash the process.
  if (socket.listenerCount('error') === 0) socket.on('error', destroySocket);
  if (!socket.writable) return void socket.destroy();
  // Destroy only once the answer is flushed, or the client sees a reset instead of the status.
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

function destroySocket(this: Duplex): void {
  this.destroy();
}
