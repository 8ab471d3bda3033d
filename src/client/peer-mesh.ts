import { EventEmitter } from 'eventemitter3';
import type { SignalingClient } from './client.js';

import type {
  DataChannel,
  DataChannelLike,
  Description,
  PeerConfiguration,
  PeerConnection,
  PeerConnectionConstructor,
  PeerConnectionLike,
  TrackEvent,
} from './webrtc-types.js';

/** What the mesh creates connections with, as it uses them (the public types are the DOM's where loaded). */
type AnyPeerConnectionConstructor = new (configuration?: unknown) => PeerConnectionLike;

/** Options of {@link PeerMesh}. */
export interface PeerMeshOptions {
  /**
   * RTCPeerConnection configuration, e.g. `{ iceServers: [...] }`.
   * @default `{ iceServers }` from the server when it sends TURN credentials, else `{}`
   */
  configuration?: PeerConfiguration;
  /** Label of a data channel opened with every peer (negotiated, id 0); `false` for none. @default 'data' */
  dataChannel?: string | false;
  /**
   * Called for every new connection before negotiation starts: add tracks here.
   * @example setup: (peerId, connection) => camera.getTracks().forEach((track) => connection.addTrack(track, camera))
   */
  setup?: (peerId: string, connection: PeerConnection) => void;
  /** @default globalThis.RTCPeerConnection */
  RTCPeerConnection?: PeerConnectionConstructor;
}

/** The events of {@link PeerMesh}. */
export interface PeerMeshEvents {
  /** A connection to a room peer was created. */
  connection: (event: { peerId: string; connection: PeerConnection }) => void;
  /** The data channel to a peer opened. */
  open: (event: { peerId: string; channel: DataChannel }) => void;
  /** A data-channel message from a peer. */
  message: (event: { peerId: string; data: unknown }) => void;
  /** A remote track arrived: the track, its streams, and the whole RTCTrackEvent. */
  track: (event: { peerId: string; track: TrackEvent['track']; streams: TrackEvent['streams']; event: TrackEvent }) => void;
  /** The connection state changed (`connected`, `failed`, ...). */
  state: (event: { peerId: string; state: string }) => void;
  /** The connection to a peer was closed (it left, or the mesh closed). */
  close: (event: { peerId: string }) => void;
  /** A negotiation step failed. */
  error: (event: { peerId: string; error: unknown }) => void;
}

/** The mesh's options with defaults filled in, typed as the mesh uses them. */
interface ResolvedMeshOptions {
  configuration: unknown;
  dataChannel: string | false;
  setup: ((peerId: string, connection: PeerConnectionLike) => void) | undefined;
  RTCPeerConnection: AnyPeerConnectionConstructor;
}

/**
 * One RTCPeerConnection to one peer, negotiated with the "perfect negotiation" pattern: either side may start
 * (re)negotiating at any time; on glare the polite side yields; ICE candidates trickle.
 */
class PeerLink {
  readonly connection: PeerConnectionLike;
  channel: DataChannelLike | undefined;
  #makingOffer = false;
  #ignoreOffer = false;
  #settingRemoteAnswer = false;
  /** Signals from this peer, handled one after another. */
  #queue: Promise<void> = Promise.resolve();

  constructor(
    readonly peerId: string,
    private readonly polite: boolean,
    private readonly client: SignalingClient,
    readonly mesh: PeerMesh,
    options: ResolvedMeshOptions,
  ) {
    const configuration = options.configuration ?? (client.iceServers === undefined ? {} : { iceServers: client.iceServers });
    const connection = new options.RTCPeerConnection(configuration);
    this.connection = connection;
    connection.onnegotiationneeded = () => void this.#offer();
    connection.onicecandidate = ({ candidate }) => {
      if (candidate !== null) this.client.sendCandidate(peerId, candidate.toJSON?.() ?? candidate);
    };
    connection.onconnectionstatechange = () => {
      mesh.emit('state', { peerId, state: connection.connectionState });
      if (connection.connectionState === 'failed') mesh.dropPeer(peerId);
    };
    connection.ontrack = (event) =>
      mesh.emit('track', { peerId, track: event.track, streams: event.streams, event } as unknown as Parameters<PeerMeshEvents['track']>[0]);
    options.setup?.(peerId, connection);
    this.#channelLabel = options.dataChannel;
    // The impolite side opens the data channel, and with it the first offer. The polite side opens its half (the
    // same negotiated id) once it has answered: two first offers crossing make Chromium roll one back and then,
    // now and then, never gather candidates for the answer.
    if (!polite) this.#openChannel();
  }

  #channelLabel: string | false;

  #openChannel(): void {
    if (this.#channelLabel === false || this.channel !== undefined) return;
    const channel = this.connection.createDataChannel(this.#channelLabel, { negotiated: true, id: 0 });
    channel.onopen = () => this.mesh.emit('open', { peerId: this.peerId, channel: channel as unknown as DataChannel });
    channel.onmessage = ({ data }) => this.mesh.emit('message', { peerId: this.peerId, data });
    this.channel = channel;
  }

  /** Handles an offer, answer or candidate from this peer, in order. */
  receive(kind: 'description' | 'candidate', payload: unknown): void {
    this.#queue = this.#queue.then(() => (kind === 'description' ? this.#description(payload as Description) : this.#candidate(payload)));
  }

  close(): void {
    this.channel?.close();
    this.connection.close();
  }

  async #offer(): Promise<void> {
    try {
      this.#makingOffer = true;
      await this.connection.setLocalDescription();
      this.#sendLocalDescription();
    } catch (error) {
      this.mesh.emit('error', { peerId: this.peerId, error });
    } finally {
      this.#makingOffer = false;
    }
  }

  async #description(description: Description): Promise<void> {
    try {
      const readyForOffer = !this.#makingOffer && (this.connection.signalingState === 'stable' || this.#settingRemoteAnswer);
      const collision = description.type === 'offer' && !readyForOffer;
      this.#ignoreOffer = !this.polite && collision;
      if (this.#ignoreOffer) return;
      this.#settingRemoteAnswer = description.type === 'answer';
      await this.connection.setRemoteDescription(description);
      this.#settingRemoteAnswer = false;
      if (description.type === 'offer') {
        await this.connection.setLocalDescription();
        this.#sendLocalDescription();
        this.#openChannel();
      }
    } catch (error) {
      this.mesh.emit('error', { peerId: this.peerId, error });
    }
  }

  async #candidate(candidate: unknown): Promise<void> {
    try {
      await this.connection.addIceCandidate(candidate);
    } catch (error) {
      // Candidates of an offer we ignored on glare are expected to fail.
      if (!this.#ignoreOffer) this.mesh.emit('error', { peerId: this.peerId, error });
    }
  }

  #sendLocalDescription(): void {
    const description = this.connection.localDescription;
    if (description === null) return;
    const plain = { type: description.type, sdp: description.sdp };
    if (description.type === 'offer') this.client.sendOffer(this.peerId, plain);
    else this.client.sendAnswer(this.peerId, plain);
  }
}

/**
 * WebRTC with every peer of the client's room: a connection (and a data channel) per peer, negotiated for you
 * with the perfect-negotiation pattern, created as peers join and closed as they leave.
 *
 * @example
 * const client = new SignalingClient('wss://signal.example.com', { room: 'chat' });
 * const mesh = new PeerMesh(client);
 * mesh.on('message', ({ peerId, data }) => show(peerId, data));
 * mesh.on('open', ({ peerId }) => mesh.send(peerId, 'hello'));
 * await client.connect();
 */
export class PeerMesh extends EventEmitter<PeerMeshEvents> {
  readonly #links = new Map<string, PeerLink>();
  readonly #options: ResolvedMeshOptions;
  readonly #unsubscribe: () => void;

  constructor(
    private readonly client: SignalingClient,
    options: PeerMeshOptions = {},
  ) {
    super();
    const RTCPeerConnectionImpl = (options.RTCPeerConnection ??
      (globalThis as { RTCPeerConnection?: PeerConnectionConstructor }).RTCPeerConnection) as AnyPeerConnectionConstructor | undefined;
    if (RTCPeerConnectionImpl === undefined) throw new TypeError('no RTCPeerConnection: pass options.RTCPeerConnection');
    this.#options = {
      configuration: options.configuration,
      dataChannel: options.dataChannel ?? 'data',
      setup: options.setup as ResolvedMeshOptions['setup'],
      RTCPeerConnection: RTCPeerConnectionImpl,
    };
    // Links follow explicit arrivals and departures only. A fresh room list after a reconnect may miss a peer
    // that is itself reconnecting, and the media path between two browsers does not need the server.
    const onJoined = ({ peers }: { peers: readonly string[] }) => peers.forEach((peerId) => this.#link(peerId));
    const onPeerJoined = (peerId: string) => this.#link(peerId);
    const onPeerLeft = (peerId: string) => this.#drop(peerId);
    const onLeft = () => [...this.#links.keys()].forEach((peerId) => this.#drop(peerId));
    const onOffer = ({ from, offer }: { from: string; offer: unknown }) => this.#link(from)?.receive('description', offer);
    const onAnswer = ({ from, answer }: { from: string; answer: unknown }) => this.#link(from)?.receive('description', answer);
    const onCandidate = ({ from, candidate }: { from: string; candidate: unknown }) => this.#link(from)?.receive('candidate', candidate);
    client.on('joined', onJoined).on('peer-joined', onPeerJoined).on('peer-left', onPeerLeft).on('left', onLeft);
    client.on('offer', onOffer).on('answer', onAnswer).on('candidate', onCandidate);
    this.#unsubscribe = () => {
      client.off('joined', onJoined).off('peer-joined', onPeerJoined).off('peer-left', onPeerLeft).off('left', onLeft);
      client.off('offer', onOffer).off('answer', onAnswer).off('candidate', onCandidate);
    };
    for (const peerId of client.peers) this.#link(peerId);
  }

  /** The connection to one peer, if any. */
  connection(peerId: string): PeerConnection | undefined {
    return this.#links.get(peerId)?.connection as PeerConnection | undefined;
  }

  /** Peers with an open data channel. */
  get openPeers(): string[] {
    return [...this.#links.values()].filter((link) => link.channel?.readyState === 'open').map((link) => link.peerId);
  }

  /** Sends text over the data channel to one peer; false when it is not open. */
  send(peerId: string, data: string): boolean {
    const channel = this.#links.get(peerId)?.channel;
    if (channel?.readyState !== 'open') return false;
    channel.send(data);
    return true;
  }

  /** Sends text to every peer with an open data channel; returns how many. */
  broadcast(data: string): number {
    let sent = 0;
    for (const peerId of this.#links.keys()) if (this.send(peerId, data)) sent++;
    return sent;
  }

  /** Closes every connection and stops following the client. */
  close(): void {
    this.#unsubscribe();
    for (const peerId of [...this.#links.keys()]) this.#drop(peerId);
  }

  #link(peerId: string): PeerLink | undefined {
    const existing = this.#links.get(peerId);
    if (existing !== undefined) return existing;
    const self = this.client.id;
    if (self === undefined || peerId === self) return undefined;
    // Both sides agree on who is polite without a word: the smaller id yields on glare.
    const link = new PeerLink(peerId, self < peerId, this.client, this, this.#options);
    this.#links.set(peerId, link);
    this.emit('connection', { peerId, connection: link.connection as unknown as PeerConnection });
    return link;
  }

  /** Closes the connection to one peer; a later offer or join from it starts a fresh one. */
  dropPeer(peerId: string): void {
    this.#drop(peerId);
  }

  #drop(peerId: string): void {
    const link = this.#links.get(peerId);
    if (link === undefined) return;
    this.#links.delete(peerId);
    link.close();
    this.emit('close', { peerId });
  }
}
