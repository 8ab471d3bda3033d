import { describe, expect, it } from 'vitest';
import { nowMs, refill, TOKEN } from '../../src/transport/token-bucket.js';
import type { TestClient } from '../helpers/client.js';
import { FakeConnection } from '../helpers/fake-connection.js';
import { AsyncQueue } from '../helpers/queue.js';
import { serverClosed, sessionWorld, type SessionWorld } from '../helpers/session.js';

/**
 * Sends `count` frames the console dialect cannot parse and returns how each was answered: `invalid-message` when
 * the message budget let it through (the core answered it), `rate-limit` when the session refused it.
 */
async function probes(client: TestClient, count: number): Promise<string[]> {
  for (let i = 0; i < count; i++) client.send('probe: not json');
  const answers: string[] = [];
  for (let i = 0; i < count; i++) answers.push((await client.next()).message as string);
  return answers;
}

const PASSED = 'invalid-message';
const REFUSED = 'rate-limit';

describe('token-bucket.ts', () => {
  it('refills exactly `rate` tokens per second, in thousandths, with no drift from reading often', () => {
    // 10 tokens/s is 10 thousandths per millisecond: a whole token each 100 ms, however the time is sliced.
    expect(refill(0, 100, 10, 5)).toBe(TOKEN);
    let sliced = 0;
    for (let ms = 0; ms < 100; ms++) sliced = refill(sliced, 1, 10, 5);
    expect(sliced).toBe(TOKEN);
    // A fractional rate rounds each step down, never up: the bucket is never ahead of its rate.
    expect(refill(0, 3, 0.5, 5)).toBe(1);
  });

  it('never holds more than `burst` tokens, and refills a debt at the same rate', () => {
    expect(refill(0, 3_600_000, 10, 5)).toBe(5 * TOKEN);
    expect(refill(4 * TOKEN, 1_000, 10, 5)).toBe(5 * TOKEN);
    expect(refill(-2 * TOKEN, 200, 10, 5)).toBe(0);
  });

  it('reads a monotonic clock in whole milliseconds', () => {
    const first = nowMs();
    const second = nowMs();
    expect(Number.isInteger(first)).toBe(true);
    expect(second).toBeGreaterThanOrEqual(first);
  });
});

describe('Session: the message budget', () => {
  it('lets the burst through at once, then one message each 1/messageRate s, exactly', async () => {
    const world = await sessionWorld({ messageBurst: 5, messageRate: 10 });
    const { client } = await world.open();
    expect(await probes(client, 7)).toEqual([PASSED, PASSED, PASSED, PASSED, PASSED, REFUSED, REFUSED]);
    world.clock.advance(99);
    expect(await probes(client, 1)).toEqual([REFUSED]);
    world.clock.advance(1);
    expect(await probes(client, 2)).toEqual([PASSED, REFUSED]);
    world.clock.advance(300);
    expect(await probes(client, 4)).toEqual([PASSED, PASSED, PASSED, REFUSED]);
  });

  it('holds no more than its burst, however long the connection was idle', async () => {
    const world = await sessionWorld({ messageBurst: 5, messageRate: 10 });
    const { client } = await world.open();
    world.clock.advance(24 * 3_600_000);
    expect(await probes(client, 6)).toEqual([PASSED, PASSED, PASSED, PASSED, PASSED, REFUSED]);
  });

  it('counts each refusal as a strike, takes one away per message let through, and closes with 1008 at maxRateLimitStrikes', async () => {
    const world = await sessionWorld({ messageBurst: 1, messageRate: 1, maxRateLimitStrikes: 3 });
    const { session, client } = await world.open();
    expect(await probes(client, 3)).toEqual([PASSED, REFUSED, REFUSED]); // two strikes
    world.clock.advance(1_000);
    // Let through: down to one strike, not to none, so a sender pacing itself just over the limit still gets cut.
    expect(await probes(client, 2)).toEqual([PASSED, REFUSED]); // two strikes again
    const closedOnServer = serverClosed(session);
    client.send('probe: not json'); // the third: no answer, the cut
    await expect(client.next()).rejects.toThrow('socket closed (1008)');
    expect(await client.closed).toEqual({ code: 1008, reason: 'rate-limit' });
    await closedOnServer;
    expect(session.cutReason).toBe('rate-limit');
    expect(world.core.peer(client.id)).toBeUndefined();
  });

  it('never cuts a sender that stays within its budget, however long it goes on', async () => {
    const world = await sessionWorld({ messageBurst: 2, messageRate: 10, maxRateLimitStrikes: 1 });
    const { client } = await world.open();
    for (let i = 0; i < 50; i++) {
      expect(await probes(client, 1)).toEqual([PASSED]);
      world.clock.advance(100);
    }
  });
});

/** Joins room `r` again (a console re-join is answered, changes nothing, and pays like any join). */
async function join(client: TestClient): Promise<string> {
  client.send({ type: 'join-room', room: 'r' });
  const answer = await client.next();
  if (answer.type !== 'room-joined') return answer.message as string;
  expect(await client.next()).toMatchObject({ type: 'room-peers' });
  return 'joined';
}

describe('Session: pings', () => {
  /** The pongs `client` receives, in order, and a way to wait for the next one. */
  function pongsOf(client: TestClient) {
    const pongs = new AsyncQueue<string>();
    client.socket.on('pong', (data: Buffer) => pongs.push(data.toString()));
    return pongs;
  }

  it('answers a ping with a pong of its data, paid from the message budget like any frame', async () => {
    const world = await sessionWorld({ messageBurst: 3, messageRate: 10 });
    const { client } = await world.open();
    const pongs = pongsOf(client);
    client.socket.ping('one');
    expect(await pongs.next()).toBe('one');
    expect(await probes(client, 3)).toEqual([PASSED, PASSED, REFUSED]);
    // Over the budget: no pong, the rate-limit answer instead.
    client.socket.ping('two');
    expect((await client.next()).message).toBe(REFUSED);
    world.clock.advance(100);
    client.socket.ping('three');
    expect(await pongs.next()).toBe('three');
  });

  it('cuts a ping flood like a message flood: 1008 at maxRateLimitStrikes', async () => {
    const world = await sessionWorld({ messageBurst: 1, messageRate: 1, maxRateLimitStrikes: 3 });
    const { session, client } = await world.open();
    const closedOnServer = serverClosed(session);
    for (let i = 0; i < 4; i++) client.socket.ping();
    expect(await client.closed).toEqual({ code: 1008, reason: 'rate-limit' });
    await closedOnServer;
    expect(session.cutReason).toBe('rate-limit');
    expect(world.core.peer(client.id)).toBeUndefined();
  });
});

describe('Session: the join budget', () => {
  it('lets `joinBurst` joins through, then one each 1/joinRate s', async () => {
    const world = await sessionWorld({ joinBurst: 3, joinRate: 2 });
    const { client } = await world.open();
    expect([await join(client), await join(client), await join(client), await join(client)]).toEqual(['joined', 'joined', 'joined', REFUSED]);
    world.clock.advance(499);
    expect(await join(client)).toBe(REFUSED);
    world.clock.advance(1);
    expect([await join(client), await join(client)]).toEqual(['joined', REFUSED]);
  });

  it('lets a join that costs more than the budget through on one token, into a debt paid back at the rate', async () => {
    const world = await sessionWorld({ joinBurst: 3, joinRate: 1 });
    const { client } = await world.open();
    world.joinCost = 5;
    expect(await join(client)).toBe('joined'); // 3 − 5: two tokens in debt
    world.joinCost = 1;
    expect(await join(client)).toBe(REFUSED);
    // One token is needed to join: three seconds at one per second, not a millisecond less.
    world.clock.advance(2_999);
    expect(await join(client)).toBe(REFUSED);
    world.clock.advance(1);
    expect([await join(client), await join(client)]).toEqual(['joined', REFUSED]);
  });
});

/** Two fake peers in room `r` beside the session's own peer, with every notice taken. */
function twoListeners(world: SessionWorld, sender: string): FakeConnection[] {
  const listeners = [new FakeConnection(), new FakeConnection()];
  for (const connection of listeners) {
    const id = world.core.connect(connection, { scope: 'room' });
    world.core.handle(id, { kind: 'join', room: 'r', mode: 'auto' });
  }
  world.core.handle(sender, { kind: 'join', room: 'r', mode: 'auto' });
  for (const connection of listeners) connection.take();
  return listeners;
}

/** A console frame of exactly `size` bytes. */
const blob = (size: number, to?: string) => {
  const frame = JSON.stringify(to === undefined ? { type: 'b', pad: '' } : { type: 'b', to, pad: '' });
  return frame.replace('"pad":""', `"pad":"${'x'.repeat(size - frame.length)}"`);
};

describe('Session: the relay byte budget', () => {
  it('charges a broadcast its size once per recipient, lets it through while the budget is positive, and refills it at relayByteRate', async () => {
    // 1,000 bytes/s is one byte per millisecond.
    const world = await sessionWorld({ relayByteBurst: 10_000, relayByteRate: 1_000 });
    const { session, client } = await world.open();
    const listeners = twoListeners(world, session.peerId);
    await client.next(); // room-joined: the server-side join is answered like any
    await client.next(); // room-peers
    const delivered = () => listeners.map((listener) => listener.take().length);
    expect(blob(4_000)).toHaveLength(4_000);
    client.send(blob(4_000)); // 8,000 of 10,000
    client.send(blob(4_000)); // 2,000 left: still positive, so let through, into debt (−6,000)
    client.send(blob(100));
    expect(await client.next()).toMatchObject({ type: 'error', message: REFUSED });
    expect(delivered()).toEqual([2, 2]);
    world.clock.advance(6_000); // back to exactly 0: not positive yet
    client.send(blob(100));
    expect(await client.next()).toMatchObject({ type: 'error', message: REFUSED });
    world.clock.advance(1);
    client.send(blob(100));
    await client.expectNothingPending();
    expect(delivered()).toEqual([1, 1]);
  });

  it('charges a unicast its size once', async () => {
    const world = await sessionWorld({ relayByteBurst: 10_000, relayByteRate: 1_000 });
    const { session, client } = await world.open();
    const [first] = twoListeners(world, session.peerId);
    await client.next();
    await client.next();
    const target = world.core.members('r')[0] as string;
    // 4,000 to one peer costs 4,000: three fit in the burst (the third into debt), the fourth is refused.
    for (let i = 0; i < 3; i++) client.send(blob(4_000, target));
    client.send(blob(100, target));
    expect(await client.next()).toMatchObject({ type: 'error', message: REFUSED });
    expect(first?.take().length).toBe(3);
  });
});
