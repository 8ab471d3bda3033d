export { attachSignaling, type AttachOptions } from './adapters/node.js';
export type { UpgradableServer } from './adapters/upgrade-router.js';
export { REPLACED_CLOSE_CODE, SignalingCore, type CreateRoomOptions, type DisconnectOptions } from './core/core.js';
export { CORE_DEFAULTS, type CoreOptions, type IdContext, type JoinRequest, type ResolvedCoreOptions } from './core/options.js';
export type { CoreStats } from './core/stats.js';
export type {
  Command,
  Connection,
  DisconnectReason,
  LeaveReason,
  OutboundEvent,
  PeerInfo,
  PeerOptions,
  RoomInfo,
  RoomView,
  RoutingScope,
  Signal,
  SignalFault,
  SignalingEvents,
  StatusReport,
} from './core/types.js';
export { SignalingError, type SignalingErrorCode } from './errors.js';
export { CONNECTOR_EVENTS } from './protocol/connector.js';
export type { Dialect, DialectName } from './protocol/dialect.js';
export { signToken, verifyToken, type TokenClaims, type VerifyOptions } from './auth/tokens.js';
export {
  SIGNALING_DEFAULTS,
  type AuthenticateResult,
  type Identity,
  type ResolvedSignalingOptions,
  type SignalingOptions,
} from './transport/options.js';
export { SignalingServer } from './transport/signaling-server.js';
export { PEERJS_DEFAULTS, type PeerServerOptions, type ResolvedPeerServerOptions } from './transport/peerjs-options.js';
export { createPeerjsRoutes, PEERJS_INFO } from './transport/peerjs-http.js';
export { createStandaloneServer, type StandaloneOptions, type StandaloneServer } from './standalone.js';
export { jsonLogger, type Logger, type LogLevel } from './ops/logger.js';
export { createOpsRoutes, type AdapterOpsOptions, type OpsHandler, type OpsRoutesOptions } from './ops/routes.js';
export { turnCredentials, type IceServer, type TurnOptions } from './ops/turn.js';
// The full SignalingMetrics (with prom-client's Registry) is in signalroom/metrics; this one names no prom-client type.
export type { MetricsHandle } from './ops/metrics-handle.js';
export type {
  ArrivalMessage,
  Backplane,
  BackplaneEndResult,
  BackplaneHandlers,
  BackplaneJoin,
  BackplaneJoinResult,
  BackplaneLeave,
  ClaimResult,
  ClusterSummary,
  MemberEntry,
  PeerEntry,
  RestoredMembership,
  RoomEvent,
  RoomSnapshot,
  TakeoverMessage,
} from './cluster/backplane.js';
export { MemoryBackplane } from './cluster/memory.js';
