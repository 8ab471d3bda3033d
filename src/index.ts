// The root entry: attach signaling to a server, the core for a transport of your own, errors and types.
// The standalone server, ops routes and logger, token helpers, backplanes and the PeerJS HTTP API have their
// own subpaths (signalroom/standalone, /ops, /auth, /cluster, /redis, /peerjs, /metrics, /express, /fastify).
export { attachSignaling, type AttachOptions } from './adapters/node.js';
export type { UpgradableServer } from './adapters/upgrade-router.js';
export { SignalingServer, type ServerEvents } from './server/signaling-server.js';
export {
  SIGNALING_DEFAULTS,
  type AuthenticateResult,
  type Identity,
  type ResolvedSignalingOptions,
  type SignalingOptions,
} from './server/options.js';
export {
  REPLACED_CLOSE_CODE,
  SignalingCore,
  type CreateRoomOptions,
  type DisconnectOptions,
  type JoinOptions,
} from './core/core.js';
export { CORE_DEFAULTS, type AuthorizeJoin, type CoreOptions, type IdContext, type JoinRequest, type ResolvedCoreOptions } from './core/options.js';
export type { CoreStats } from './core/stats.js';
export type { JoinMode } from './core/commands.js';
export type {
  Command,
  Connection,
  DisconnectReason,
  LeaveReason,
  OpaqueFrame,
  OutboundEvent,
  OutboundKind,
  PeerInfo,
  PeerOptions,
  RoomInfo,
  RoomView,
  RoutingScope,
  Signal,
  SignalingEvents,
  StatusReport,
} from './core/types.js';
export type { TransportEvents } from './transport/events.js';
export { SignalingError, type SignalingErrorCode } from './errors.js';
export type { DialectName } from './protocol/dialect.js';
