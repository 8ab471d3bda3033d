import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { describe, expect, it, onTestFinished } from 'vitest';
import { attachSignaling } from '../../src/index.js';
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

/** A client-to-server frame (RFC 6455 §5.3: masked; a zero mask keeps the payload readable). */
function maskedFrame(opcode: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length, 0, 0, 0, 0]), payload]);
}

/** The server's frames in `bytes` (after the HTTP answer), as [opcode, payload]; short frames only. */
function serverFrames(bytes: Buffer): Array<[number, string]> {
  const frames: Array<[number, string]> = [];
  for (let at = bytes.indexOf('\r\n\r\n') + 4; at + 2 <= bytes.length; ) {
    const length = (bytes[at + 1] as number) & 0x7f;
    frames.push([(bytes[at] as number) & 0x0f, bytes.subarray(at + 2, at + 2 + length).toString('latin1')]);
    at += 2 + length;
  }
  return frames;
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

  it('go out before the close ws answers a client’s close with, read in the same turn', async () => {
    const server = http.createServer();
    const signaling = attachSignaling(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(async () => {
      await signaling.close();
      server.close();
    });
    const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
    onTestFinished(() => void socket.destroy());
    const chunks: Buffer[] = [];
    const welcomed = new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (serverFrames(Buffer.concat(chunks)).length > 0) resolve();
      }),
    );
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    await welcomed;
    // A join and a close in one write, so the server reads them together: its answers to the join are held when
    // ws, reading the close, answers it.
    const join = maskedFrame(1, Buffer.from('{"type":"join-room","room":"r"}'));
    const close = maskedFrame(8, Buffer.from([0x03, 0xe8])); // 1000
    socket.write(Buffer.concat([join, close]));
    await ended;
    const frames = serverFrames(Buffer.concat(chunks)).slice(1); // after the id
    expect(frames).toEqual([
      [1, '{"type":"room-joined","room":"r"}'],
      [1, '{"type":"room-peers","peers":[]}'],
      [8, '\x03\xe8'], // the close, with the client's code
    ]);
  });
});
