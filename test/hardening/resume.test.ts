import { describe, expect, it } from 'vitest';
import { openJoined, TestClient } from '../helpers/client.js';
import { startServer } from '../helpers/server.js';

const joined = openJoined;

async function pair(url: string) {
  const a = await joined(url, 'r');
  const b = await joined(url, 'r');
  expect(await a.next()).toEqual({ type: 'peer-joined', peerId: b.id });
  const token = await b.nextResumeToken();
  return { a, b, token };
}

describe('identity resume', () => {
  it('gives every peer a private resume token that is not its id', async () => {
    const { url } = await startServer();
    const client = await TestClient.open(url);
    const token = await client.nextResumeToken();
    expect(token).not.toBe(client.id);
    expect(token).not.toContain(client.id);
  });

  it('brings back the same id and rooms within the grace period; the room sees no leave or join; frames sent meanwhile arrive', async () => {
    const { url, signaling } = await startServer({ resumeGracePeriod: 60_000 });
    const { a, b, token } = await pair(url);
    const suspended = new Promise((resolve) => signaling.once('peer:suspend', resolve));
    const resumed = new Promise((resolve) => signaling.once('peer:resume', resolve));
    b.terminate(); // the network drops: no close frame
    expect(await suspended).toEqual({ peer: expect.objectContaining({ id: b.id, rooms: ['r'] }), reason: 'lost' });
    a.send({ type: 'offer', to: b.id, offer: { sdp: 'sent while b was away' } });
    await a.expectNothingPending();

    const back = await TestClient.open(`${url}/?resume=${encodeURIComponent(token)}`);
    expect(back.id).toBe(b.id);
    expect(await resumed).toEqual({ peer: expect.objectContaining({ id: b.id }) });
    expect(await back.next()).toEqual({ type: 'offer', to: b.id, offer: { sdp: 'sent while b was away' }, from: a.id });
    expect(signaling.core.peer(b.id)?.rooms).toEqual(['r']);
    await a.expectNothingPending();
    back.send({ type: 'answer', to: a.id, answer: { sdp: 'back' } });
    expect(await a.next()).toMatchObject({ type: 'answer', from: b.id });
    expect(await back.nextResumeToken()).toBeTruthy();
  });

  it('after the grace period the peer leaves normally; its token then gives the same id with no rooms', async () => {
    const { url, signaling } = await startServer({ resumeGracePeriod: 30 });
    const { a, b, token } = await pair(url);
    const reason = new Promise<string>((resolve) => signaling.on('peer:disconnect', ({ reason }) => resolve(reason)));
    b.terminate();
    expect(await a.next()).toEqual({ type: 'peer-left', peerId: b.id });
    expect(await reason).toBe('lost');
    const back = await TestClient.open(`${url}/?resume=${encodeURIComponent(token)}`);
    expect(back.id).toBe(b.id);
    expect(signaling.core.peer(b.id)?.rooms).toEqual([]);
  });

  it('a deliberate close leaves at once, with no grace period', async () => {
    const { url } = await startServer({ resumeGracePeriod: 60_000 });
    const { a, b } = await pair(url);
    await b.close(1000);
    expect(await a.next()).toEqual({ type: 'peer-left', peerId: b.id });
  });

  it('takes over from a socket not yet seen dead: the old one is closed with 4000, the room sees nothing', async () => {
    const { url, signaling } = await startServer();
    const { a, b, token } = await pair(url);
    const back = await TestClient.open(`${url}/?resume=${encodeURIComponent(token)}`);
    expect(back.id).toBe(b.id);
    expect((await b.closed).code).toBe(4000);
    a.send({ type: 'chat', text: 'to the new socket' });
    expect(await back.next()).toEqual({ type: 'chat', text: 'to the new socket', from: a.id });
    await a.expectNothingPending();
    expect(signaling.status().rooms).toEqual({ r: [a.id, b.id] });
  });

  it('ignores a tampered or foreign token and assigns a fresh id', async () => {
    const { url } = await startServer();
    const { b, token } = await pair(url);
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    const other = await TestClient.open(`${url}/?resume=${encodeURIComponent(tampered)}`);
    expect(other.id).not.toBe(b.id);
    const foreign = await startServer();
    const stranger = await TestClient.open(`${foreign.url}/?resume=${encodeURIComponent(token)}`);
    expect(stranger.id).not.toBe(b.id);
  });

  it('survives a restart when both servers share resumeSecret', async () => {
    const first = await startServer({ resumeSecret: 'shared resume secret' });
    const client = await TestClient.open(first.url);
    const token = await client.nextResumeToken();
    await first.close();
    const second = await startServer({ resumeSecret: 'shared resume secret' });
    const back = await TestClient.open(`${second.url}/?resume=${encodeURIComponent(token)}`);
    expect(back.id).toBe(client.id);
  });

  it('sends no token and keeps no grace period with resume: false', async () => {
    const { url } = await startServer({ resume: false });
    const { a, b } = { a: await joined(url, 'r'), b: await joined(url, 'r') };
    await a.next();
    expect(b.resumeToken).toBeUndefined();
    b.terminate();
    expect(await a.next()).toEqual({ type: 'peer-left', peerId: b.id });
  });

  it('ends the grace period early when more than maxBufferedBytes wait for the peer', async () => {
    const { url, signaling } = await startServer({ resumeGracePeriod: 60_000, maxBufferedBytes: 10_000, messageBurst: 1000 });
    const { a, b } = await pair(url);
    const suspended = new Promise((resolve) => signaling.once('peer:suspend', resolve));
    b.terminate();
    await suspended;
    const reason = new Promise<string>((resolve) => signaling.on('peer:disconnect', ({ reason }) => resolve(reason)));
    for (let i = 0; i < 20; i++) a.send({ type: 'chat', to: b.id, pad: 'x'.repeat(1000) });
    expect(await reason).toBe('resume-overflow');
    let frame = await a.next();
    while (frame.type !== 'peer-left') frame = await a.next();
    expect(frame).toEqual({ type: 'peer-left', peerId: b.id });
  });
});

describe('resume tokens', () => {
  it('are valid until resumeTokenTtl and not a millisecond longer', async () => {
    const { ResumeTokens } = await import('../../src/transport/resume-tokens.js');
    const tokens = new ResumeTokens('secret', 1_000);
    const token = tokens.issue('peer-1', 50_000);
    expect(tokens.verify(token, 50_999)).toBe('peer-1');
    expect(tokens.verify(token, 51_000)).toBeUndefined();
    expect(new ResumeTokens('another secret', 1_000).verify(token, 50_000)).toBeUndefined();
    expect(tokens.verify(`${token}x`, 50_000)).toBeUndefined();
    expect(tokens.verify(42, 50_000)).toBeUndefined();
  });
});
