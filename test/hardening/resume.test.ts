import { describe, expect, it } from 'vitest';
import { openJoined, TestClient } from '../helpers/client.js';
import { startServer } from '../helpers/server.js';

/** A client that asks for extensions, as our SDK does: it gets a resume token and a grace period. */
const joined = (url: string, room: string) => openJoined(`${url}/?extensions=1`, room);
const extended = (url: string) => TestClient.open(`${url}/?extensions=1`);

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
    const client = await extended(url);
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
    expect(signaling.peer(b.id)?.rooms).toEqual(['r']);
    await a.expectNothingPending();
    back.send({ type: 'answer', to: a.id, answer: { sdp: 'back' } });
    expect(await a.next()).toMatchObject({ type: 'answer', from: b.id });
    expect(await back.nextResumeToken()).toBeTruthy();
  });

  it('after the grace period the peer leaves normally; its token died with it and gives a fresh id', async () => {
    const { url, signaling } = await startServer({ resumeGracePeriod: 30 });
    const { a, b, token } = await pair(url);
    const reason = new Promise<string>((resolve) => signaling.on('peer:disconnect', ({ reason }) => resolve(reason)));
    b.terminate();
    expect(await a.next()).toEqual({ type: 'peer-left', peerId: b.id });
    expect(await reason).toBe('lost');
    const back = await TestClient.open(`${url}/?resume=${encodeURIComponent(token)}`);
    expect(back.id).not.toBe(b.id);
    expect(signaling.peer(b.id)).toBeUndefined();
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

  it('survives a restart within the grace period when both servers share resumeSecret, once', async () => {
    const first = await startServer({ resumeSecret: 'shared resume secret' });
    const client = await extended(first.url);
    const token = await client.nextResumeToken();
    await first.close();
    const second = await startServer({ resumeSecret: 'shared resume secret' });
    const back = await TestClient.open(`${second.url}/?resume=${encodeURIComponent(token)}`);
    expect(back.id).toBe(client.id);
    await back.close(1000);
    const replay = await TestClient.open(`${second.url}/?resume=${encodeURIComponent(token)}`);
    expect(replay.id).not.toBe(client.id);
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
    expect(tokens.take(token, false, 51_000)).toBeUndefined();
    expect(tokens.take(token, false, 50_999)).toEqual({ peerId: 'peer-1', local: true });
    expect(new ResumeTokens('another secret', 1_000).take(token, true, 50_000)).toBeUndefined();
    expect(tokens.take(`${token}x`, true, 50_000)).toBeUndefined();
    expect(tokens.take(42, true, 50_000)).toBeUndefined();
  });

  it('are single use, and only the newest is live; a cluster may accept one issued by another node', async () => {
    const { ResumeTokens } = await import('../../src/transport/resume-tokens.js');
    const tokens = new ResumeTokens('secret', 60_000);
    const older = tokens.issue('peer-1');
    const newer = tokens.issue('peer-1');
    expect(tokens.take(older, false)).toBeUndefined();
    expect(tokens.take(newer, false)).toEqual({ peerId: 'peer-1', local: true });
    expect(tokens.take(newer, false)).toBeUndefined();
    const elsewhere = new ResumeTokens('secret', 60_000).issue('peer-2');
    expect(tokens.take(elsewhere, false)).toBeUndefined();
    expect(tokens.take(elsewhere, true)).toEqual({ peerId: 'peer-2', local: false });
    expect(tokens.take(elsewhere, true)).toBeUndefined();
  });

  it('from the process before a restart are accepted only within the grace period of the new one (restartWindowMs at its bound)', async () => {
    const { ResumeTokens } = await import('../../src/transport/resume-tokens.js');
    const before = new ResumeTokens('secret', 60_000, 10_000, 0);
    const [a, b] = [before.issue('a', 0), before.issue('b', 0)];
    const after = new ResumeTokens('secret', 60_000, 10_000, 5_000);
    expect(after.take(a, false, 15_000)).toEqual({ peerId: 'a', local: false });
    expect(after.take(b, false, 15_001)).toBeUndefined();
  });

  it('each resume spends the token and issues a new one; the spent one cannot take the peer over', async () => {
    const { url, signaling } = await startServer({ resumeGracePeriod: 60_000 });
    const { a, b, token } = await pair(url);
    b.terminate();
    const back = await TestClient.open(`${url}/?resume=${encodeURIComponent(token)}`);
    expect(back.id).toBe(b.id);
    const fresh = await back.nextResumeToken();
    expect(fresh).not.toBe(token);
    for (let attempt = 0; attempt < 5; attempt++) {
      const replay = await TestClient.open(`${url}/?resume=${encodeURIComponent(token)}`);
      expect(replay.id).not.toBe(b.id);
    }
    await back.expectNothingPending();
    await a.expectNothingPending();
    expect(signaling.peer(b.id)?.rooms).toEqual(['r']);
    const again = await TestClient.open(`${url}/?resume=${encodeURIComponent(fresh)}`);
    expect(again.id).toBe(b.id);
  });

  it('are revoked by disconnectPeer (a ban): the peer cannot come back with its id or rooms', async () => {
    const { url, signaling } = await startServer({ resumeGracePeriod: 60_000 });
    const { a, b, token } = await pair(url);
    signaling.disconnect(b.id, { code: 4003, reason: 'banned' });
    expect(await b.closed).toEqual({ code: 4003, reason: 'banned' });
    expect(await a.next()).toEqual({ type: 'peer-left', peerId: b.id });
    const back = await TestClient.open(`${url}/?resume=${encodeURIComponent(token)}`);
    expect(back.id).not.toBe(b.id);
    expect(signaling.status().rooms).toEqual({ r: [a.id] });
  });

  it('are revoked by a kick; a kicked peer still connected gets a fresh token at once', async () => {
    const { url, signaling } = await startServer({ resumeGracePeriod: 60_000 });
    const { a, b, token } = await pair(url);
    signaling.kick('r', b.id);
    expect(await b.next()).toEqual({ type: 'room-left', room: 'r', reason: 'kicked' });
    expect(await a.next()).toEqual({ type: 'peer-left', peerId: b.id });
    await b.expectNothingPending();
    expect(b.resumeToken).not.toBe(token);
    const stolen = await TestClient.open(`${url}/?resume=${encodeURIComponent(token)}`);
    expect(stolen.id).not.toBe(b.id);
    await b.expectNothingPending();
    const own = await TestClient.open(`${url}/?resume=${encodeURIComponent(b.resumeToken as string)}`);
    expect(own.id).toBe(b.id);
  });

  it('never appear in the log lines', async () => {
    const lines: string[] = [];
    const record = (object: unknown, message?: string) => void lines.push(JSON.stringify([object, message]));
    const logger = { debug: record, info: record, warn: record, error: record };
    const { url } = await startServer({ logger, resumeGracePeriod: 60_000 });
    const { b, token } = await pair(url);
    b.terminate();
    const back = await TestClient.open(`${url}/?resume=${encodeURIComponent(token)}`);
    await back.nextResumeToken();
    await back.close(1000);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(line).not.toContain(token);
      expect(line).not.toContain(back.resumeToken);
    }
  });
});

describe('plain connections (no ?extensions=1): exactly the original, leaves at once', () => {
  it('sends a plain connection no resume token and no ICE servers, only its id', async () => {
    const turn = { secret: 's', urls: ['turn:turn.example.com:3478'] };
    const { url } = await startServer({ turn });
    const plain = await TestClient.open(url, { protocols: 'signalroom.console.v1' });
    await plain.expectNothingPending();
    expect(plain.resumeToken).toBeUndefined();
    expect(plain.raw).toEqual([`{"type":"id","id":"${plain.id}"}`, '{"type":"error","message":"invalid-message"}']);
    const asking = await TestClient.open(`${url}/?extensions=1`);
    expect((await asking.next()).type).toBe('ice-servers');
    expect(await asking.nextResumeToken()).toBeTruthy();
  });

  it.each([
    ['1001 (a closed tab)', (c: TestClient) => void c.close(1001)],
    ['1000', (c: TestClient) => void c.close(1000)],
    ['a cut (1006)', (c: TestClient) => c.terminate()],
  ])('a plain peer that closes with %s leaves at once, whatever the grace period', async (_, drop) => {
    const { url, signaling } = await startServer({ resumeGracePeriod: 600_000 });
    const a = await openJoined(url, 'r');
    const b = await openJoined(url, 'r');
    await a.next();
    let suspended = false;
    signaling.on('peer:suspend', () => (suspended = true));
    drop(b);
    // With a 10-minute grace period, the leave arriving at all proves there was none.
    expect(await a.next()).toEqual({ type: 'peer-left', peerId: b.id });
    expect(suspended).toBe(false);
    expect(signaling.status()).toEqual({ totalClients: 1, clients: [a.id], rooms: { r: [a.id] } });
  });

  it('a plain peer leaves within the event-loop turn in which its socket closed on the server', async () => {
    const { url, server, signaling } = await startServer({ resumeGracePeriod: 600_000 });
    const a = await openJoined(url, 'r');
    const sockets: Array<import('node:stream').Duplex> = [];
    server.on('connection', (socket) => sockets.push(socket));
    const b = await openJoined(url, 'r');
    await a.next();
    const serverSide = sockets[0] as import('node:stream').Duplex;
    // Checked one turn after the server's TCP socket closed: by then the peer must be gone and the room told.
    const afterOneTurn = new Promise<{ peer: unknown; status: unknown }>((resolve) =>
      serverSide.once('close', () => setImmediate(() => resolve({ peer: signaling.peer(b.id), status: signaling.status() }))),
    );
    b.terminate();
    expect(await afterOneTurn).toEqual({ peer: undefined, status: { totalClients: 1, clients: [a.id], rooms: { r: [a.id] } } });
    expect(await a.next()).toEqual({ type: 'peer-left', peerId: b.id });
  });

  it('a plain peer cut by the heartbeat leaves at once', async () => {
    const { url, signaling } = await startServer({ heartbeatInterval: 50, heartbeatTimeout: 50, resumeGracePeriod: 600_000 });
    const a = await openJoined(url, 'r');
    // autoPong off: this client never answers a ping, like a peer whose network vanished. It joins from the
    // server side at once, so it is in the room however soon the heartbeat gives up on it.
    const b = await TestClient.open(url, { ws: { autoPong: false } });
    void signaling.join(b.id, 'r');
    const reason = new Promise<string>((resolve) => signaling.on('peer:disconnect', ({ reason }) => resolve(reason)));
    expect(await a.next()).toEqual({ type: 'peer-joined', peerId: b.id });
    let frame = await a.next();
    while (frame.type !== 'peer-left') frame = await a.next();
    expect(frame).toEqual({ type: 'peer-left', peerId: b.id });
    expect(await reason).toBe('heartbeat');
  });

  it('a resumable peer (extensions) keeps its identity across a drop; the room sees nothing', async () => {
    const { url, signaling } = await startServer({ resumeGracePeriod: 600_000 });
    const { a, b, token } = await pair(url);
    const suspended = new Promise((resolve) => signaling.once('peer:suspend', resolve));
    void b.close(1001);
    await suspended;
    const back = await TestClient.open(`${url}/?resume=${encodeURIComponent(token)}`);
    expect(back.id).toBe(b.id);
    await a.expectNothingPending();
    expect(signaling.status().rooms).toEqual({ r: [a.id, b.id] });
  });

  it('does not turn extensions on for a dialect chosen by subprotocol', async () => {
    const { url, signaling } = await startServer({ resumeGracePeriod: 600_000 });
    const a = await openJoined(url, 'r');
    const b = await openJoined(url, 'r', { protocols: 'signalroom.console.v1' });
    await a.next();
    expect(b.resumeToken).toBeUndefined();
    b.terminate();
    expect(await a.next()).toEqual({ type: 'peer-left', peerId: b.id });
    expect(signaling.peerCount).toBe(1);
  });
});
