import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { attachSignaling } from '../../src/index.js';
import { TestClient } from '../helpers/client.js';

type Writes = Array<string[]>;

/** Records what each write of a server socket carries: one entry per write to the kernel, its chunks' starts. */
function recordWrites(socket: Socket, writes: Writes): void {
  const stream = socket as Socket & {
    _write(chunk: Buffer | string, encoding: string, done: () => void): void;
    _writev(chunks: Array<{ chunk: Buffer | string }>, done: () => void): void;
  };
  const write = stream._write.bind(stream);
  const writev = stream._writev.bind(stream);
  const start = (chunk: Buffer | string) => (typeof chunk === 'string' ? chunk : chunk.subarray(2).toString('latin1')).slice(0, 12);
  stream._write = (chunk, encoding, done) => {
    writes.push([start(chunk)]);
    write(chunk, encoding, done);
  };
  stream._writev = (chunks, done) => {
    writes.push(chunks.map(({ chunk }) => start(chunk)));
    writev(chunks, done);
  };
}

describe('UpgradeGate', () => {
  it('sends the 101 answer and the id frame in one write', async () => {
    const server = http.createServer();
    const writes: Writes = [];
    server.on('connection', (socket: Socket) => recordWrites(socket, writes));
    const signaling = attachSignaling(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(async () => {
      await signaling.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const client = await TestClient.open(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    expect(client.id).toBeTypeOf('string');
    expect(writes[0]).toEqual(['HTTP/1.1 101', '{"type":"id"']);
    await client.close();
  });
});
