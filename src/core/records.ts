import type { Connection, PeerInfo, RoomInfo, RoomView, RoutingScope } from './types.js';

/** One connected peer, as the core keeps it. */
export class PeerRecord {
  /**
   * Rooms this peer is in, in join order. A small array replaced on change rather than grown in place: a pushed
   * array reserves 17 slots, and most peers are in one room.
   */
  rooms: readonly RoomRecord[] = [];

  constructor(
    readonly id: string,
    /** Replaced when the client resumes its identity on a new connection. */
    public connection: Connection,
    readonly scope: RoutingScope,
    readonly switchRooms: boolean,
    readonly dialect: string,
    readonly data: unknown,
    readonly allowedRooms: ReadonlySet<string> | undefined,
    /** The cluster node holding its connection; `undefined` when it is this node. */
    public node: string | undefined,
    /** See PeerOptions.credential. */
    readonly credential?: string,
  ) {}

  /** Whether this peer's connection is on this node (not a stand-in for a peer on another node). */
  get local(): boolean {
    return this.node === undefined;
  }

  info(): PeerInfo {
    return {
      id: this.id,
      node: this.node,
      dialect: this.dialect,
      scope: this.scope,
      switchRooms: this.switchRooms,
      rooms: this.rooms.map((room) => room.id),
      data: this.data,
    };
  }

  /** Whether this peer and `other` are in at least one common room. */
  sharesRoomWith(other: PeerRecord): boolean {
    const [small, large] = this.rooms.length <= other.rooms.length ? [this, other] : [other, this];
    for (const room of small.rooms) if (room.members.has(large.id)) return true;
    return false;
  }

  /** Records that this peer is in `room` (the caller adds it to the room's members). */
  enter(room: RoomRecord): void {
    this.rooms = this.rooms.length === 0 ? [room] : [...this.rooms, room];
  }

  /** Forgets `room` (the caller has already taken this peer out of its members). */
  forget(room: RoomRecord): void {
    this.rooms = this.rooms.filter((entry) => entry !== room);
  }
}

/** One room. `members` is in join order (a Map keeps insertion order), which every member list reports. */
export class RoomRecord implements RoomView {
  readonly members = new Map<string, PeerRecord>();
  /** How many members are connected to this node (the rest are stand-ins for peers on other nodes). */
  localCount = 0;

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
