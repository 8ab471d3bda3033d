import type { CoordinatedEnd, CoordinatedJoin, CoordinatedPeer, RoomCoordinator } from '../core/coordinator.js';
import { coreInternals, type SignalingCore } from '../core/core.js';
import type { ClusterMember, ClusterReplica } from '../core/replica.js';
import type { Connection, LeaveReason, OutboundEvent, PeerOptions, RoomView, Signal, StatusReport } from '../core/types.js';
import type { ArrivalMessage, Backplane, ClusterSummary, MemberEntry, PeerEntry, RoomEvent, RoomSnapshot, TakeoverMessage } from './backplane.js';
import { RoomLink, roomOfJoin } from './room-link.js';

/** Timing of a cluster node. */
export interface ClusterTiming {
  /** Milliseconds between lease renewals (the node heartbeat) and checks for dead nodes. @default 5000 */
  heartbeatInterval: number;
  /** Milliseconds a lease lasts: a node that has not renewed it by then counts as dead. @default 10000 */
  nodeTimeout: number;
}

export const CLUSTER_DEFAULTS: ClusterTiming = { heartbeatInterval: 5_000, nodeTimeout: 10_000 };

/** What a cluster node needs from the signaling server it belongs to. */
export interface ClusterHost {
  readonly core: SignalingCore;
  /** A peer of ours resumed on another node: forget its grace period, or retire its old socket, without a leave. */
  releasePeer(peerId: string, previous: Connection | undefined): void;
  /** A newer connection of the same id, on another node, took over: close ours. */
  replacePeer(peerId: string): void;
  /**
   * Writes a signal as text for another node: the name of the codec that decoded it and the sender's frame
   * (signals travel as the text they came in, so no node reads more than its codec does).
   */
  packSignal(signal: Signal): { readonly codec: string; readonly text: string };
  /** Reads a signal another node packed, with the codec that first decoded it. */
  unpackSignal(codec: string, text: string): Signal | undefined;
  /** A peer this node watches ({@link ClusterNode.watchPeer}) connected somewhere. */
  peerArrived?(peerId: string): void;
}

/** Prefixes of the messages on node and room channels (state events are JSON objects, so they start with `{`). */
const SIGNAL = 's';
const BOUNCE = 'b';
const MESSAGE = 'm';

/**
 * Makes one node's core part of a cluster in which each node pays only for its own peers. The shared state (peer
 * directory, rooms and their members in join order, node leases) lives in the {@link Backplane}'s engine; this
 * node keeps its own peers and the rooms they are in, and hears only its own channel and those rooms' channels.
 * Joins and ends are decided atomically by the engine, which publishes each change on the room's channel; every
 * node following the room applies the changes in the engine's order, this one included.
 */
export class ClusterNode implements RoomCoordinator {
  readonly nodeId = globalThis.crypto.randomUUID();
  /** The current connection (incarnation) of each local peer, as the directory knows it. */
  readonly #incarnations = new Map<string, string>();
  #counter = 0;
  readonly #links = new Map<string, RoomLink>();
  /** Removals that failed while the engine was away: retried when it is back. */
  readonly #unsentRemovals = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #closed = false;
  #resyncing: Promise<void> | undefined;
  #settlePending = false;
  /** Peers being moved here with their rooms: they enter those rooms silently (nothing changed for the room). */
  readonly #adopting = new Set<string>();
  #resyncAgain = false;
  /** What this node drives in its core: the changes the shared state decided. */
  private readonly core: ClusterReplica;

  constructor(
    private readonly host: ClusterHost,
    private readonly backplane: Backplane,
    private readonly timing: ClusterTiming = CLUSTER_DEFAULTS,
  ) {
    this.core = coreInternals(host.core).useCoordinator(this);
  }

  /** The rooms this node creates keep its ownership rule (the `ownershipTransfer` option). */
  private get transferOwnership(): boolean {
    return this.core.options.ownershipTransfer;
  }

  /** Whether the engine is reachable. */
  get connected(): boolean {
    return this.backplane.connected;
  }

  /** Whether this node has joined the cluster: its channel is live and its lease announced. */
  get started(): boolean {
    return this.#started;
  }

  /** Whether this node accepts peers: its channel is live and its lease announced, and the engine is reachable. */
  get ready(): boolean {
    return this.#started && !this.#closed && this.backplane.connected;
  }

  async start(): Promise<void> {
    await this.backplane.start(this.nodeId, {
      onNodeMessage: (message) => this.#guard(() => this.#onNodeMessage(message)),
      onRoomMessage: (room, message) => this.#guard(() => this.#onRoomMessage(room, message)),
      onReconnect: () => {
        // Events from before the engine's answer to the resync are stale: hold them until each room reloads.
        for (const link of this.#links.values()) link.pending ??= [];
        void this.resync();
      },
      onDisconnect: () => {
        for (const link of this.#links.values()) link.releaseAll();
      },
    });
    await this.backplane.renewLease(this.nodeId, this.timing.nodeTimeout);
    this.#started = true;
    this.#timer = setInterval(() => void this.heartbeat(), this.timing.heartbeatInterval);
    this.#timer.unref();
  }

  /**
   * Renews the lease (re-announcing everything if it was lost) and removes dead nodes' peers. Safe any time. A
   * write-back on its way (the engine just came back) is waited for first, so once a beat resolves, this node's
   * truth is in the engine; who is gone is settled by the beat after, as after any write-back.
   */
  async heartbeat(): Promise<void> {
    if (this.#closed || !this.#started || !this.backplane.connected) return;
    try {
      const writingBack = this.#resyncing;
      if (writingBack !== undefined) {
        await writingBack;
        if (this.#closed || !this.backplane.connected) return;
      }
      const lease = await this.backplane.renewLease(this.nodeId, this.timing.nodeTimeout);
      // Lost: this node was declared dead (it stalled past the node timeout) or the engine restarted empty.
      if (lease === 'lost') await this.resync();
      else if (this.#settlePending && writingBack === undefined && this.#resyncing === undefined) await this.#settle();
      await this.backplane.reapDeadNodes(this.nodeId, this.timing.nodeTimeout);
    } catch (error) {
      if (this.backplane.connected) this.core.reportError(error);
    }
  }

  /**
   * Writes this node's truth back into the engine and brings every followed room up to date: after an outage
   * (events were missed, local changes could not be written), a restart of the engine, or an expired lease.
   */
  resync(): Promise<void> {
    if (this.#resyncing !== undefined) {
      this.#resyncAgain = true;
      return this.#resyncing;
    }
    this.#resyncing = (async () => {
      try {
        do {
          this.#resyncAgain = false;
          await this.#writeBack();
        } while (this.#resyncAgain);
      } catch (error) {
        if (this.backplane.connected) this.core.reportError(error);
      } finally {
        this.#resyncing = undefined;
      }
    })();
    return this.#resyncing;
  }

  /** Leaves the cluster: our peers are already gone (each removed); drop the lease and whatever is left. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    try {
      if (this.backplane.connected) await this.backplane.removeNode(this.nodeId);
    } finally {
      await this.backplane.close();
    }
  }

  /** The cluster-wide `/status` document, from the engine. */
  status(): Promise<StatusReport> {
    return this.backplane.status();
  }

  /** Counts for clusters too big to list. */
  summary(): Promise<ClusterSummary> {
    return this.backplane.summary();
  }

  /** One room's members in join order, from the engine (empty when it does not exist). */
  async members(roomId: string): Promise<string[]> {
    return (await this.backplane.roomSnapshot(roomId))?.members.map((member) => member.id) ?? [];
  }

  /** Whether a peer is connected anywhere in the cluster, and the credential its connection registered. */
  lookupPeer(peerId: string): Promise<{ readonly credential: string | undefined } | undefined> {
    return this.backplane.lookupPeer(peerId);
  }

  /**
   * Asks to hear when `peerId` connects on any node (through {@link ClusterHost.peerArrived}), for at most
   * `ttlMs`. Resolves true when it is connected already (then nothing is registered).
   */
  watchPeer(peerId: string, ttlMs: number): Promise<boolean> {
    return this.backplane.watchPeer(peerId, this.nodeId, ttlMs);
  }

  /**
   * A peer resumed here with its resume token while the directory may place it on another node: takes the id
   * over with its rooms (no leave, no join), and registers it in the core on `connection`. Resolves false when the
   * id was unknown to the cluster (the caller connects it as a new peer).
   */
  async adoptResumed(
    peerId: string,
    connection: Connection,
    peer: Omit<CoordinatedPeer, 'id'> & Pick<PeerOptions, 'data' | 'allowedRooms'>,
  ): Promise<boolean> {
    const incarnation = this.#newIncarnation(peerId);
    const claim = await this.backplane.claimPeer(this.#entry({ id: peerId, ...peer }, incarnation), 'move');
    if (!claim.existed) {
      this.#incarnations.delete(peerId);
      return false;
    }
    this.core.adopt(connection, { id: peerId, ...peer });
    this.#adopting.add(peerId);
    try {
      for (const roomId of claim.rooms) await this.#adoptRoom(peerId, roomId);
    } finally {
      this.#adopting.delete(peerId);
    }
    return true;
  }

  /** Puts a peer moved here into one of its rooms, as the room stands, without notices. */
  async #adoptRoom(peerId: string, roomId: string): Promise<void> {
    const link = this.#follow(roomId);
    link.joining++;
    try {
      await link.loaded;
      if (this.core.holds(roomId)) return; // the load put it in already, with the room's other peers of ours
      const snapshot = link.shadow ?? (await this.backplane.roomSnapshot(roomId));
      if (snapshot !== undefined && this.core.hasLocal(peerId)) this.core.syncRoom(this.#clusterRoom(snapshot), 'silent');
      link.shadow = undefined;
    } finally {
      this.#doneJoining(link);
    }
  }

  // ---- RoomCoordinator: what the core asks ------------------------------------------------------------------

  peerConnected(peer: CoordinatedPeer): void {
    const incarnation = this.#newIncarnation(peer.id);
    this.backplane.claimPeer(this.#entry(peer, incarnation), 'new').catch(() => {
      // The engine is away: the resync writes this peer back.
    });
  }

  peerDisconnected(peerId: string): void {
    const incarnation = this.#incarnations.get(peerId);
    if (incarnation === undefined) return;
    this.#incarnations.delete(peerId);
    this.backplane.removePeer(peerId, incarnation).catch(() => this.#unsentRemovals.set(peerId, incarnation));
  }

  async join(peer: CoordinatedPeer, roomId: string, mode: 'auto' | 'create' | 'existing', name: string): Promise<CoordinatedJoin> {
    const incarnation = this.#incarnations.get(peer.id);
    if (!this.backplane.connected || incarnation === undefined) return { outcome: 'local' };
    const link = this.#follow(roomId);
    link.joining++;
    try {
      await link.loaded;
      const result = await this.backplane.join({
        peer: this.#entry(peer, incarnation),
        room: roomId,
        mode,
        name,
        capacity: this.core.options.maxPeersPerRoom,
        transferOwnership: this.transferOwnership,
      });
      if (!result.ok) {
        // Replaced: a newer connection holds the id, and its node closes this one.
        if (result.code === 'replaced') return { outcome: 'applied' };
        const details: Record<string, unknown> = { room: roomId };
        if (result.limit !== undefined) details.limit = result.limit;
        return { outcome: 'refused', code: result.code, details };
      }
      await link.reached(result.version);
      return { outcome: 'applied' };
    } catch (error) {
      if (!this.backplane.connected) return { outcome: 'local' };
      throw error;
    } finally {
      this.#doneJoining(link);
    }
  }

  left(peerId: string, roomId: string, reason: LeaveReason): void {
    const incarnation = this.#incarnations.get(peerId);
    if (incarnation === undefined) return;
    this.backplane
      .leave({ room: roomId, peer: peerId, incarnation, reason })
      .catch(() => {
        // The engine is away: the resync writes back exactly the rooms this peer is in.
      });
  }

  kick(roomId: string, peerId: string): void {
    this.backplane
      .leave({ room: roomId, peer: peerId, incarnation: undefined, reason: 'kicked' })
      .catch((error: unknown) => this.core.reportError(error));
  }

  async end(roomId: string, by: string | undefined): Promise<CoordinatedEnd> {
    if (!this.backplane.connected) return { outcome: 'local' };
    try {
      const result = await this.backplane.end(roomId, by);
      if (!result.ok) return { outcome: 'refused', code: result.code, details: { room: roomId } };
      await this.#links.get(roomId)?.reached(result.room.version + 1);
      return { outcome: 'ended', room: roomView(result.room) };
    } catch (error) {
      if (!this.backplane.connected) return { outcome: 'local' };
      throw error;
    }
  }

  created(room: RoomView & { readonly capacity: number }): void {
    this.backplane
      .createRoom({
        id: room.id,
        name: room.name,
        owner: room.owner,
        capacity: room.capacity,
        keep: true,
        transferOwnership: this.transferOwnership,
      })
      .catch((error: unknown) => this.core.reportError(error));
  }

  broadcast(roomId: string, from: string, signal: Signal): void {
    const { codec, text } = this.host.packSignal(signal);
    this.backplane.publishToRoom(roomId, `${SIGNAL}${JSON.stringify([from, codec])}\n${text}`);
  }

  message(roomId: string, data: unknown, except: string | undefined): void {
    this.backplane.publishToRoom(roomId, `${MESSAGE}${JSON.stringify({ data, except })}`);
  }

  route(from: string, to: string, signal: Signal): void {
    const frame = this.#signalFrame(from, to, signal, true);
    this.backplane.sendToPeer(to, frame).then(
      (delivered) => delivered || this.#undeliverable(from, to, signal),
      () => this.#undeliverable(from, to, signal),
    );
  }

  /**
   * A stand-in's connection: signals go to the member's node as a one-line JSON header and the sender's frame as
   * received (neither re-serialised nor escaped); that node decodes it again with the same codec. Room notices are
   * each node's own business, so everything else is dropped here.
   */
  remoteConnection(peerId: string, node: string): Connection {
    return {
      send: (event: OutboundEvent) => {
        if (event.kind !== 'signal') return true;
        this.backplane.sendToNode(node, this.#signalFrame(event.from, peerId, event.signal, false)).then(
          (delivered) => delivered || this.#undeliverable(event.from, peerId, event.signal),
          () => this.#undeliverable(event.from, peerId, event.signal),
        );
        return true;
      },
      close: () => {},
    };
  }

  released(roomId: string): void {
    const link = this.#links.get(roomId);
    if (link === undefined) return;
    if (link.joining > 0) {
      // A local join is on its way: keep following, with a fresh picture of the room for it.
      this.#load(link);
      return;
    }
    this.#links.delete(roomId);
    this.backplane.unsubscribeRoom(roomId).catch(() => {});
  }

  // ---- messages from the engine ---------------------------------------------------------------------------

  #onNodeMessage(message: string): void {
    const kind = message[0];
    if (kind === SIGNAL) {
      const split = message.indexOf('\n');
      const [from, to, dialect, fromNode, open] = JSON.parse(message.slice(1, split)) as [string, string, string, string, boolean];
      const signal = this.host.unpackSignal(dialect, message.slice(split + 1));
      if (signal !== undefined && !this.core.deliver(from, to, signal, open)) {
        // The target left (or moved) since the sender's node looked: tell the sender rather than drop it.
        this.backplane.sendToNode(fromNode, `${BOUNCE}${JSON.stringify([from, to])}`).catch(() => {});
      }
    } else if (kind === BOUNCE) {
      const [from, to] = JSON.parse(message.slice(1)) as [string, string];
      this.#undeliverable(from, to);
    } else {
      const parsed = JSON.parse(message) as TakeoverMessage | ArrivalMessage;
      if (parsed.op === 'arrived') this.host.peerArrived?.(parsed.peer);
      else this.#onTakeover(parsed);
    }
  }

  #onTakeover(message: TakeoverMessage): void {
    if (this.#incarnations.get(message.peer) !== message.incarnation) return;
    this.#incarnations.delete(message.peer);
    if (message.mode === 'move') {
      const previous = this.core.release(message.peer, message.node);
      this.host.releasePeer(message.peer, previous);
    } else {
      this.host.replacePeer(message.peer);
    }
  }

  #onRoomMessage(roomId: string, message: string): void {
    const kind = message[0];
    if (kind === SIGNAL) {
      const split = message.indexOf('\n');
      const [from, dialect] = JSON.parse(message.slice(1, split)) as [string, string];
      if (this.core.hasLocal(from)) return; // our own broadcast: delivered here already
      const signal = this.host.unpackSignal(dialect, message.slice(split + 1));
      if (signal !== undefined) this.core.deliverToRoom(roomId, from, { signal });
      return;
    }
    if (kind === MESSAGE) {
      const { data, except } = JSON.parse(message.slice(1)) as { data: unknown; except: string | undefined };
      this.core.deliverToRoom(roomId, except ?? '', { data });
      return;
    }
    const link = this.#links.get(roomId);
    if (link === undefined) return;
    const event = JSON.parse(message) as RoomEvent;
    if (link.pending !== undefined) link.pending.push(event);
    else this.#apply(link, event);
  }

  /** Applies one event of a followed room, once and in order; a gap means lost events: reload the room. */
  #apply(link: RoomLink, event: RoomEvent): void {
    if (link.absent) {
      // The room did not exist at the snapshot; this is the first change since (its creation).
      link.absent = false;
      link.version = event.v - 1;
    }
    if (event.v <= link.version) return;
    if (event.v > link.version + 1) return this.#load(link);
    link.version = event.v;
    if (this.core.holds(link.id)) this.#applyToCore(link, event);
    else if (event.op === 'join' && event.member.node === this.nodeId && this.core.hasLocal(event.member.id)) {
      // The first peer of ours in this room: the core gets the room as it stood, then the join with its notices.
      const before = link.shadow ?? roomOfJoin(link.id, event);
      this.core.syncRoom(this.#clusterRoom(before), 'silent');
      link.shadow = undefined;
      this.core.applyJoin(link.id, this.#member(event.member), event, event.created);
    } else if (event.op === 'join' && event.created && link.shadow === undefined) {
      // Created by another node after our snapshot: the shadow starts with it.
      link.shadow = roomOfJoin(link.id, event);
    }
    link.track(event);
    link.settle();
  }

  #applyToCore(link: RoomLink, event: RoomEvent): void {
    const core = this.core;
    switch (event.op) {
      case 'join':
        return core.applyJoin(link.id, this.#member(event.member), event, event.created);
      case 'leave':
        // Our own peer, still connected, removed for "disconnected": this node was declared dead while it
        // stalled. Keep the peer; the heartbeat finds the lease lost and writes everything back.
        if (event.reason === 'disconnected' && this.#incarnations.has(event.peer)) {
          void this.heartbeat();
          return;
        }
        return core.applyLeave(link.id, event.peer, event.reason, event.owner);
      case 'end':
        return core.applyEnd(link.id, event.by);
      case 'move':
        if (event.node !== this.nodeId) core.applyMove(event.peer, event.node);
        return;
    }
  }

  // ---- following rooms ------------------------------------------------------------------------------------

  /** The link of a room, subscribing and loading it first if this node did not follow it yet. */
  #follow(roomId: string): RoomLink {
    let link = this.#links.get(roomId);
    if (link !== undefined) return link;
    link = new RoomLink(roomId);
    this.#links.set(roomId, link);
    const fresh = link;
    link.loaded = this.backplane.subscribeRoom(roomId).then(() => this.#loadNow(fresh));
    return link;
  }

  /** Loads a room's snapshot again (events missed, or the core gave it up while a join was on its way). */
  #load(link: RoomLink): void {
    link.pending ??= [];
    link.loaded = this.#loadNow(link, 'full').catch((error: unknown) => {
      if (this.backplane.connected) this.core.reportError(error);
    });
  }

  /** Takes the room's snapshot as its state (see {@link SignalingCore.syncRoom} for `mode`), then what waited. */
  async #loadNow(link: RoomLink, mode: 'add' | 'full' = 'full'): Promise<void> {
    link.pending ??= [];
    const snapshot = await this.backplane.roomSnapshot(link.id);
    const pending = link.install(snapshot);
    const room = snapshot === undefined ? undefined : this.#clusterRoom(snapshot);
    if (this.core.holds(link.id)) {
      if (room !== undefined) this.core.syncRoom(room, mode);
      else if (mode === 'full') this.core.applyEnd(link.id, undefined);
    } else if (room !== undefined && room.members.some((member) => this.#joinedMeanwhile(member))) {
      // Peers of ours joined while the room reloaded (their events are inside the snapshot): they enter now,
      // with their notices, into the room as the others made it.
      this.core.syncRoom({ ...room, members: room.members.filter((member) => !this.#joinedMeanwhile(member)) }, 'silent');
      for (const member of room.members) {
        if (this.#joinedMeanwhile(member)) this.core.applyJoin(link.id, member, room, false);
      }
      link.shadow = undefined;
    } else {
      link.shadow = snapshot;
    }
    for (const event of pending) this.#apply(link, event);
  }

  /** A peer of ours in a snapshot of a room the core does not hold, that is not just being moved here. */
  #joinedMeanwhile(member: ClusterMember): boolean {
    return member.node === undefined && this.core.hasLocal(member.id) && !this.#adopting.has(member.id);
  }

  #doneJoining(link: RoomLink): void {
    link.joining--;
    if (link.joining === 0 && !this.core.holds(link.id) && this.#links.get(link.id) === link) {
      this.#links.delete(link.id);
      this.backplane.unsubscribeRoom(link.id).catch(() => {});
    }
  }

  // ---- writing back after an outage -------------------------------------------------------------------------

  async #writeBack(): Promise<void> {
    if (this.#closed || !this.backplane.connected) return;
    await this.backplane.renewLease(this.nodeId, this.timing.nodeTimeout);
    for (const [peerId, incarnation] of [...this.#unsentRemovals]) {
      await this.backplane.removePeer(peerId, incarnation);
      this.#unsentRemovals.delete(peerId);
    }
    // Directory entries of ours that no local peer matches any more (they left while the engine was away).
    const local = new Set(this.#incarnations.keys());
    for (const peerId of await this.backplane.nodePeers(this.nodeId)) {
      if (!local.has(peerId)) await this.backplane.forgetPeer(peerId, this.nodeId);
    }
    for (const { peer, rooms } of this.core.localMemberships()) {
      const incarnation = this.#incarnations.get(peer.id) ?? this.#newIncarnation(peer.id);
      const memberships = rooms.map((room) => ({
        room: room.id,
        name: room.name,
        owner: room.owner,
        capacity: room.capacity,
        // 0: not known (it joined while the engine was away): the engine appends it.
        order: this.#links.get(room.id)?.orders.get(peer.id) ?? 0,
      }));
      const kept = await this.backplane.restorePeer(this.#entry(peer, incarnation), memberships, this.transferOwnership);
      if (!kept) {
        this.#incarnations.delete(peer.id);
        this.host.replacePeer(peer.id);
      }
    }
    // Members appear at once; who is gone is settled one heartbeat later, once every node wrote its peers back.
    for (const roomId of this.core.followedRooms()) {
      const link = this.#links.get(roomId) ?? this.#follow(roomId);
      await link.loaded;
      await this.#loadNow(link, 'add');
    }
    this.#settlePending = true;
  }

  /** The second half of a resync: members the shared state no longer has leave. */
  async #settle(): Promise<void> {
    this.#settlePending = false;
    for (const roomId of this.core.followedRooms()) {
      const link = this.#links.get(roomId);
      if (link === undefined) continue;
      await link.loaded;
      await this.#loadNow(link, 'full');
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------------------

  #newIncarnation(peerId: string): string {
    const incarnation = `${this.nodeId}.${(++this.#counter).toString(36)}`;
    this.#incarnations.set(peerId, incarnation);
    return incarnation;
  }

  #entry(peer: CoordinatedPeer, incarnation: string): PeerEntry {
    const entry = { id: peer.id, node: this.nodeId, incarnation, dialect: peer.dialect, scope: peer.scope, switchRooms: peer.switchRooms };
    return peer.credential === undefined ? entry : { ...entry, credential: peer.credential };
  }

  #member(entry: MemberEntry): ClusterMember {
    return { ...entry, node: entry.node === this.nodeId ? undefined : entry.node };
  }

  #clusterRoom(snapshot: RoomSnapshot) {
    return { ...snapshot, members: snapshot.members.map((member) => this.#member(member)) };
  }

  #signalFrame(from: string, to: string, signal: Signal, open: boolean): string {
    const { codec, text } = this.host.packSignal(signal);
    return `${SIGNAL}${JSON.stringify([from, to, codec, this.nodeId, open])}\n${text}`;
  }

  #undeliverable(from: string, to: string, signal?: Signal): void {
    this.core.undeliverable(from, to, signal);
  }

  #guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.core.reportError(error);
    }
  }
}

function roomView(snapshot: RoomSnapshot): RoomView {
  return {
    id: snapshot.id,
    name: snapshot.name,
    owner: snapshot.owner,
    members: new Map(snapshot.members.map((member) => [member.id, member])),
    metadata: undefined,
  };
}
