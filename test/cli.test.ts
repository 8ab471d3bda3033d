import { describe, expect, it } from 'vitest';
import { TestClient } from './helpers/client.js';
import { startCli } from './helpers/cli.js';
import { getJson } from './helpers/server.js';

describe('npx signalroom (the built CLI)', () => {
  it('lets two raw WebSocket clients exchange offer, answer and ice-candidate, shows them on /status, and exits 0 on SIGTERM', async () => {
    const cli = await startCli();
    const url = `ws://127.0.0.1:${cli.port}`;
    const a = await TestClient.open(url);
    const b = await TestClient.open(url);
    for (const client of [a, b]) {
      client.send({ type: 'join-room', room: 'call' });
      await client.next();
      await client.next();
    }
    expect(await a.next()).toEqual({ type: 'peer-joined', peerId: b.id });

    a.send({ type: 'offer', to: b.id, offer: { type: 'offer', sdp: 'v=0' } });
    expect(await b.next()).toEqual({ type: 'offer', to: b.id, offer: { type: 'offer', sdp: 'v=0' }, from: a.id });
    b.send({ type: 'answer', to: a.id, answer: { type: 'answer', sdp: 'v=0' } });
    expect(await a.next()).toMatchObject({ type: 'answer', from: b.id });
    a.send({ type: 'ice-candidate', to: b.id, candidate: { candidate: 'c' } });
    expect(await b.next()).toMatchObject({ type: 'ice-candidate', from: a.id, candidate: { candidate: 'c' } });

    expect(await getJson(`http://127.0.0.1:${cli.port}/status`)).toEqual({
      totalClients: 2,
      clients: [a.id, b.id],
      rooms: { call: [a.id, b.id] },
    });

    cli.child.kill('SIGTERM');
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    expect(await cli.exited).toBe(0);
  });

  it('exits 0 on SIGINT too', async () => {
    const cli = await startCli();
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
  });

  it('refuses to start on a malformed PORT and says why', async () => {
    await expect(startCli({ PORT: 'eighty' })).rejects.toThrow('PORT must be an integer from 0 to 65535, got "eighty"');
  });
});
