import type { WebSocket } from 'ws';
import type { DisconnectReason } from '../core/types.js';

const kSocketError = Symbol('signalroom.socketError');
type MarkedSocket = WebSocket & { [kSocketError]?: string };

/**
 * Remembers why ws failed a socket (it then closes it), so the disconnect can say so. Registered first on every
 * socket, before anything can fail: a socket error (an oversized frame, bad UTF-8) closes that socket only.
 */
export function onSocketError(this: WebSocket, error: Error & { code?: string }): void {
  (this as MarkedSocket)[kSocketError] = error.code;
}

/** Why a socket the server did not cut closed: too big a frame, a protocol error, a drop, or the client's close. */
export function closeReasonOf(socket: WebSocket, code: number): DisconnectReason {
  const error = (socket as MarkedSocket)[kSocketError];
  if (error === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 'too-large';
  if (error !== undefined) return 'error';
  return code === 1006 ? 'lost' : 'closed';
}
