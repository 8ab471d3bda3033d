export {
  SignalingClient,
  SignalingClient as Client,
  SignalingClient as P2PSignalingClient,
  SignalingClientError,
  type CallOptions,
  type IceServer,
  type SignalingClientEvents,
  type SignalingClientOptions,
  type SignalMessage,
  type WebSocketConstructor,
  type WebSocketLike,
} from './client.js';
export { backoffDelay, type ReconnectOptions } from './backoff.js';
export { PeerMesh, type PeerMeshEvents, type PeerMeshOptions } from './peer-mesh.js';
export type {
  DataChannel,
  DataChannelLike,
  Description,
  PeerConfiguration,
  PeerConnection,
  PeerConnectionConstructor,
  PeerConnectionLike,
  TrackEvent,
  TrackEventLike,
} from './webrtc-types.js';
