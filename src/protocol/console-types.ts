/**
 * The console dialect's frame types only the server sends. The server refuses them from a client (`reserved-type`:
 * relaying them would let one peer corrupt another's view of the room); the SDK never takes them for a peer's
 * frame. One list for both, so they cannot drift apart.
 */
export const CONSOLE_SERVER_TYPES: ReadonlySet<string> = new Set([
  'id',
  'resume-token',
  'ice-servers',
  'room-joined',
  'room-left',
  'room-peers',
  'peer-joined',
  'peer-left',
  'error',
  'server-message',
]);
