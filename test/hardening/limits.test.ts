import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { openJoined, TestClient } from '../helpers/client.js';
import { getJson, startServer } from '../helpers/server.js';

const joined = openJoined;

/** Two peers in `calm` that must keep signalling whatever the others do. */
async function bystanders(url: string) {
  const a = await joined(url, 'calm');
  const b = await joined(url, 'calm');
  await a.next();
  return async () => {
    a.send({ type: 'offer', to: b.id, offer: { sdp: 'still here' } });
    expect(await b.next()).toMatchObject({ type: 'offer', from: a.id });
  };
}

// A rate this slow never refills within a test: the burst is all there is.
const NO_REFILL = 0.000001;

describe('message rate limit (token bucket)', () => {
  it('handles messageBurst messages, answers the next with rate-limit, and keeps the connection', async () => {
    const { url } = await startServer({ messageRate: NO_REFILL, messageBurst: 5, maxRateLimitStrikes: 10 });
    const client = await TestClient.open(url);
    for (let i = 0; i < 5; i++) client.send({ type: 'chat' });
    for (let i = 0; i < 5; i++) expect(await client.next()).toMatchObject({ message: 'not-in-room' });
    client.send({ type: 'chat' });
    expect(await client.next()).toEqual({ type: 'error', message: 'rate-limit' });
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('closes a connection with 1008 after maxRateLimitStrikes refused messages in a row; others are unaffected', async () => {
    const { url, signaling } = await startServer({ messageRate: NO_REFILL, messageBurst: 200, maxRateLimitStrikes: 3 });
    const stillSignalling = await bystanders(url);
    const abuser = await TestClient.open(url);
    const gone = new Promise<string>((resolve) =>
      signaling.on('peer:disconnect', ({ peer, reason }) => peer.id === abuser.id && resolve(reason)),
    );
    for (let i = 0; i < 200 + 3; i++) abuser.send({ type: 'chat' });
    expect((await abuser.closed).code).toBe(1008);
    const refused = abuser.frames.pending.filter((f) => f.message === 'rate-limit');
    expect(refused).toHaveLength(2);
    expect(await gone).toBe('rate-limit');
    await stillSignalling();
  });

  it('answers joins over joinBurst with rate-limit', async () => {
    const { url } = await startServer({ joinRate: NO_REFILL, joinBurst: 2 });
    const client = await TestClient.open(url);
    client.send({ type: 'join-room', room: 'a' });
    expect((await client.next()).type).toBe('room-joined');
    expect((await client.next()).type).toBe('room-peers');
    client.send({ type: 'join-room', room: 'b' });
    expect(await client.next()).toEqual({ type: 'room-left', room: 'a' });
    expect((await client.next()).type).toBe('room-joined');
    expect((await client.next()).type).toBe('room-peers');
    client.send({ type: 'join-room', room: 'c' });
    expect(await client.next()).toMatchObject({ message: 'rate-limit' });
    // Other messages still have their own budget.
    client.send({ type: 'chat' });
    await client.expectNothingPending();
  });
});

describe('connection and room caps', () => {
  it('accepts maxConnections connections and closes the next with 1013 server-overloaded, creating no peer', async () => {
    const { url, httpUrl } = await startServer({ maxConnections: 2 });
    const a = await TestClient.open(url);
    const b = await TestClient.open(url);
    const c = await TestClient.open(url, { welcome: false });
    expect(await c.closed).toEqual({ code: 1013, reason: 'server-overloaded' });
    expect(await getJson(`${httpUrl}/status`)).toMatchObject({ totalClients: 2, clients: [a.id, b.id] });
    await a.close();
    const d = await TestClient.open(url);
    expect(d.id).toBeTruthy();
  });

  it('lets a connector peer into maxRoomsPerPeer rooms and answers the next join Too_Many_Rooms', async () => {
    const { url } = await startServer({ maxRoomsPerPeer: 2, dialect: 'connector' });
    const client = await TestClient.open(url);
    for (const room of ['a', 'b']) {
      client.send({ event: 'Create_Room', data: { room } });
      expect((await client.next()).event).toBe('Room_Created');
    }
    client.send({ event: 'Create_Room', data: { room: 'c' } });
    expect(await client.next()).toMatchObject({ event: 'Too_Many_Rooms', data: { message: 'A client may be in at most 2 rooms.' } });
  });
});

describe('slow consumers', () => {
  it('cuts a client that pings without reading its pongs once they pile up over maxBufferedBytes', async () => {
    const { url, signaling } = await startServer({ maxBufferedBytes: 64 * 1024, messageRate: 1_000_000, messageBurst: 1_000_000 });
    const pinger = await joined(url, 'r');
    const left = new Promise<string>((resolve) => signaling.on('peer:disconnect', ({ peer, reason }) => peer.id === pinger.id && resolve(reason)));
    let cut = false;
    void left.then(() => (cut = true));
    // It stops reading: the kernel buffers fill with pongs, then the server's.
    (pinger.socket as unknown as { _socket: import('node:net').Socket })._socket.pause();
    const payload = 'p'.repeat(125);
    for (let i = 0; i < 200_000 && !cut; i++) {
      pinger.socket.ping(payload);
      if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await left).toBe('slow-consumer');
  });

  it('cuts a paused receiver over maxBufferedBytes and frees it; its senders continue', async () => {
    const { url, signaling } = await startServer({
      maxBufferedBytes: 256 * 1024,
      messageBurst: 100_000,
      relayByteBurst: 1_000_000_000,
      resumeGracePeriod: 0,
    });
    const stillSignalling = await bystanders(url);
    const sender = await joined(url, 'r');
    const receiver = await joined(url, 'r');
    expect(await sender.next()).toEqual({ type: 'peer-joined', peerId: receiver.id });
    const left = new Promise<string>((resolve) =>
      signaling.on('peer:disconnect', ({ peer, reason }) => peer.id === receiver.id && resolve(reason)),
    );
    // The receiver stops reading: the kernel buffers fill, then the server's.
    (receiver.socket as unknown as { _socket: import('node:net').Socket })._socket.pause();
    const blob = 'x'.repeat(60_000);
    let cut = false;
    void left.then(() => (cut = true));
    for (let i = 0; i < 2_000 && !cut; i++) {
      sender.send({ type: 'chat', to: receiver.id, blob });
      if (i % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await left).toBe('slow-consumer');
    // Reading again, the receiver gets what was queued, then a close that says why.
    (receiver.socket as unknown as { _socket: import('node:net').Socket })._socket.resume();
    expect(await receiver.closed).toEqual({ code: 1013, reason: 'slow-consumer' });
    // The sender is told the receiver left, and signals on.
    let frame = await sender.next();
    while (frame.type !== 'peer-left') frame = await sender.next();
    expect(frame).toEqual({ type: 'peer-left', peerId: receiver.id });
    sender.send({ type: 'chat', to: receiver.id });
    expect(await sender.next()).toMatchObject({ message: 'target-unavailable-or-different-room' });
    await stillSignalling();
    expect(signaling.connectionCount).toBe(3);
  });
});

describe('heartbeat', () => {
  it('removes a peer that never answers pings (peer-left to its room) and keeps one that does', async () => {
    const { url, signaling } = await startServer({ heartbeatInterval: 40, heartbeatTimeout: 40, resumeGracePeriod: 0 });
    const alive = await joined(url, 'r');
    const silent = await TestClient.open(url, { ws: { autoPong: false } });
    silent.send({ type: 'join-room', room: 'r' });
    await silent.next();
    await silent.next();
    expect(await alive.next()).toEqual({ type: 'peer-joined', peerId: silent.id });
    const reason = new Promise<string>((resolve) =>
      signaling.on('peer:disconnect', ({ peer, reason }) => peer.id === silent.id && resolve(reason)),
    );
    expect(await alive.next()).toEqual({ type: 'peer-left', peerId: silent.id });
    expect(await reason).toBe('heartbeat');
    // The answering peer has been pinged several times and is still here.
    let pings = 0;
    await new Promise<void>((resolve) => alive.socket.on('ping', () => ++pings === 3 && resolve()));
    expect(signaling.peer(alive.id)?.rooms).toEqual(['r']);
  });

  it('cuts no one with heartbeatInterval 0, while a server with a heartbeat does', async () => {
    const withHeartbeat = await startServer({ heartbeatInterval: 30, heartbeatTimeout: 30, resumeGracePeriod: 0 });
    const without = await startServer({ heartbeatInterval: 0, resumeGracePeriod: 0 });
    const silentThere = await TestClient.open(withHeartbeat.url, { ws: { autoPong: false } });
    const silentHere = await TestClient.open(without.url, { ws: { autoPong: false } });
    // By the time the heartbeat has cut the first silent client, the second has been silent as long.
    expect((await silentThere.closed).code).toBe(1006);
    expect(without.signaling.peer(silentHere.id)).toBeDefined();
    await silentHere.expectNothingPending();
  });
});

describe('option validation', () => {
  it.each([
    [{ maxConnections: 0 }, 'options.maxConnections must be an integer >= 1, got 0'],
    [{ messageRate: 0 }, 'options.messageRate must be a number > 0, got 0'],
    [{ messageBurst: 0.5 }, 'options.messageBurst must be an integer >= 1, got 0.5'],
    [{ heartbeatInterval: -1 }, 'options.heartbeatInterval must be an integer >= 0, got -1'],
    [{ allowedOrigins: 'https://a' }, 'options.allowedOrigins must be an array of origins or a function'],
    [{ authenticate: 'yes' }, 'options.authenticate must be a function, got "yes" (string)'],
    [{ resume: 'yes' }, 'options.resume must be a boolean, got "yes" (string)'],
    [
      { clusterHeartbeatInterval: 5000, clusterNodeTimeout: 5000 },
      'options.clusterNodeTimeout must be longer than options.clusterHeartbeatInterval (5000), got 5000',
    ],
  ])('rejects %j', async (options, message) => {
    await expect(startServer(options as never)).rejects.toThrow(new TypeError(message));
  });
});
