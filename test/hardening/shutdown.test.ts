import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { attachSignaling } from '../../src/index.js';
import { TestClient } from '../helpers/client.js';

/** Sends a raw upgrade request and resolves with the status line of whatever answers it (or '' on a reset). */
function rawUpgrade(port: number, path = '/'): { sent: Promise<void>; answer: Promise<string> } {
  const socket = net.connect(port, '127.0.0.1');
  onTestFinished(() => void socket.destroy());
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  socket.on('error', () => {});
  const sent = new Promise<void>((resolve) =>
    socket.once('connect', () =>
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
        () => resolve(),
      ),
    ),
  );
  const answer = new Promise<string>((resolve) => socket.once('close', () => resolve(text.split('\r\n')[0] ?? '')));
  return { sent, answer };
}

function listen(server: http.Server): Promise<number> {
  onTestFinished(() => {
    server.closeAllConnections();
    server.close();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('close() answers every upgrade', () => {
  it('answers 503 to an upgrade whose async authenticate is still running when close() is called', async () => {
    const server = http.createServer();
    let started!: () => void;
    const authenticating = new Promise<void>((resolve) => (started = resolve));
    let finish!: (value: false | { id?: string }) => void;
    const signaling = attachSignaling(server, {
      authenticate: () => {
        started();
        return new Promise<false | { id?: string }>((resolve) => (finish = resolve));
      },
    });
    const port = await listen(server);
    const { answer } = rawUpgrade(port);
    await authenticating;
    await signaling.close();
    expect(await answer).toBe('HTTP/1.1 503 Service Unavailable');
    finish({}); // the hook ends after the answer: nothing more happens
    expect(signaling.peerCount).toBe(0);
  });

  it('answers 503 to an upgrade that arrives after close() on a server with no request handler, on every path it had', async () => {
    const server = http.createServer();
    const signaling = attachSignaling(server);
    const port = await listen(server);
    await signaling.close();
    expect(await rawUpgrade(port).answer).toBe('HTTP/1.1 503 Service Unavailable');
    expect(await rawUpgrade(port, '/any/path').answer).toBe('HTTP/1.1 503 Service Unavailable');
  });

  it('answers 503 on the closed path and 404 elsewhere, and a new attachment on that path takes upgrades again', async () => {
    const server = http.createServer();
    const signaling = attachSignaling(server, { path: '/signal' });
    const port = await listen(server);
    await signaling.close();
    expect(await rawUpgrade(port, '/signal').answer).toBe('HTTP/1.1 503 Service Unavailable');
    expect(await rawUpgrade(port, '/other').answer).toBe('HTTP/1.1 404 Not Found');
    const again = attachSignaling(server, { path: '/signal' });
    onTestFinished(() => again.close());
    const client = await TestClient.open(`ws://127.0.0.1:${port}/signal`);
    expect(again.peer(client.id)).toBeDefined();
  });
});
