// A join costs join tokens by the membership notices it brings each member, measured against the console dialect's:
// a console `peer-joined` and `peer-left` cost one token; a room with a connector member sends each member the whole
// member list twice instead (`Client_Added`, then `Client_Removed`), so the join costs as many tokens as that is
// bigger. Every member then receives no more notice bytes per second from one peer than a console member would.

/** A console `peer-joined` plus `peer-left` for a UUID id: what one join token buys (see above). */
const CONSOLE_NOTICE_PAIR_BYTES = 2 * 64;
/** A connector membership envelope without its member list: type, event, name, room, timestamp, message_id. */
const CONNECTOR_ENVELOPE_BYTES = 170;

/** Join tokens for the `Client_Added` and `Client_Removed` a join brings each member of a connector room. */
export function noticeCost(roomId: string, roomName: string, members: readonly string[]): number {
  let bytes = CONNECTOR_ENVELOPE_BYTES + roomId.length + roomName.length;
  for (const member of members) bytes += member.length + 3;
  return Math.max(1, Math.ceil((2 * bytes) / CONSOLE_NOTICE_PAIR_BYTES));
}

