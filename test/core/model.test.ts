import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignalingCore } from '../../src/core/core.js';
import type { PeerOptions, Signal } from '../../src/core/types.js';
import { SignalingError } from '../../src/errors.js';
import { opaque } from '../../src/protocol/frame.js';
import { FakeConnection } from '../helpers/fake-connection.js';

/**
 * Model-based test of SignalingCore alone: random sequences of client commands and server calls on a few peers
 * and rooms, each step checked against a plain model of membership, ownership and capacity, down to every notice
 * each connection received and the `status()` document.
 */

/** The one place a Signal is built, so a change of its shape is made here only. */
function signalTo(to: string | undefined): Signal {
  const message = to === undefined ? { type: 'offer' } : { type: 'offer', to };
  return { type: 'offer', to, data: {}, frame: opaque({ dialect: 'console', message, raw: JSON.stringify(message) }) };
}

const MAX_PEERS_PER_ROOM = 3;
const MAX_ROOMS_PER_PEER = 2;
const MAX_ROOM_ID_LENGTH = 128;
const ROOMS = ['r0', 'r1', 'r2'] as const;
type RoomName = (typeof ROOMS)[number];

/**
 * Four peer slots, each always connecting with the same id: a console-like peer (one room at a time, reach within
 * rooms), a y-webrtc-like one (several rooms, reach within them), two connector-like ones (several rooms, open
 * routing), the last allowed only two rooms.
 */
const SLOTS: ReadonlyArray<PeerOptions & { id: string }> = [
  { id: 'peer-0', scope: 'room', switchRooms: true },
  { id: 'peer-1', scope: 'room', switchRooms: false },
  { id: 'peer-2', scope: 'open', switchRooms: false },
  { id: 'peer-3', scope: 'open', switchRooms: false, allowedRooms: ['r0', 'r1'] },
];
type Slot = 0 | 1 | 2 | 3;

type Step =
  | { kind: 'connect'; slot: Slot }
  | { kind: 'join'; slot: Slot; room: RoomName | ''; mode: 'auto' | 'create' | 'existing' }
  | { kind: 'leave'; slot: Slot; room: RoomName | undefined }
  | { kind: 'end'; slot: Slot; room: RoomName }
  | { kind: 'signal'; slot: Slot; to: Slot | undefined }
  | { kind: 'disconnect'; slot: Slot }
  | { kind: 'kick'; slot: Slot; room: RoomName }
  | { kind: 'endRoom'; room: RoomName }
  | { kind: 'createRoom'; room: RoomName; owner: Slot | undefined; capacity: number };

const slot = fc.constantFrom<Slot>(0, 1, 2, 3);
// Most traffic on two rooms, so rooms fill up and peers share more than one; the third is the one peer-3 may not join.
const room = fc.oneof(
  { arbitrary: fc.constant('r0' as const), weight: 4 },
  { arbitrary: fc.constant('r1' as const), weight: 3 },
  { arbitrary: fc.constant('r2' as const), weight: 1 },
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('connect' as const), slot }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('join' as const),
      slot,
      room: fc.oneof({ arbitrary: room, weight: 9 }, { arbitrary: fc.constant('' as const), weight: 1 }),
      mode: fc.oneof(
        { arbitrary: fc.constant('auto' as const), weight: 4 },
        { arbitrary: fc.constant('create' as const), weight: 1 },
        { arbitrary: fc.constant('existing' as const), weight: 1 },
      ),
    }),
    weight: 8,
  },
  { arbitrary: fc.record({ kind: fc.constant('leave' as const), slot, room: fc.option(room, { nil: undefined }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('end' as const), slot, room }), weight: 1 },
  // Half of the signals broadcast (undefined: to the sender's rooms).
  { arbitrary: fc.record({ kind: fc.constant('signal' as const), slot, to: fc.option(slot, { nil: undefined, freq: 2 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('disconnect' as const), slot }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('kick' as const), slot, room }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('endRoom' as const), room }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('createRoom' as const),
      room,
      owner: fc.option(slot, { nil: undefined }),
      capacity: fc.integer({ min: 1, max: MAX_PEERS_PER_ROOM }),
    }),
    weight: 1,
  },
);

type Notice = Record<string, unknown>;
interface ModelPeer {
  readonly slot: Slot;
  readonly connection: FakeConnection;
  /** Room ids in join order. */
  rooms: string[];
}
interface ModelRoom {
  readonly id: string;
  owner: string | undefined;
  readonly capacity: number;
  /** Peer ids in join order. */
  readonly members: string[];
}

/** What the core should be: the same rules, written the plain way. */
class Model {
  /** Connected peers by id, in connect order. */
  readonly peers = new Map<string, ModelPeer>();
  /** Rooms by id, in creation order. */
  readonly rooms = new Map<string, ModelRoom>();
  /** What each connection should receive during the current step. */
  readonly expected = new Map<FakeConnection, Notice[]>();
  /** Connections the core should have closed during the current step. */
  readonly closes = new Map<FakeConnection, { code: number; reason: string }>();

  constructor(readonly ownershipTransfer: boolean) {}

  tell(connection: FakeConnection, notice: Notice): void {
    const list = this.expected.get(connection) ?? [];
    list.push(notice);
    this.expected.set(connection, list);
  }

  #fail(peer: ModelPeer, code: string, details: Record<string, unknown> = {}): void {
    this.tell(peer.connection, { kind: 'error', code, ...details });
  }

  #room(id: string): ModelRoom {
    return this.rooms.get(id) as ModelRoom;
  }

  #removeMember(room: ModelRoom, id: string, peer: ModelPeer, reason: 'left' | 'kicked' | 'disconnected'): void {
    room.members.splice(room.members.indexOf(id), 1);
    peer.rooms = peer.rooms.filter((r) => r !== room.id);
    if (reason !== 'disconnected') this.tell(peer.connection, { kind: 'left', room: room.id, reason });
    for (const member of room.members) this.tell(this.#peer(member).connection, { kind: 'peer-left', room: room.id, peerId: id, reason });
    if (this.ownershipTransfer && room.owner === id) room.owner = room.members[0];
    if (room.members.length === 0) this.rooms.delete(room.id);
  }

  #peer(id: string): ModelPeer {
    return this.peers.get(id) as ModelPeer;
  }

  #end(room: ModelRoom, by: { id: string; peer: ModelPeer } | undefined): void {
    const members = [...room.members];
    for (const member of members) this.tell(this.#peer(member).connection, { kind: 'room-ended', room: room.id, members });
    if (by !== undefined && !members.includes(by.id)) this.tell(by.peer.connection, { kind: 'room-ended', room: room.id, members });
    for (const member of members) {
      const peer = this.#peer(member);
      peer.rooms = peer.rooms.filter((r) => r !== room.id);
    }
    this.rooms.delete(room.id);
  }

  #mayReach(from: ModelPeer, toId: string, to: ModelPeer): boolean {
    if (SLOTS[from.slot]?.scope === 'open' && SLOTS[to.slot]?.scope === 'open') return true;
    // A peer in any room shares it with itself: a unicast to its own id reaches it.
    return from.rooms.some((r) => this.#room(r).members.includes(toId));
  }

  connect(slot: Slot, connection: FakeConnection): void {
    const id = SLOTS[slot]?.id as string;
    const old = this.peers.get(id);
    if (old !== undefined) {
      // The newest connection wins: the old peer leaves its rooms, as a disconnect, and its connection is closed.
      this.disconnect(id);
      this.closes.set(old.connection, { code: 4001, reason: 'replaced' });
    }
    this.peers.set(id, { slot, connection, rooms: [] });
    this.tell(connection, { kind: 'welcome', peerId: id });
  }

  disconnect(id: string): boolean {
    const peer = this.peers.get(id);
    if (peer === undefined) return false;
    this.peers.delete(id);
    for (const roomId of [...peer.rooms]) this.#removeMember(this.#room(roomId), id, peer, 'disconnected');
    return true;
  }

  join(id: string, roomId: string, mode: 'auto' | 'create' | 'existing'): void {
    const peer = this.peers.get(id);
    if (peer === undefined) return;
    const options = SLOTS[peer.slot] as PeerOptions;
    if (roomId.length === 0 || roomId.length > MAX_ROOM_ID_LENGTH) {
      return mode === 'existing' ? this.#fail(peer, 'room-not-found', { room: roomId }) : this.#fail(peer, 'invalid-room-name', { limit: MAX_ROOM_ID_LENGTH });
    }
    if (options.allowedRooms !== undefined && !options.allowedRooms.includes(roomId)) return this.#fail(peer, 'forbidden', { room: roomId });
    const existing = this.rooms.get(roomId);
    if (mode === 'create' && existing !== undefined) return this.#fail(peer, 'room-exists', { room: roomId });
    if (mode === 'existing' && existing === undefined) return this.#fail(peer, 'room-not-found', { room: roomId });
    if (existing?.members.includes(id)) {
      if (mode !== 'auto') return this.#fail(peer, 'already-in-room', { room: roomId });
      this.tell(peer.connection, { kind: 'joined', room: roomId, created: false });
      this.tell(peer.connection, { kind: 'room-peers', room: roomId, peers: existing.members.filter((m) => m !== id) });
      return;
    }
    if (existing !== undefined && existing.members.length >= existing.capacity) {
      return this.#fail(peer, 'room-full', { room: roomId, limit: existing.capacity });
    }
    if (options.switchRooms !== true && peer.rooms.length >= MAX_ROOMS_PER_PEER) return this.#fail(peer, 'too-many-rooms', { limit: MAX_ROOMS_PER_PEER });
    if (options.switchRooms === true) for (const old of [...peer.rooms]) this.#removeMember(this.#room(old), id, peer, 'left');
    let target = existing;
    if (target === undefined) {
      target = { id: roomId, owner: id, capacity: MAX_PEERS_PER_ROOM, members: [] };
      this.rooms.set(roomId, target);
    }
    target.members.push(id);
    peer.rooms.push(roomId);
    this.tell(peer.connection, { kind: 'joined', room: roomId, created: existing === undefined });
    for (const member of target.members) {
      if (member !== id) this.tell(this.#peer(member).connection, { kind: 'peer-joined', room: roomId, peerId: id });
    }
    this.tell(peer.connection, { kind: 'room-peers', room: roomId, peers: target.members.filter((m) => m !== id) });
  }

  leave(id: string, roomId: string | undefined): void {
    const peer = this.peers.get(id);
    if (peer === undefined) return;
    if (roomId === undefined) {
      const current = peer.rooms[0];
      if (current === undefined) return this.#fail(peer, 'not-in-room');
      return this.#removeMember(this.#room(current), id, peer, 'left');
    }
    const existing = this.rooms.get(roomId);
    if (existing === undefined) return this.#fail(peer, 'room-not-found', { room: roomId });
    if (!existing.members.includes(id)) return this.#fail(peer, 'not-in-room', { room: roomId });
    this.#removeMember(existing, id, peer, 'left');
  }

  end(id: string, roomId: string): void {
    const peer = this.peers.get(id);
    if (peer === undefined) return;
    const existing = this.rooms.get(roomId);
    if (existing === undefined) return this.#fail(peer, 'room-not-found', { room: roomId });
    if (existing.owner !== id) return this.#fail(peer, 'not-room-owner', { room: roomId });
    this.#end(existing, { id, peer });
  }

  signal(id: string, toId: string | undefined): void {
    const peer = this.peers.get(id);
    if (peer === undefined) return;
    if (toId === undefined) {
      if (peer.rooms.length === 0) return this.#fail(peer, 'not-in-room');
      const reached = new Set([id]);
      for (const roomId of peer.rooms) {
        for (const member of this.#room(roomId).members) {
          if (reached.has(member)) continue;
          reached.add(member);
          this.tell(this.#peer(member).connection, { kind: 'signal', from: id, type: 'offer' });
        }
      }
      return;
    }
    const target = this.peers.get(toId);
    if (target === undefined || !this.#mayReach(peer, toId, target)) {
      return this.#fail(peer, 'target-unavailable-or-different-room', { to: toId });
    }
    this.tell(target.connection, { kind: 'signal', from: id, type: 'offer' });
  }

  kick(roomId: string, id: string): boolean {
    const existing = this.rooms.get(roomId);
    const peer = this.peers.get(id);
    if (existing === undefined || peer === undefined || !existing.members.includes(id)) return false;
    this.#removeMember(existing, id, peer, 'kicked');
    return true;
  }

  endRoom(roomId: string): boolean {
    const existing = this.rooms.get(roomId);
    if (existing === undefined) return false;
    this.#end(existing, undefined);
    return true;
  }

  /** Returns false when the room exists (the core throws `room-exists`). */
  createRoom(roomId: string, owner: string | undefined, capacity: number): boolean {
    if (this.rooms.has(roomId)) return false;
    this.rooms.set(roomId, { id: roomId, owner, capacity, members: [] });
    return true;
  }
}

const idOf = (s: Slot) => SLOTS[s]?.id as string;

/** Runs one step on the model, then on the core; what a call returns must be what the model says. */
function run(core: SignalingCore, model: Model, connections: FakeConnection[], s: Step): void {
  switch (s.kind) {
    case 'connect': {
      const connection = new FakeConnection();
      connections.push(connection);
      model.connect(s.slot, connection);
      const { id, ...options } = SLOTS[s.slot] as PeerOptions & { id: string };
      expect(core.connect(connection, { id, ...options })).toBe(id);
      return;
    }
    case 'join':
      model.join(idOf(s.slot), s.room, s.mode);
      expect(core.handle(idOf(s.slot), { kind: 'join', room: s.room, mode: s.mode })).toBeUndefined();
      return;
    case 'leave':
      model.leave(idOf(s.slot), s.room);
      core.handle(idOf(s.slot), s.room === undefined ? { kind: 'leave' } : { kind: 'leave', room: s.room });
      return;
    case 'end':
      model.end(idOf(s.slot), s.room);
      core.handle(idOf(s.slot), { kind: 'end', room: s.room });
      return;
    case 'signal': {
      const to = s.to === undefined ? undefined : idOf(s.to);
      model.signal(idOf(s.slot), to);
      core.handle(idOf(s.slot), { kind: 'signal', signal: signalTo(to) });
      return;
    }
    case 'disconnect':
      expect(core.disconnect(idOf(s.slot), 'closed')).toBe(model.disconnect(idOf(s.slot)));
      return;
    case 'kick':
      expect(core.kick(s.room, idOf(s.slot))).toBe(model.kick(s.room, idOf(s.slot)));
      return;
    case 'endRoom':
      expect(core.endRoom(s.room)).toBe(model.endRoom(s.room));
      return;
    case 'createRoom': {
      const owner = s.owner === undefined ? undefined : idOf(s.owner);
      if (model.createRoom(s.room, owner, s.capacity)) {
        expect(core.createRoom({ id: s.room, owner, capacity: s.capacity })).toEqual({
          id: s.room,
          name: '',
          owner,
          members: [],
          capacity: s.capacity,
          metadata: undefined,
        });
      } else {
        let thrown: unknown;
        try {
          core.createRoom({ id: s.room, owner, capacity: s.capacity });
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(SignalingError);
        expect((thrown as SignalingError).code).toBe('room-exists');
      }
      return;
    }
  }
}

/** After each step: every connection got exactly its notices, and the core's views match the model. */
function check(core: SignalingCore, model: Model, connections: FakeConnection[]): void {
  for (const connection of connections) {
    expect(connection.take()).toEqual(model.expected.get(connection) ?? []);
    const closed = model.closes.get(connection);
    if (closed !== undefined) expect(connection.closedWith).toEqual(closed);
  }
  model.expected.clear();
  model.closes.clear();

  const rooms = [...model.rooms.values()];
  const status = core.status();
  expect(status).toEqual({
    totalClients: model.peers.size,
    clients: [...model.peers.keys()],
    rooms: Object.fromEntries(rooms.filter((r) => r.members.length > 0).map((r) => [r.id, r.members])),
  });
  expect(Object.keys(status.rooms)).toEqual(rooms.filter((r) => r.members.length > 0).map((r) => r.id));
  expect(core.peerCount).toBe(model.peers.size);
  expect(core.roomCount).toBe(model.rooms.size);
  expect(core.rooms()).toEqual(
    rooms.map((r) => ({ id: r.id, name: '', owner: r.owner, members: r.members, capacity: r.capacity, metadata: undefined })),
  );
  expect(core.peers()).toEqual(
    [...model.peers].map(([id, peer]) => ({
      id,
      node: undefined,
      dialect: 'console',
      scope: SLOTS[peer.slot]?.scope,
      switchRooms: SLOTS[peer.slot]?.switchRooms,
      rooms: peer.rooms,
      data: undefined,
    })),
  );
  for (const id of ROOMS) {
    const r = model.rooms.get(id);
    expect(core.members(id)).toEqual(r?.members ?? []);
    expect(core.room(id)?.owner).toBe(r?.owner);
  }
  // The invariants the rules exist for.
  for (const r of rooms) expect(r.members.length).toBeLessThanOrEqual(r.capacity);
  for (const peer of model.peers.values()) {
    expect(peer.rooms.length).toBeLessThanOrEqual(SLOTS[peer.slot]?.switchRooms === true ? 1 : MAX_ROOMS_PER_PEER);
    const allowed = SLOTS[peer.slot]?.allowedRooms;
    if (allowed !== undefined) for (const r of peer.rooms) expect(allowed).toContain(r);
  }
}

describe('SignalingCore against a model', () => {
  it('agrees with the model on membership, notices, capacity, ownership and status after every step', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(step, { minLength: 1, maxLength: 50, size: 'max' }), (ownershipTransfer, steps) => {
        const core = new SignalingCore({ maxPeersPerRoom: MAX_PEERS_PER_ROOM, maxRoomsPerPeer: MAX_ROOMS_PER_PEER, ownershipTransfer });
        const errors: Error[] = [];
        core.on('error', (error) => errors.push(error));
        const model = new Model(ownershipTransfer);
        const connections: FakeConnection[] = [];
        // Everyone connected first, so most steps act; connect and disconnect steps still churn them.
        const everyone = SLOTS.map((_, i): Step => ({ kind: 'connect', slot: i as Slot }));
        for (const s of [...everyone, ...steps]) {
          run(core, model, connections, s);
          check(core, model, connections);
        }
        expect(errors).toEqual([]);
      }),
      // A fixed seed: every run checks the same 500 sequences (a failure prints its shrunk counterexample).
      { numRuns: 500, seed: 20260514 },
    );
  }, 30_000);
});
