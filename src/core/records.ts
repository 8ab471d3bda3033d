import type { Connection, PeerInfo, RoomInfo, RoomView, RoutingScope } from './types.js';

/** One connected peer, as the core keeps it. */
export class PeerRecord {
  /** Rooms this peer is in, in join order. */
  readonly rooms = new Set<RoomRecord>();

  constructor(
    readonly id: string,
    /** Replaced when the client resumes its identity on a new connection. */
    public connection: Connection,
    readonly scope: RoutingScope,
    readonly switchRooms: boolean,
    readonly dialect: string,
    readonly data: unknown,
    readonly allowedRooms: ReadonlySet<string> | undefined,
  ) {}

  info(): PeerInfo {
    return {
      id: this.id,
      dialect: this.dialect,
      scope: this.scope,
      rooms: [...this.rooms].map((room) => room.id),
      data: this.data,
    };
  }

  /** Whether this peer and `other` are in at least one common room. */
  sharesRoomWith(other: PeerRecord): boolean {
    const [small, large] = this.rooms.size <= other.rooms.size ? [this, other] : [other, this];
    for (const room of small.rooms) if (room.members.has(large.id)) return true;
    return false;
  }
}

/** One room. `members` is in join order (a Map keeps insertion order), which every member list reports. */
export class RoomRecord implements RoomView {
  readonly members = new Map<string, PeerRecord>();

  constructor(
    readonly id: string,
    readonly name: string,
    public owner: string | undefined,
    readonly capacity: number,
    readonly metadata: Readonly<Record<string, unknown>> | undefined,
  ) {}

  info(): RoomInfo {
    return {
      id: this.id,
      name: this.name,
      owner: this.owner,
      members: [...this.members.keys()],
      capacity: this.capacity,
      metadata: this.metadata,
    };
  }
}
