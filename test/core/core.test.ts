import { describe, expect, it, vi } from 'vitest';
import { SignalingCore, type Signal } from '../../src/index.js';
import { opaque } from '../../src/protocol/frame.js';
import { FakeConnection } from '../helpers/fake-connection.js';

function ids(): () => string {
  let next = 0;
  return () => `p${++next}`;
}

function signal(type: string, to?: string): Signal {
  const message = to === undefined ? { type } : { type, to };
  return { type, to, data: {}, frame: opaque({ dialect: 'console', message, raw: JSON.stringify(message) }) };
}

function world(options: ConstructorParameters<typeof SignalingCore>[0] = {}) {
  const core = new SignalingCore({ generateId: ids(), ...options });
  const connect = (peerOptions: Parameters<SignalingCore['connect']>[1] = {}) => {
    const connection = new FakeConnection();
    const id = core.connect(connection, peerOptions);
    connection.take();
    return { id, connection };
  };
  /** Two peers in room r, every notice of the joins already taken. */
  const pairInRoom = () => {
    const a = connect();
    const b = connect();
    core.handle(a.id, { kind: 'join', room: 'r', mode: 'auto' });
    core.handle(b.id, { kind: 'join', room: 'r', mode: 'auto' });
    a.connection.take();
    b.connection.take();
    return [a, b] as const;
  };
  return { core, connect, pairInRoom };
}

describe('SignalingCore', () => {
  it('welcomes a peer with its id and emits peer:connect', () => {
    const core = new SignalingCore({ generateId: ids() });
    const connected = vi.fn();
    core.on('peer:connect', connected);
    const connection = new FakeConnection();
    const id = core.connect(connection, { data: { user: 'ada' } });
    expect(connection.take()).toEqual([{ kind: 'welcome', peerId: 'p1' }]);
    expect(connected).toHaveBeenCalledWith({
      peer: { id: 'p1', node: undefined, dialect: 'console', scope: 'room', switchRooms: false, rooms: [], data: { user: 'ada' } },
    });
    expect(id).toBe('p1');
  });

  it('creates a room on first join, emits room:create and room:join, and deletes it when it empties', () => {
    const { core, connect } = world();
    const events: string[] = [];
    for (const name of ['room:create', 'room:join', 'room:leave', 'room:delete'] as const) {
      core.on(name, (event: { room: { id: string } }) => events.push(`${name} ${event.room.id}`));
    }
    const a = connect();
    core.handle(a.id, { kind: 'join', room: 'r', mode: 'auto' });
    expect(a.connection.take()).toEqual([
      { kind: 'joined', room: 'r', created: true },
      { kind: 'room-peers', room: 'r', peers: [] },
    ]);
    expect(core.room('r')).toMatchObject({ id: 'r', owner: 'p1', members: ['p1'], capacity: 50 });
    core.handle(a.id, { kind: 'leave' });
    expect(a.connection.take()).toEqual([{ kind: 'left', room: 'r', reason: 'left' }]);
    expect(events).toEqual(['room:create r', 'room:join r', 'room:leave r', 'room:delete r']);
    expect(core.roomCount).toBe(0);
  });

  it('routes a unicast only within a shared room unless both ends are open', () => {
    const { core, connect } = world();
    const a = connect();
    const b = connect();
    const openA = connect({ scope: 'open' });
    const openB = connect({ scope: 'open' });
    core.handle(a.id, { kind: 'signal', signal: signal('offer', b.id) });
    expect(a.connection.take()).toEqual([{ kind: 'error', code: 'target-unavailable-or-different-room', to: b.id }]);
    core.handle(openA.id, { kind: 'signal', signal: signal('offer', b.id) });
    expect(openA.connection.take()).toMatchObject([{ code: 'target-unavailable-or-different-room' }]);
    core.handle(openA.id, { kind: 'signal', signal: signal('offer', openB.id) });
    expect(openB.connection.take()).toEqual([{ kind: 'signal', from: openA.id, type: 'offer' }]);
    core.handle(a.id, { kind: 'join', room: 'r', mode: 'auto' });
    core.handle(b.id, { kind: 'join', room: 'r', mode: 'auto' });
    b.connection.take();
    core.handle(a.id, { kind: 'signal', signal: signal('offer', b.id) });
    expect(b.connection.take()).toEqual([{ kind: 'signal', from: a.id, type: 'offer' }]);
  });

  it('emits signal events with the sender and target', () => {
    const { core, connect } = world();
    const a = connect();
    const b = connect();
    core.handle(a.id, { kind: 'join', room: 'r', mode: 'auto' });
    core.handle(b.id, { kind: 'join', room: 'r', mode: 'auto' });
    const seen = vi.fn();
    core.on('signal', seen);
    core.handle(a.id, { kind: 'signal', signal: signal('offer', b.id) });
    core.handle(a.id, { kind: 'signal', signal: signal('chat') });
    expect(seen.mock.calls.map(([e]) => [e.from.id, e.to?.id, e.room, e.type])).toEqual([
      ['p1', 'p2', undefined, 'offer'],
      ['p1', undefined, 'r', 'chat'],
    ]);
  });

  it('kicks a peer: it is told "kicked", the rest see it leave, room:leave has the reason', () => {
    const { core, pairInRoom } = world();
    const [a, b] = pairInRoom();
    const left = vi.fn();
    core.on('room:leave', left);
    expect(core.kick('r', b.id)).toBe(true);
    expect(b.connection.take()).toEqual([{ kind: 'left', room: 'r', reason: 'kicked' }]);
    expect(a.connection.take()).toEqual([{ kind: 'peer-left', room: 'r', peerId: b.id, reason: 'kicked' }]);
    expect(left.mock.calls[0]?.[0]).toMatchObject({ peer: { id: b.id }, reason: 'kicked' });
    expect(core.kick('r', b.id)).toBe(false);
    expect(core.kick('nope', a.id)).toBe(false);
  });

  it('ends a room: every member told once, nobody sees peer-left, then room:end and room:delete', () => {
    const { core, pairInRoom } = world();
    const [a, b] = pairInRoom();
    const order: string[] = [];
    core.on('room:leave', ({ peer, reason }) => order.push(`leave ${peer.id} ${reason}`));
    core.on('room:end', ({ room, by }) => order.push(`end ${room.id} ${room.members.join(',')} by ${String(by)}`));
    core.on('room:delete', ({ room }) => order.push(`delete ${room.id}`));
    expect(core.endRoom('r')).toBe(true);
    expect(a.connection.take()).toEqual([{ kind: 'room-ended', room: 'r', members: ['p1', 'p2'] }]);
    expect(b.connection.take()).toEqual([{ kind: 'room-ended', room: 'r', members: ['p1', 'p2'] }]);
    expect(order).toEqual(['leave p1 ended', 'leave p2 ended', 'end r p1,p2 by undefined', 'delete r']);
    expect(core.peer(a.id)?.rooms).toEqual([]);
    expect(core.endRoom('r')).toBe(false);
  });

  it('lets only the creator end a room, even after it left; nobody else ever can from a client', () => {
    const { core, connect } = world();
    const [a, b] = [connect(), connect()];
    core.handle(a.id, { kind: 'join', room: 'r', mode: 'create' });
    core.handle(b.id, { kind: 'join', room: 'r', mode: 'existing' });
    core.handle(a.id, { kind: 'leave', room: 'r' });
    expect(core.room('r')?.owner).toBe(a.id);
    b.connection.take();
    core.handle(b.id, { kind: 'end', room: 'r' });
    expect(b.connection.take()).toEqual([{ kind: 'error', code: 'not-room-owner', room: 'r' }]);
    core.handle(a.id, { kind: 'end', room: 'r' });
    expect(core.roomCount).toBe(0);
  });

  it('rejects an ownershipTransfer that is not a boolean', () => {
    expect(() => new SignalingCore({ ownershipTransfer: 'yes' as unknown as boolean })).toThrow(
      new TypeError('options.ownershipTransfer must be a boolean, got yes'),
    );
  });

  it('with ownershipTransfer, lets only the owner end a room; ownership passes to the longest-standing member', () => {
    const { core, connect } = world({ maxRoomsPerPeer: 4, ownershipTransfer: true });
    const [a, b, c] = [connect(), connect(), connect()];
    core.handle(a.id, { kind: 'join', room: 'r', mode: 'create' });
    core.handle(b.id, { kind: 'join', room: 'r', mode: 'existing' });
    core.handle(c.id, { kind: 'join', room: 'r', mode: 'existing' });
    b.connection.take();
    core.handle(b.id, { kind: 'end', room: 'r' });
    expect(b.connection.take()).toEqual([{ kind: 'error', code: 'not-room-owner', room: 'r' }]);
    core.handle(a.id, { kind: 'leave', room: 'r' });
    expect(core.room('r')?.owner).toBe(b.id);
    core.disconnect(b.id);
    expect(core.room('r')?.owner).toBe(c.id);
    core.handle(c.id, { kind: 'end', room: 'r' });
    expect(core.roomCount).toBe(0);
  });

  it('answers create/existing join errors: room-exists, room-not-found, already-in-room, too-many-rooms', () => {
    const { core, connect } = world({ maxRoomsPerPeer: 2 });
    const a = connect();
    core.handle(a.id, { kind: 'join', room: 'r', mode: 'create' });
    a.connection.take();
    core.handle(a.id, { kind: 'join', room: 'r', mode: 'create' });
    core.handle(a.id, { kind: 'join', room: 'x', mode: 'existing' });
    core.handle(a.id, { kind: 'join', room: 'r', mode: 'existing' });
    core.handle(a.id, { kind: 'join', room: undefined, mode: 'create' });
    a.connection.take();
    core.handle(a.id, { kind: 'join', room: 'third', mode: 'auto' });
    expect(a.connection.take()).toEqual([{ kind: 'error', code: 'too-many-rooms', limit: 2 }]);
    expect(core.peer(a.id)?.rooms).toEqual(['r', 'p2']);
  });

  it('tells a peer exactly once per shared room-mate when it broadcasts from several rooms', () => {
    const { core, connect } = world();
    const [a, b] = [connect(), connect()];
    for (const room of ['x', 'y']) {
      core.handle(a.id, { kind: 'join', room, mode: 'auto' });
      core.handle(b.id, { kind: 'join', room, mode: 'auto' });
    }
    b.connection.take();
    core.handle(a.id, { kind: 'signal', signal: signal('chat') });
    expect(b.connection.take()).toEqual([{ kind: 'signal', from: a.id, type: 'chat' }]);
  });

  it('disconnects a peer from the server side: rooms told, connection closed, event with reason', () => {
    const { core, connect } = world();
    const [a, b] = [connect(), connect()];
    core.handle(a.id, { kind: 'join', room: 'r', mode: 'auto' });
    core.handle(b.id, { kind: 'join', room: 'r', mode: 'auto' });
    a.connection.take();
    const gone = vi.fn();
    core.on('peer:disconnect', gone);
    expect(core.disconnectPeer(b.id, { code: 4000, reason: 'bye' })).toBe(true);
    expect(b.connection.closedWith).toEqual({ code: 4000, reason: 'bye' });
    expect(a.connection.take()).toEqual([{ kind: 'peer-left', room: 'r', peerId: b.id, reason: 'disconnected' }]);
    expect(gone).toHaveBeenCalledWith({ peer: expect.objectContaining({ id: b.id, rooms: ['r'] }), reason: 'server' });
    expect(core.disconnect(b.id)).toBe(false);
    expect(core.disconnectPeer(b.id)).toBe(false);
  });

  it('sends and broadcasts application frames from server code', () => {
    const { core, connect } = world();
    const [a, b, c] = [connect(), connect(), connect()];
    for (const peer of [a, b, c]) core.handle(peer.id, { kind: 'join', room: 'r', mode: 'auto' });
    for (const peer of [a, b, c]) peer.connection.take();
    expect(core.send(a.id, { type: 'hello' })).toBe(true);
    expect(core.send('nobody', { type: 'hello' })).toBe(false);
    expect(core.broadcast('r', { type: 'news' }, { except: a.id })).toBe(2);
    expect(core.broadcast('none', { type: 'news' })).toBe(0);
    expect(a.connection.take()).toEqual([{ kind: 'message', data: { type: 'hello' } }]);
    expect(b.connection.take()).toEqual([{ kind: 'message', data: { type: 'news' } }]);
    expect(core.members('r')).toEqual([a.id, b.id, c.id]);
    expect(core.peers().map((p) => p.id)).toEqual([a.id, b.id, c.id]);
    expect(core.rooms().map((r) => r.id)).toEqual(['r']);
  });

  it('replaces an older connection that claims the same id', () => {
    const { core, connect } = world();
    const first = connect({ id: 'same' });
    const second = connect({ id: 'same' });
    expect(first.connection.closedWith).toEqual({ code: 4001, reason: 'replaced' });
    expect(second.connection.closedWith).toBeUndefined();
    expect(core.peerCount).toBe(1);
  });

  it('keeps state consistent when a listener throws, and reports the error', () => {
    const { core, connect } = world();
    const [a, b] = [connect(), connect()];
    core.handle(a.id, { kind: 'join', room: 'r', mode: 'auto' });
    core.handle(b.id, { kind: 'join', room: 'r', mode: 'auto' });
    const errors: Error[] = [];
    core.on('error', (error) => errors.push(error));
    core.on('room:leave', () => {
      throw new Error('listener bug');
    });
    core.disconnect(a.id);
    core.disconnect(b.id);
    expect(errors.map((e) => e.message)).toEqual(['listener bug', 'listener bug']);
    expect(core.status()).toEqual({ totalClients: 0, clients: [], rooms: {} });
  });

  it('gives two cores two independent worlds', () => {
    const one = world();
    const two = world();
    one.connect();
    expect(one.core.peerCount).toBe(1);
    expect(two.core.peerCount).toBe(0);
  });

  it.each([
    [{ maxPeersPerRoom: 0 }, 'options.maxPeersPerRoom must be an integer >= 1, got 0'],
    [{ maxRoomsPerPeer: 1.5 }, 'options.maxRoomsPerPeer must be an integer >= 1, got 1.5'],
    [{ maxRoomIdLength: '9' }, 'options.maxRoomIdLength must be an integer >= 1, got "9" (string)'],
    [{ generateId: 'x' }, 'options.generateId must be a function, got "x" (string)'],
  ])('rejects invalid options %j with a TypeError', (options, message) => {
    expect(() => new SignalingCore(options as never)).toThrow(new TypeError(message));
  });
});
