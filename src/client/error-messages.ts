/** What each code means, in words, for `SignalingClientError.message`; the code itself stays the stable part. */
const MEANINGS: Readonly<Record<string, string>> = {
  closed: 'the client is closed (close() was called)',
  'connect-failed': 'could not open a connection to the signaling server',
  'connection-lost': 'the connection to the signaling server dropped; reconnecting',
  'connect-timeout': 'the signaling server sent no id in time',
  'join-timeout': 'the signaling server did not answer the join in time',
  'not-connected': 'not connected yet: await connect() first',
  superseded: 'a later join() replaced this one',
  replaced: 'our id connected again elsewhere (another tab or device); this client closed',
  'room-full': 'the room is full',
  'invalid-room-name': 'the room id is empty or too long',
  forbidden: 'the server refused it (its authorizeJoin hook said no)',
  'rate-limit': 'sending too fast: the server dropped this message',
  'too-many-rooms': 'already in as many rooms as the server allows',
  'target-unavailable-or-different-room': 'that peer is not in this room (or does not exist)',
  'not-in-room': 'not in a room: join one first',
  'invalid-message': 'the server could not read a message we sent',
  'reserved-type': 'that message type is reserved for the server',
};

/** The context worth showing, in a fixed order: which room, peer, URL, limit or close code it was about. */
const CONTEXT: ReadonlyArray<[key: string, label: string]> = [
  ['room', 'room'],
  ['to', 'peer'],
  ['limit', 'limit'],
  ['url', 'url'],
  ['code', 'close code'],
  ['reason', 'reason'],
  ['timeout', 'after ms'],
  ['attempts', 'attempts'],
  ['cause', 'cause'],
];

/**
 * `room-full: the room is full (room "standup", limit 50)`: the code first (what to switch on), then what it
 * means, then the context the server or the client gave.
 */
export function describeClientError(code: string, details: Readonly<Record<string, unknown>>): string {
  const meaning = MEANINGS[code] ?? 'the signaling server answered an error';
  const context = CONTEXT.filter(([key]) => details[key] !== undefined && details[key] !== '').map(
    ([key, label]) => `${label} ${typeof details[key] === 'string' ? JSON.stringify(details[key]) : String(details[key])}`,
  );
  return `${code}: ${meaning}${context.length === 0 ? '' : ` (${context.join(', ')})`}`;
}
