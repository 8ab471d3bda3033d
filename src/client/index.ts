export {
  SignalingClient,
  SignalingClient as Client,
  SignalingClient as P2PSignalingClient,
  SignalingClientError,
  type SignalingClientEvents,
  type SignalingClientOptions,
  type SignalMessage,
  type WebSocketConstructor,
  type WebSocketLike,
} from './client.js';
export { backoffDelay, type ReconnectOptions } from './backoff.js';
export {
  PeerMesh,
  type DataChannelLike,
  type Description,
  type PeerConnectionConstructor,
  type PeerConnectionLike,
  type PeerMeshEvents,
  type PeerMeshOptions,
} from './peer-mesh.js';
