import type { MemberEntry, RoomEvent, RoomSnapshot } from './backplane.js';

/**
 * What a node knows of one room it follows (it has peers in it, or one is joining): the room's version, the
 * join order of its members, and, until the core holds the room, a shadow of its members, so the first local
 * joiner can be given the whole room as it stood right before the join.
 *
 * Events are applied once and in version order; while the room's snapshot loads, they wait.
 */
export class RoomLink {
  version = 0;
  /** The room did not exist when its snapshot was taken: its first event sets the version. */
  absent = false;
  /** Set while the snapshot loads: events that arrive meanwhile, applied after it. */
  pending: RoomEvent[] | undefined = [];
  /** The room's members while the core does not hold it (before the first local join). */
  shadow: RoomSnapshot | undefined;
  /** Join order of every member, for writing the room back after the engine lost it. */
  readonly orders = new Map<string, number>();
  /** Local joins decided but not applied yet; the link stays while there are any. */
  joining = 0;
  loaded: Promise<void> = Promise.resolve();
  readonly #waiters: Array<{ version: number; resolve: () => void }> = [];

  constructor(readonly id: string) {}

  /** Resolves once the event of `version` has been applied (or given up on, when the engine went away). */
  reached(version: number): Promise<void> {
    if (this.version >= version) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ version, resolve }));
  }

  /** Wakes the joins waiting for versions up to the current one. */
  settle(): void {
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const waiter = this.#waiters[i] as { version: number; resolve: () => void };
      if (waiter.version <= this.version) {
        this.#waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  /** Wakes every waiting join: the events they wait for may never come (an outage); the resync catches up. */
  releaseAll(): void {
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
  }

  /** Takes a snapshot as the room's state; events older than it are dropped. */
  install(snapshot: RoomSnapshot | undefined): RoomEvent[] {
    this.version = snapshot?.version ?? 0;
    this.absent = snapshot === undefined;
    this.orders.clear();
    for (const member of snapshot?.members ?? []) this.orders.set(member.id, member.order);
    const pending = (this.pending ?? []).filter((event) => this.absent || event.v > this.version);
    this.pending = undefined;
    return pending;
  }

  /** Keeps the join orders up to date, and the shadow while there is one. */
  track(event: RoomEvent): void {
    if (event.op === 'join') this.orders.set(event.member.id, event.member.order);
    else if (event.op === 'leave') this.orders.delete(event.peer);
    else if (event.op === 'end') this.orders.clear();
    const shadow = this.shadow;
    if (shadow === undefined) return;
    this.shadow = applyToSnapshot(shadow, event);
  }
}

/** A snapshot with one more event applied. */
function applyToSnapshot(room: RoomSnapshot, event: RoomEvent): RoomSnapshot | undefined {
  switch (event.op) {
    case 'join': {
      const members = [...room.members.filter((m) => m.id !== event.member.id), event.member].sort((a, b) => a.order - b.order);
      return { ...room, owner: event.owner, version: event.v, members };
    }
    case 'leave': {
      const members = room.members.filter((m) => m.id !== event.peer);
      return members.length === 0 && room.keep !== true ? undefined : { ...room, owner: event.owner, version: event.v, members };
    }
    case 'end':
      return undefined;
    case 'move':
      return { ...room, version: event.v, members: room.members.map((m): MemberEntry => (m.id === event.peer ? { ...m, node: event.node } : m)) };
  }
}

/** The room a join event creates, for a shadow that had none. */
export function roomOfJoin(id: string, event: RoomEvent & { op: 'join' }): RoomSnapshot {
  return { id, name: event.name, owner: event.owner, capacity: event.capacity, version: event.v - 1, members: [] };
}
