import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TestClient, type Frame } from '../helpers/client.js';
import { startServer } from '../helpers/server.js';

/** A deterministic pseudo-random sequence (mulberry32), so a failure replays the same traffic. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function join(client: TestClient, room: string): Promise<void> {
  client.send({ type: 'join-room', room });
  let frame = await client.next();
  while (frame.type !== 'room-peers') frame = await client.next();
}

/** Consumes frames until the probe's answer; returns what came before it. */
async function drain(client: TestClient): Promise<Frame[]> {
  client.send('probe: not json');
  const frames: Frame[] = [];
  for (let frame = await client.next(); !(frame.type === 'error' && frame.message === 'invalid-message'); frame = await client.next()) {
    frames.push(frame);
  }
  return frames;
}

describe('hostile traffic', () => {
  it('never lets random traffic cross rooms, and from is always the real sender', async () => {
    const { url } = await startServer({ messageBurst: 10_000 });
    const rooms = ['red', 'green', 'blue'];
    const clients = await Promise.all(Array.from({ length: 12 }, () => TestClient.open(url)));
    const roomOf = new Map<string, string>();
    for (const [i, client] of clients.entries()) {
      const room = rooms[i % rooms.length] as string;
      await join(client, room);
      roomOf.set(client.id, room);
    }
    for (const client of clients) await drain(client); // peer-joined notices
    const next = random(20261122);
    for (let i = 0; i < 600; i++) {
      const sender = clients[Math.floor(next() * clients.length)] as TestClient;
      const others = clients.filter((c) => c !== sender);
      const target = others[Math.floor(next() * others.length)] as TestClient;
      const spoof = clients[Math.floor(next() * clients.length)] as TestClient;
      sender.send(next() < 0.5 ? { type: 'offer', to: target.id, from: spoof.id, n: i } : { type: 'chat', from: spoof.id, n: i });
    }
    let delivered = 0;
    for (const client of clients) {
      for (const frame of await drain(client)) {
        if (frame.type === 'error') {
          expect(frame.message).toBe('target-unavailable-or-different-room');
          continue;
        }
        delivered++;
        expect(roomOf.get(frame.from)).toBe(roomOf.get(client.id));
        expect(frame.from).not.toBe(client.id);
      }
    }
    expect(delivered).toBeGreaterThan(300);
  });

  it('treats hostile ids and payloads as data, leaving Object.prototype untouched', async () => {
    const { url, signaling } = await startServer();
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const a = await TestClient.open(url);
    const b = await TestClient.open(url, { protocols: 'signalroom.connector.v1' });
    for (const id of ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']) {
      a.send({ type: 'offer', to: id, offer: {} });
      expect(await a.next()).toMatchObject({ message: 'target-unavailable-or-different-room', to: id });
      b.send({ event: 'Join_Room', data: { room: id } });
      expect(await b.next()).toMatchObject({ event: 'Not_Found' });
      b.send({ event: 'Create_Room', data: { room: id, name: id } });
      expect(await b.next()).toMatchObject({ event: 'Room_Created', data: { room: id } });
      b.send({ event: 'Message', to: id, data: { __proto__: { polluted: true } } });
      expect(await b.next()).toMatchObject({ event: 'Not_Found' });
    }
    a.send('{"type":"join-room","room":"x","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}');
    await a.next();
    await a.next();
    a.send('{"type":"chat","__proto__":{"isAdmin":true}}');
    await a.expectNothingPending();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.keys(signaling.status().rooms).sort()).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'prototype', 'toString', 'x']);
  });

  it('1,000 clients connecting, joining, signalling and leaving in a loop leave no peers, rooms or timers', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const { url, signaling } = await startServer();
    const timersBefore = timers();
    for (let batch = 0; batch < 10; batch++) {
      const clients = await Promise.all(Array.from({ length: 100 }, () => TestClient.open(url)));
      await Promise.all(clients.map((client, i) => join(client, `loop-${batch}-${i >> 2}`)));
      for (let i = 0; i < clients.length; i += 4) {
        const [first, second] = [clients[i] as TestClient, clients[i + 1] as TestClient];
        first.send({ type: 'offer', to: second.id, offer: { sdp: 'x' } });
      }
      await Promise.all(clients.map((client) => client.close()));
    }
    await new Promise<void>((resolve) => {
      if (signaling.peerCount === 0) return resolve();
      signaling.on('peer:disconnect', () => signaling.peerCount === 0 && resolve());
    });
    expect(signaling.status()).toEqual({ totalClients: 0, clients: [], rooms: {} });
    expect(signaling.roomCount).toBe(0);
    expect(signaling.connectionCount).toBe(0);
    // No timer per connection or per room outlives its owner (the heartbeat's one shared timer stays).
    expect(timers()).toBeLessThanOrEqual(timersBefore);
  }, 60_000);
});

type Command =
  | { kind: 'join'; client: number; room: number }
  | { kind: 'leave'; client: number }
  | { kind: 'unicast'; client: number; target: number }
  | { kind: 'broadcast'; client: number };

describe('model-based: random command sequences from several clients', () => {
  const CLIENTS = 4;
  const command: fc.Arbitrary<Command> = fc.oneof(
    fc.record({ kind: fc.constant('join' as const), client: fc.nat(CLIENTS - 1), room: fc.nat(2) }),
    fc.record({ kind: fc.constant('leave' as const), client: fc.nat(CLIENTS - 1) }),
    fc.record({ kind: fc.constant('unicast' as const), client: fc.nat(CLIENTS - 1), target: fc.nat(CLIENTS - 1) }),
    fc.record({ kind: fc.constant('broadcast' as const), client: fc.nat(CLIENTS - 1) }),
  );

  it('delivers only where routing allows, stamps the real sender, and leaves nothing behind', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
        const { url, signaling } = await startServer();
        const clients = await Promise.all(Array.from({ length: CLIENTS }, () => TestClient.open(url)));
        const roomOf: Array<number | undefined> = Array.from({ length: CLIENTS }, () => undefined);
        try {
          for (const [step, cmd] of commands.entries()) {
            const sender = clients[cmd.client] as TestClient;
            if (cmd.kind === 'join') {
              sender.send({ type: 'join-room', room: `room-${cmd.room}` });
              roomOf[cmd.client] = cmd.room;
            } else if (cmd.kind === 'leave') {
              sender.send({ type: 'leave-room' });
              roomOf[cmd.client] = undefined;
            } else {
              const to = cmd.kind === 'unicast' ? { to: (clients[cmd.target] as TestClient).id } : {};
              sender.send({ type: 'signal', step, ...to });
            }
            // Everyone drains: frames about this step have all arrived once each probe is answered.
            const received = await Promise.all(clients.map(drain));
            for (const [index, frames] of received.entries()) {
              for (const frame of frames.filter((f) => f.type === 'signal')) {
                expect(frame.step).toBe(step);
                expect(frame.from).toBe(sender.id);
                expect(roomOf[index]).not.toBeUndefined();
                expect(roomOf[index]).toBe(roomOf[cmd.client]);
                if (cmd.kind === 'unicast') expect(index).toBe(cmd.target);
                else expect(index).not.toBe(cmd.client);
              }
            }
            if (cmd.kind === 'unicast' || cmd.kind === 'broadcast') {
              const mates = roomOf.filter((room, i) => room !== undefined && room === roomOf[cmd.client] && i !== cmd.client);
              const shouldReach = cmd.kind === 'broadcast' ? mates.length : roomOf[cmd.client] !== undefined && roomOf[cmd.client] === roomOf[cmd.target] ? 1 : 0;
              const reached = received.reduce((n, frames) => n + frames.filter((f) => f.type === 'signal').length, 0);
              expect(reached).toBe(shouldReach);
            }
          }
          // Model and server agree on membership, then everyone leaves and nothing is left.
          const rooms = signaling.status().rooms;
          for (const [index, client] of clients.entries()) {
            const room = roomOf[index];
            if (room !== undefined) expect(rooms[`room-${room}`]).toContain(client.id);
          }
          await Promise.all(clients.map((client) => client.close()));
          await new Promise<void>((resolve) => {
            if (signaling.peerCount === 0) return resolve();
            signaling.on('peer:disconnect', () => signaling.peerCount === 0 && resolve());
          });
          expect(signaling.status()).toEqual({ totalClients: 0, clients: [], rooms: {} });
        } finally {
          await signaling.close();
        }
      }),
      { numRuns: 25, seed: 1122 },
    );
  }, 120_000);
});
