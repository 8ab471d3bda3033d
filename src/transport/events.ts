import type { DisconnectReason, PeerInfo } from '../core/types.js';

/**
 * The transport's own events, beside the core's: a peer's connection can drop and come back while the peer
 * itself (its id, its rooms) stays in the core.
 */
export interface TransportEvents<Data = unknown> {
  /** A peer's connection dropped; it keeps its id and rooms for the resume grace period. */
  'peer:suspend': (event: { peer: PeerInfo<Data>; reason: DisconnectReason }) => void;
  /** A peer came back on a new connection with its resume token. */
  'peer:resume': (event: { peer: PeerInfo<Data> }) => void;
}

/** The names of {@link TransportEvents}. */
export const TRANSPORT_EVENTS: ReadonlySet<string> = new Set<keyof TransportEvents>(['peer:suspend', 'peer:resume']);
