/**
 * Every error code signalroom puts on the wire or hands to your code. Codes are stable: a client may switch on
 * them. In the `console` dialect the code travels as-is (`{"type":"error","message":code,"code":code}`); the
 * `connector` dialect maps each to the original server's name and text (see docs/protocols.md, the connector dialect).
 */
export type SignalingErrorCode =
  /** Not JSON, not an object, `type` missing or not a string, a binary frame, or nested too deep. */
  | 'invalid-message'
  /** A room id that is not a string of 1 to `maxRoomIdLength` characters. */
  | 'invalid-room-name'
  /** The room already holds `maxPeersPerRoom` peers. */
  | 'room-full'
  /** The peer is already in `maxRoomsPerPeer` rooms. */
  | 'too-many-rooms'
  /** The peer sends faster than its message budget allows. */
  | 'rate-limit'
  /** The target does not exist, or routing policy does not let the sender reach it. Same answer either way. */
  | 'target-unavailable-or-different-room'
  /** Leave or broadcast from a peer that is not in the room. */
  | 'not-in-room'
  /** A client tried to send a type only the server may send (`id`, `peer-joined`, ...). */
  | 'reserved-type'
  /** A hook (`authorizeJoin`) refused. */
  | 'forbidden'
  /** Creating a room whose id is taken. */
  | 'room-exists'
  /** Joining, leaving or ending a room that does not exist. */
  | 'room-not-found'
  /** Ending a room one does not own. */
  | 'not-room-owner'
  /** Joining a room one is already in, where the dialect treats that as an error. */
  | 'already-in-room'
  /** A required field is missing; `details.message` says which (connector dialect). */
  | 'missing-fields'
  /** An event name the dialect does not know (connector dialect). */
  | 'unsupported-event'
  /** Server code named a peer that is not connected to this node (never sent to a client). */
  | 'peer-not-found';

/**
 * An error with a stable {@link SignalingErrorCode}. The same code is what the client sees on the wire;
 * `details` carries the context fields sent with it (for example `to` or `room`).
 *
 * @example
 * signaling.on('peer:error', ({ peer, error }) => {
 *   if (error.code === 'rate-limit') metrics.rateLimited.inc();
 * });
 */
export class SignalingError extends Error {
  override readonly name = 'SignalingError';

  constructor(
    readonly code: SignalingErrorCode,
    readonly details: Readonly<Record<string, unknown>> = {},
    message: string = code,
  ) {
    super(message);
  }
}
