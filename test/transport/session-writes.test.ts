import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sessionWorld } from '../helpers/session.js';

/** The client's TCP socket as the session sees it, counting the writes it is given. */
class CountedWrites {
  writes: Buffer[] = [];
  constructor(private readonly socket: Socket) {}
  get writable(): boolean {
    return this.socket.writable;
  }
  get writableLength(): number {
    return this.socket.writableLength;
  }
  write(chunk: Buffer): boolean {
    this.writes.push(chunk);
    return this.socket.write(chunk);
  }
}

async function counted() {
  const world = await sessionWorld();
  let stream: CountedWrites | undefined;
  const pair = await world.open({ stream: (socket) => (stream = new CountedWrites(socket)) as unknown as Duplex });
  const counter = stream as CountedWrites;
  counter.writes = []; // the client has its id: what was written for it is done
  return { ...pair, stream: counter };
}

describe('Session: a turn’s frames', () => {
  it('leave in one write at the end of the turn, in the order they were sent', async () => {
    const { session, client, stream } = await counted();
    for (const peerId of ['a', 'b', 'c']) session.send({ kind: 'peer-joined', room: { id: 'r', name: 'r' }, peerId } as never);
    expect(stream.writes).toHaveLength(0); // held until the turn ends
    await Promise.resolve();
    expect(stream.writes).toHaveLength(1);
    for (const peerId of ['a', 'b', 'c']) expect(await client.next()).toEqual({ type: 'peer-joined', peerId });
  });

  it('go out before a close the server sends in the same turn', async () => {
    const { session, client, stream } = await counted();
    session.send({ kind: 'error', code: 'rate-limit' } as never);
    session.close(1008, 'rate-limit');
    expect(stream.writes).toHaveLength(1); // flushed before ws wrote the close frame
    expect(await client.next()).toMatchObject({ type: 'error', message: 'rate-limit' });
    expect((await client.closed).code).toBe(1008);
  });

  it('count toward maxBufferedBytes while they are held', async () => {
    const world = await sessionWorld({ maxBufferedBytes: 1000 });
    const { session } = await world.open();
    const data = 'x'.repeat(400);
    session.send({ kind: 'message', data } as never);
    session.send({ kind: 'message', data } as never);
    expect(session.cutReason).toBeUndefined();
    session.send({ kind: 'message', data } as never); // 3 × ~430 B held: over the limit before any is written
    expect(session.cutReason).toBe('slow-consumer');
  });
});
