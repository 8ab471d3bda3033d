import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SessionSocket } from './session-socket.js';
import type { CoreInternals, SignalingCore } from '../core/core.js';
import type { RoutingScope, Signal } from '../core/types.js';
import type { Dialect, WireEvent } from '../protocol/dialect.js';
import { frameText } from '../protocol/frame.js';
import { PEERJS_ERRORS, PEERJS_ID_TAKEN, peerjsError, peerjsExpire, peerjsHolds } from '../protocol/peerjs.js';
import type { Admission } from './upgrades.js';
import { PeerjsMailbox } from './peerjs-mailbox.js';
import type { ResolvedPeerServerOptions } from './peerjs-options.js';
import { Session, type SessionHost } from './session.js';

/** Where a cluster keeps who is connected on which node (the cluster node implements it). */
export interface PeerDirectory {
  /** Whether the shared state is reachable (else the endpoint decides as a single node would). */
  readonly connected: boolean;
  /** Whether an id is connected anywhere in the cluster, and the digest of its token. */
  lookupPeer(peerId: string): Promise<{ readonly credential: string | undefined } | undefined>;
  /** Asks to hear when `peerId` connects on any node, for at most `ttlMs`; true when it is connected already. */
  watchPeer(peerId: string, ttlMs: number): Promise<boolean>;
}

/** What the PeerJS endpoint needs from the signaling server it belongs to. */
export interface PeerjsHost {
  readonly core: SignalingCore;
  readonly internals: CoreInternals;
  readonly sessionHost: SessionHost;
  /** The routing scope of PeerJS peers (`'open'` unless configured otherwise). */
  readonly scope: RoutingScope;
  /** Counts a new session among the server's (heartbeat, shutdown, `maxConnections`). */
  addSession(session: Session): void;
  /** This server's place in a cluster, if any: ids and their tokens are checked cluster-wide. */
  readonly cluster: PeerDirectory | undefined;
}

/**
 * A PeerJS client's session: the ordinary {@link Session}, plus the two things PeerServer does per client: it cuts
 * a client silent for `alive_timeout` (the client sends `HEARTBEAT` every 5 s), and it keeps a message whose
 * destination is not connected yet instead of dropping it.
 */
class PeerjsSession extends Session {
  readonly #alive: NodeJS.Timeout;

  constructor(socket: SessionSocket, stream: Duplex, dialect: Dialect, host: SessionHost, private readonly endpoint: PeerjsEndpoint, aliveMs: number) {
    super(socket, stream, dialect, host);
    this.#alive = setTimeout(() => this.cut('alive-timeout'), aliveMs);
    this.#alive.unref();
  }

  override socketClosed(code: number): void {
    clearTimeout(this.#alive);
    super.socketClosed(code);
  }

  override receive(data: Buffer, isBinary: boolean): void {
    // Any frame proves the client alive; the original counts only HEARTBEAT, which the client sends regardless.
    this.#alive.refresh();
    super.receive(data, isBinary);
  }

  override send(event: WireEvent): void {
    if (event.kind === 'error' && event.signal !== undefined && this.endpoint.hold(this.peerId, event.signal)) return;
    super.send(event);
  }
}

/**
 * The PeerJS side of a signaling server: the handshake PeerServer does on `<path>/peerjs?key=&id=&token=`
 * (`ERROR`, `ID-TAKEN`, `OPEN`), the queue for destinations not connected yet and its `EXPIRE`, and `alive_timeout`.
 * Relaying itself is the core's, with routing scope `'open'`: in a cluster a peer reaches any id on any node.
 */
export class PeerjsEndpoint {
  /** The PeerJS clients connected here, with the digest of their token. */
  readonly #clients = new Map<string, { session: Session; credential: string }>();
  readonly #mailbox: PeerjsMailbox;

  constructor(
    private readonly host: PeerjsHost,
    readonly options: ResolvedPeerServerOptions,
    maxHeldBytesPerSender: number,
  ) {
    this.#mailbox = new PeerjsMailbox({ expired: (to, senders) => this.#expired(to, senders) }, options.expire_timeout, maxHeldBytesPerSender);
  }

  /** How many PeerJS clients are connected to this node. */
  get clientCount(): number {
    return this.#clients.size;
  }

  /** The ids of the PeerJS clients connected to this node, in connect order. */
  clientIds(): string[] {
    return [...this.#clients.keys()];
  }

  /** Takes an upgraded socket through PeerServer's handshake, in its order: parameters, key, id, limit. */
  accept(ws: SessionSocket, stream: Duplex, request: IncomingMessage, admission: Admission, codec: Dialect): void {
    const session = new PeerjsSession(ws, stream, codec, this.host.sessionHost, this, this.options.alive_timeout);
    session.extensions = admission.extensions;
    this.host.addSession(session);
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
    const [id, token, key] = [query.get('id'), query.get('token'), query.get('key')];
    if (!id || !token || !key) return refuse(session, PEERJS_ERRORS.invalidParameters);
    if (key !== this.options.key) return refuse(session, PEERJS_ERRORS.invalidKey);
    // An authenticated identity (authenticate, or a signed token as the PeerJS token) names the only id it may use.
    if (admission.identity.id !== undefined && admission.identity.id !== id) return refuse(session, PEERJS_ERRORS.invalidToken);
    const credential = createHash('sha256').update(token).digest('base64url');
    const local = this.#clients.get(id);
    if (local !== undefined) {
      if (local.credential !== credential) return idTaken(session);
      return this.#open(session, id, credential, admission); // the same client on a new socket: it takes over
    }
    if (this.#clients.size >= this.options.concurrent_limit) return refuse(session, PEERJS_ERRORS.limitExceeded);
    const cluster = this.host.cluster;
    if (cluster === undefined || !cluster.connected) return this.#open(session, id, credential, admission);
    // Another node may hold the id: its token decides. Frames that arrive meanwhile wait, in order.
    const checked = cluster.lookupPeer(id).then(
      (found) => {
        if (ws.readyState !== ws.OPEN) return;
        const here = this.#clients.get(id);
        if ((here !== undefined && here.credential !== credential) || (found !== undefined && found.credential !== credential)) {
          return idTaken(session);
        }
        this.#open(session, id, credential, admission);
      },
      (error: unknown) => {
        // The shared state is out of reach: decide as a single node would.
        this.host.internals.reportError(error);
        if (ws.readyState === ws.OPEN) this.#open(session, id, credential, admission);
      },
    );
    session.hold(checked);
  }

  /**
   * A relay the core could not deliver (its destination is connected nowhere): keeps it for the destination, as
   * PeerServer does, unless it is a `LEAVE` or `EXPIRE`. Returns true when the message was taken care of.
   */
  hold(from: string, signal: Signal): boolean {
    if (!peerjsHolds(signal) || typeof signal.to !== 'string') return false;
    const to = signal.to;
    const { held, first } = this.#mailbox.hold(to, { from, signal, bytes: frameText(signal).length });
    if (!held) {
      // The sender has as much waiting as one receiver may have buffered: it hears at once that nobody came.
      this.#expire(from, to);
      return true;
    }
    if (this.host.internals.hasLocal(to)) {
      this.#deliverHeld(to);
    } else if (first && this.host.cluster !== undefined) {
      // The destination may connect on another node: ask to hear of it (or learn it is there already).
      this.host.cluster.watchPeer(to, this.options.expire_timeout).then(
        (present) => present && this.#deliverHeld(to),
        () => {},
      );
    }
    return true;
  }

  /** A destination another node announced (it connected there): what waits for it goes out now. */
  peerArrived(peerId: string): void {
    if (this.#mailbox.has(peerId)) this.#deliverHeld(peerId);
  }

  /** Drops every waiting message (the server is closing). */
  close(): void {
    this.#mailbox.clear();
  }

  #open(session: Session, id: string, credential: string, admission: Admission): void {
    const core = this.host.core;
    session.peerId = core.connect(session, {
      id,
      scope: this.host.scope,
      switchRooms: false,
      dialect: 'peerjs',
      data: admission.identity.data,
      allowedRooms: admission.identity.rooms,
      credential,
    });
    this.#clients.set(id, { session, credential });
    session.socket.once('close', () => {
      if (this.#clients.get(id)?.session === session) this.#clients.delete(id);
    });
    this.#deliverHeld(id);
  }

  /** Hands what waits for `to` to the core again, from each sender still connected, in arrival order. */
  #deliverHeld(to: string): void {
    const core = this.host.core;
    for (const message of this.#mailbox.take(to)) {
      if (this.host.internals.hasLocal(message.from)) core.handle(message.from, { kind: 'signal', signal: message.signal });
    }
  }

  #expired(to: string, senders: readonly string[]): void {
    for (const sender of senders) this.#expire(sender, to);
  }

  /** Tells a sender its held message found nobody in time (PeerServer's `EXPIRE`), on its current socket. */
  #expire(sender: string, absent: string): void {
    const session = this.#clients.get(sender)?.session;
    if (session !== undefined && this.host.internals.isCurrent(sender, session)) {
      session.send({ kind: 'reply', data: peerjsExpire(absent, sender) });
    }
  }
}

/** The original's refusal: an `ERROR` frame, then a close without a status code. */
function refuse(session: Session, msg: string): void {
  session.sendText(peerjsError(msg));
  session.socket.close();
}

function idTaken(session: Session): void {
  session.sendText(PEERJS_ID_TAKEN);
  session.socket.close();
}
