// The WebRTC types PeerMesh shows its users. Where the DOM's types are loaded (a browser app, a bundler project),
// they are the DOM's own `RTCPeerConnection`, `RTCDataChannel` and `RTCTrackEvent`, so a `setup` hook can call
// `addTrack` and a `track` listener gets a typed `MediaStreamTrack`. Elsewhere (Node without the DOM lib) they fall
// back to the few members PeerMesh uses, so the package builds and type-checks without DOM typings. The same
// `typeof globalThis extends ...` test is how @types/node picks up the DOM's `WebSocket` when it is there.

/**
 * An event-handler slot, declared through a method so its parameter is checked bivariantly: WebRTC
 * implementations (the DOM's, node-datachannel's, werift's) each type their events their own way.
 */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** A session description as WebRTC passes it around. */
export interface Description {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp?: string;
}

/** An RTCDataChannel, as far as PeerMesh uses it. */
export interface DataChannelLike {
  readonly readyState: string;
  send(data: string): void;
  close(): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<unknown> | null;
}

/** An RTCTrackEvent, as far as PeerMesh uses it. */
export interface TrackEventLike {
  readonly track: unknown;
  readonly streams: readonly unknown[];
}

/** An RTCPeerConnection, as far as PeerMesh uses it. */
export interface PeerConnectionLike {
  readonly signalingState: string;
  readonly connectionState: string;
  readonly localDescription: Description | null;
  setLocalDescription(description?: Description): Promise<void>;
  setRemoteDescription(description: Description): Promise<void>;
  addIceCandidate(candidate: unknown): Promise<void>;
  createDataChannel(label: string, options?: { negotiated?: boolean; id?: number }): DataChannelLike;
  close(): void;
  onnegotiationneeded: Handler<unknown> | null;
  onicecandidate: Handler<{ candidate: { toJSON?: () => unknown } | null }> | null;
  onconnectionstatechange: Handler<unknown> | null;
  ontrack: Handler<TrackEventLike> | null;
}

/** The DOM's `RTCPeerConnection` where the DOM lib is loaded, else {@link PeerConnectionLike}. */
export type PeerConnection = typeof globalThis extends { RTCPeerConnection: { prototype: infer T } } ? T : PeerConnectionLike;
/** The DOM's `RTCDataChannel` where the DOM lib is loaded, else {@link DataChannelLike}. */
export type DataChannel = typeof globalThis extends { RTCDataChannel: { prototype: infer T } } ? T : DataChannelLike;
/** The DOM's `RTCTrackEvent` where the DOM lib is loaded, else {@link TrackEventLike}. */
export type TrackEvent = typeof globalThis extends { RTCTrackEvent: { prototype: infer T } } ? T : TrackEventLike;
/** The DOM's `RTCConfiguration` where the DOM lib is loaded, else any object. */
export type PeerConfiguration = typeof globalThis extends { RTCPeerConnection: new (configuration?: infer C) => unknown }
  ? NonNullable<C>
  : Readonly<Record<string, unknown>>;

/** A WebRTC implementation's `RTCPeerConnection` class: the browser's (the default) or a Node one. */
export type PeerConnectionConstructor = new (configuration?: PeerConfiguration) => PeerConnection;
