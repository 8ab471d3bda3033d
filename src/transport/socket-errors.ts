import type { DisconnectReason } from '../core/types.js';

/**
 * Why a socket the server did not cut closed: too big a frame, a protocol error, a drop, or the client's close.
 * `failure` is the code of the error ws failed the socket with, if it did (see SessionSocket).
 */
export function closeReasonOf(failure: string | undefined, code: number): DisconnectReason {
  if (failure === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 'too-large';
  if (failure !== undefined) return 'error';
  return code === 1006 ? 'lost' : 'closed';
}
