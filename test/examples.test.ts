import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { TestClient } from './helpers/client.js';

/** Starts an example on a free port (PORT=0) and waits for its first line, which names the port. */
async function runExample(path: string): Promise<number> {
  const child = spawn(process.execPath, [fileURLToPath(new URL(`../examples/${path}`, import.meta.url))], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  onTestFinished(() => void child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /localhost:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`example exited with ${code}: ${output}`)));
  });
}

describe.each(['http-server', 'express', 'fastify'])('examples/%s', (example) => {
  it('serves its own route, signaling on /signal, and /status', async () => {
    const port = await runExample(`${example}/server.mjs`);
    expect(await (await fetch(`http://127.0.0.1:${port}/hello`)).text()).toBe('hello from the app\n');
    const a = await TestClient.open(`ws://127.0.0.1:${port}/signal`);
    const b = await TestClient.open(`ws://127.0.0.1:${port}/signal`);
    a.send({ type: 'join-room', room: 'demo' });
    await a.next();
    await a.next();
    b.send({ type: 'join-room', room: 'demo' });
    await b.next();
    expect(await b.next()).toEqual({ type: 'room-peers', peers: [a.id] });
    const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as { rooms: unknown };
    expect(status.rooms).toEqual({ demo: [a.id, b.id] });
  });
});
