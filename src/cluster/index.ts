// signalroom/cluster: the backplane port a cluster runs on, and MemoryBackplane (several servers in one process:
// tests, demos). The Redis backplane is in signalroom/redis (it needs ioredis).
export { MemoryBackplane } from './memory.js';
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
} from './backplane.js';
