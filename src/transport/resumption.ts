import { REPLACED_CLOSE_CODE, type CoreInternals, type SignalingCore } from '../core/core.js';
import type { Connection, DisconnectReason, PeerInfo, RoutingScope } from '../core/types.js';
import type { Dialect } from '../protocol/dialect.js';
import { ResumeTokens } from './resume-tokens.js';
import { Session } from './session.js';
import { Suspension } from './suspension.js';
import type { Admission } from './upgrades.js';

/** Close codes a client sends when it leaves on purpose: even a resumable peer then leaves at once. */
const DELIBERATE_CLOSE = new Set([1000, 1005]);
/** Reasons the server cut a socket that end the peer at once, with no grace period. */
const FINAL_CUTS = new Set<DisconnectReason>(['slow-consumer', 'rate-limit', 'too-large']);

/** The options resumption reads. */
export interface ResumptionOptions {
  readonly resume: boolean;
  readonly resumeSecret?: string | undefined;
  readonly resumeTokenTtl: number;
  readonly resumeGracePeriod: number;
  readonly maxBufferedBytes: number;
  readonly maxConnections: number;
}

/** A peer moved here from another node with its rooms (the cluster's `adoptResumed`), if a cluster is there. */
export type AdoptResumed = (peerId: string, session: Session, peer: ResumedPeer) => Promise<boolean>;

/** A resumed peer as the transport describes it. */
export interface ResumedPeer {
  readonly dialect: string;
  readonly scope: 'room' | 'open';
  readonly switchRooms: boolean;
  readonly data: unknown;
  readonly allowedRooms: readonly string[] | undefined;
}

/** What resumption needs from the server it belongs to. */
export interface ResumptionHost {
  readonly core: SignalingCore;
  readonly internals: CoreInternals;
  /** The open sessions (a kicked peer's live session gets a fresh token; eviction counts them). */
  readonly sessions: ReadonlySet<Session>;
  /** Whether the server is closing (nobody is kept for a resume then). */
  closing(): boolean;
  /** Connects a session as a new peer (with `id`, or a generated one). */
  connect(session: Session, id: string | undefined, dialect: Dialect, admission: Admission): void;
  /** The routing scope of a dialect's peers on this server. */
  scopeOf(dialect: Dialect): RoutingScope;
  /** A peer of this node that another node may hold: moved here with its rooms, when a cluster is there. */
  readonly adoptResumed: AdoptResumed | undefined;
  /** What a peer that asked for extensions learns after its id, beside its token (TURN credentials). */
  iceServersFor(peerId: string): unknown[] | undefined;
  /** A peer suspended or resumed (transport events). */
  suspended(peer: PeerInfo, reason: DisconnectReason): void;
  resumed(peer: PeerInfo): void;
}

/**
 * Resume tokens and grace periods: a peer that asked for extensions and lost its connection by accident keeps
 * its id and rooms for `resumeGracePeriod` ms, its frames kept for it, and comes back on a new connection with its
 * single-use token (on this node, or on another one of its cluster). A plain connection is never kept: its
 * original client cannot resume.
 */
export class Resumption {
  readonly #suspended = new Map<string, Suspension>();
  readonly #tokens: ResumeTokens | undefined;

  constructor(
    private readonly options: ResumptionOptions,
    private readonly host: ResumptionHost,
  ) {
    this.#tokens = options.resume ? new ResumeTokens(options.resumeSecret, options.resumeTokenTtl, options.resumeGracePeriod) : undefined;
    if (this.#tokens !== undefined) this.#revokeWithPeers(this.#tokens);
  }

  /** How many peers are in their grace period. */
  get suspendedCount(): number {
    return this.#suspended.size;
  }

  /**
   * A new session that brought a resume token: takes it over when the token brings its peer back (here, from
   * another node, or after a restart) or when it must not connect at all. Returns false when the session should
   * connect as usual.
   */
  tryResume(session: Session, dialect: Dialect, admission: Admission): boolean {
    const tokens = this.#tokens;
    if (admission.resume === undefined || tokens === undefined) return false;
    const authenticated = admission.identity.id;
    // Single use: whatever happens next, this token is spent.
    const taken = tokens.take(admission.resume, this.host.adoptResumed !== undefined);
    // A resume token only brings back the identity the request is entitled to.
    if (taken !== undefined && (authenticated === undefined || authenticated === taken.peerId)) {
      if (this.#resumeHere(session, taken.peerId)) return true;
      if (taken.local) return false;
      const adopt = this.host.adoptResumed;
      if (adopt !== undefined) {
        this.#resumeFromCluster(adopt, session, taken.peerId, dialect, admission);
        return true;
      }
      // Issued before a restart, within its grace period: the same id back (its rooms ended with the old process).
      this.host.connect(session, taken.peerId, dialect, admission);
      return true;
    }
    if (authenticated !== undefined && this.host.internals.hasLocal(authenticated)) {
      // A spent or revoked token for an id a newer connection holds (the tab that was replaced): it may not come
      // back by resuming, and must not replace the newer one.
      session.retire(REPLACED_CLOSE_CODE, 'replaced');
      return true;
    }
    return false;
  }

  /**
   * Before a new peer connects: a grace period of the same id ends without a leave (the new connection replaces
   * it), and peers in their grace period give up their slot while the server is over `maxConnections`.
   */
  beforeConnect(id: string | undefined): void {
    if (id !== undefined) this.#drop(id);
    for (const oldest of this.#suspended.values()) {
      if (this.host.sessions.size + this.#suspended.size <= this.options.maxConnections) break;
      this.#end(oldest, 'evicted');
    }
  }

  /**
   * What a peer that asked for extensions learns right after its id: its resume token, and TURN credentials when
   * configured. A plain connection gets neither: its original sends nothing of the kind.
   */
  welcome(session: Session): void {
    if (!session.extensions) return;
    if (this.#tokens !== undefined) session.send({ kind: 'resume-token', token: this.#tokens.issue(session.peerId) });
    const iceServers = this.host.iceServersFor(session.peerId);
    if (iceServers !== undefined) session.send({ kind: 'ice-servers', iceServers });
  }

  /**
   * A session's socket closed for `reason`: keeps its peer for the grace period when it asked for extensions and
   * dropped by accident. Returns false when the peer must leave now.
   */
  suspend(session: Session, code: number, reason: DisconnectReason): boolean {
    const mayResume =
      session.extensions &&
      this.#tokens !== undefined &&
      this.options.resumeGracePeriod > 0 &&
      !this.host.closing() &&
      !DELIBERATE_CLOSE.has(code) &&
      !FINAL_CUTS.has(reason);
    if (!mayResume) return false;
    const suspension = new Suspension(session.peerId, session.dialect, this.options.maxBufferedBytes, (s) => this.#end(s, 'resume-overflow'));
    if (this.host.internals.replaceConnection(session.peerId, suspension) === undefined) return true;
    this.#suspended.set(session.peerId, suspension);
    suspension.timer = setTimeout(() => this.#end(suspension, reason), this.options.resumeGracePeriod);
    this.host.suspended(this.host.core.peer(session.peerId) as PeerInfo, reason);
    return true;
  }

  /** A full room gives the seat of its longest-suspended member to a joiner. */
  freeSeat(members: readonly string[]): void {
    const seated = members.find((member) => this.#suspended.has(member));
    if (seated !== undefined) this.#end(this.#suspended.get(seated) as Suspension, 'evicted');
  }

  /** Another node took over this peer (it resumed there): drop its grace period or old socket, without a leave. */
  released(peerId: string, previous: Connection | undefined): void {
    this.#drop(peerId);
    // Its live token is the one the other node issued now.
    this.#tokens?.revoke(peerId);
    if (previous instanceof Session) previous.retire(4000, 'resumed on another node');
  }

  /** The server closes: every grace period ends now. */
  endAll(): void {
    for (const suspension of [...this.#suspended.values()]) this.#end(suspension, 'shutdown');
  }

  /** Moves a known peer onto a new session: from its grace period, or from a socket not yet seen dead. */
  #resumeHere(session: Session, peerId: string): boolean {
    const suspension = this.#suspended.get(peerId);
    const previous = this.host.internals.replaceConnection(peerId, session);
    if (previous === undefined) return false;
    session.peerId = peerId;
    session.send({ kind: 'welcome', peerId });
    this.welcome(session);
    if (suspension !== undefined) {
      clearTimeout(suspension.timer);
      this.#suspended.delete(peerId);
      for (const text of suspension.frames) session.sendText(text);
    } else if (previous instanceof Session) {
      previous.retire(4000, 'resumed on a new connection');
    }
    this.host.resumed(this.host.core.peer(peerId) as PeerInfo);
    return true;
  }

  /** A resume of a peer another node may hold: the cluster moves it here with its rooms, or it connects anew. */
  #resumeFromCluster(adopt: AdoptResumed, session: Session, id: string, dialect: Dialect, admission: Admission): void {
    const host = this.host;
    const peer: ResumedPeer = {
      dialect: dialect.name,
      scope: host.scopeOf(dialect),
      switchRooms: dialect.switchRooms,
      data: admission.identity.data,
      allowedRooms: admission.identity.rooms,
    };
    const moved = adopt(id, session, peer).then(
      (adopted) => {
        // Nobody holds that id any more (its grace period is over): a fresh identity, as for a spent token.
        if (!adopted) return host.connect(session, admission.identity.id, dialect, admission);
        session.peerId = id;
        // The socket may have gone while the cluster moved the peer: then it leaves like any other.
        if (session.socket.readyState !== session.socket.OPEN) return void host.core.disconnect(id, 'closed');
        session.send({ kind: 'welcome', peerId: id });
        this.welcome(session);
        host.resumed(host.core.peer(id) as PeerInfo);
      },
      (error: unknown) => {
        host.internals.reportError(error);
        host.connect(session, admission.identity.id, dialect, admission);
      },
    );
    session.hold(moved);
  }

  /**
   * A resume token lives only as long as its peer: when the peer leaves (its grace period ends, server code
   * disconnects or bans it, a newer connection replaces it) its token dies with it. A kick takes its token too;
   * a kicked peer still connected gets a fresh one at once.
   */
  #revokeWithPeers(tokens: ResumeTokens): void {
    const { core, internals, sessions } = this.host;
    core.on('peer:disconnect', ({ peer }) => tokens.revoke(peer.id));
    core.on('room:leave', ({ peer, reason }) => {
      if (reason !== 'kicked' || !tokens.has(peer.id)) return;
      tokens.revoke(peer.id);
      for (const session of sessions) {
        if (session.peerId === peer.id && internals.isCurrent(peer.id, session)) session.send({ kind: 'resume-token', token: tokens.issue(peer.id) });
      }
    });
  }

  #end(suspension: Suspension, reason: DisconnectReason): void {
    if (this.#suspended.get(suspension.peerId) !== suspension) return;
    clearTimeout(suspension.timer);
    this.#suspended.delete(suspension.peerId);
    // Only the peer this grace period was for: never a newer peer that took the id meanwhile.
    if (this.host.internals.isCurrent(suspension.peerId, suspension)) this.host.core.disconnect(suspension.peerId, reason);
  }

  /** Forgets a grace period without ending the peer (it resumed elsewhere, or a new connection replaces it). */
  #drop(peerId: string): void {
    const suspension = this.#suspended.get(peerId);
    if (suspension === undefined) return;
    clearTimeout(suspension.timer);
    this.#suspended.delete(peerId);
  }
}
