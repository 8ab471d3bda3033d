import http from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { WebSocket } from 'ws';
import { backoffDelay, Client, SignalingClient, SignalingClientError, type SignalingClientEvents } from '../../src/client/index.js';
import { attachSignaling } from '../../src/index.js';
import { AsyncQueue } from '../helpers/queue.js';
import { startServer } from '../helpers/server.js';

type EventName = keyof SignalingClientEvents;

/** A client on `ws` (Node 20 has no global WebSocket), closed after the test, with its events queued. */
function client(url: string, options: ConstructorParameters<typeof SignalingClient>[1] = {}) {
  const c = new SignalingClient(url, { WebSocket: WebSocket as never, ...options });
  onTestFinished(() => c.close());
  const queues = new Map<EventName, AsyncQueue<unknown>>();
  const next = <E extends EventName>(event: E): Promise<Parameters<SignalingClientEvents[E]>[0]> => {
    let queue = queues.get(event);
    if (queue === undefined) {
      queue = new AsyncQueue();
      queues.set(event, queue);
      const q = queue;
      c.on(event, ((payload: unknown) => q.push(payload)) as never);
    }
    return queue.next() as never;
  };
  return Object.assign(c, { next });
}

describe('SignalingClient', () => {
  it('connects, learns its id, joins, and always knows the room\'s peers', async () => {
    const { url } = await startServer();
    const a = client(url);
    const b = client(url);
    const aPeers = a.next('peers');
    expect(await a.connect()).toBe(a.id);
    expect(await a.join('r')).toEqual([]);
    expect(await aPeers).toEqual([]);
    await b.connect();
    const joined = a.next('peer-joined');
    expect(await b.join('r')).toEqual([a.id]);
    expect(await joined).toBe(b.id);
    expect(a.peers).toEqual([b.id]);
    const left = a.next('peer-left');
    b.leave();
    expect(await left).toBe(b.id);
    expect(a.peers).toEqual([]);
  });

  it('sends and receives offer, answer, candidate and app messages as typed events', async () => {
    const { url } = await startServer();
    const a = client(url, { room: 'call' });
    const b = client(url, { room: 'call' });
    await a.connect();
    await a.next('joined');
    await b.connect();
    await b.next('joined');
    const offer = b.next('offer');
    a.sendOffer(b.id as string, { type: 'offer', sdp: 'o' });
    expect(await offer).toEqual({ from: a.id, offer: { type: 'offer', sdp: 'o' } });
    const answer = a.next('answer');
    b.sendAnswer(a.id as string, { type: 'answer', sdp: 'a' });
    expect(await answer).toEqual({ from: b.id, answer: { type: 'answer', sdp: 'a' } });
    const candidate = b.next('candidate');
    a.sendCandidate(b.id as string, { candidate: 'c' });
    expect(await candidate).toEqual({ from: a.id, candidate: { candidate: 'c' } });
    const message = b.next('message');
    a.send('chat', { text: 'hi' });
    expect(await message).toMatchObject({ type: 'chat', from: a.id, data: { text: 'hi' } });
  });

  it('rejects a join the server refuses, with its code', async () => {
    const { url } = await startServer({ maxPeersPerRoom: 1 });
    const a = client(url, { room: 'one' });
    await a.connect();
    await a.next('joined');
    const b = client(url);
    await b.connect();
    await expect(b.join('one')).rejects.toMatchObject({ code: 'room-full' });
    await expect(b.join('')).rejects.toMatchObject({ code: 'invalid-room-name' });
  });

  it('reconnects with backoff after a drop, resumes its identity and rejoins its room', async () => {
    const { url, signaling } = await startServer({ resumeGracePeriod: 60_000 });
    const sockets: WebSocket[] = [];
    class TrackedWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols);
        sockets.push(this);
      }
    }
    const a = client(url, { room: 'r', reconnect: { initialDelay: 10, maxDelay: 50 }, WebSocket: TrackedWebSocket as never });
    const b = client(url, { room: 'r' });
    await a.connect();
    await a.next('joined');
    await b.connect();
    await b.next('joined');
    const id = a.id;
    const reconnecting = a.next('reconnecting');
    const reopened = a.next('open');
    const suspended = new Promise((resolve) => signaling.once('peer:suspend', resolve));
    // The network drops: no close frame either way.
    sockets.at(-1)?.terminate();
    await suspended;
    expect((await reconnecting).attempt).toBe(1);
    expect(await reopened).toEqual({ id, resumed: true });
    expect(await a.next('joined')).toEqual({ room: 'r', peers: [b.id] });
    expect(signaling.status().rooms).toEqual({ r: [id, b.id] });
    expect(signaling.connectionCount).toBe(2);
    expect(sockets).toHaveLength(2);
  });

  it('never holds two sockets: a forced reconnect closes the old socket before opening the next', async () => {
    const { url, signaling } = await startServer();
    const sockets: WebSocket[] = [];
    const overlaps: number[] = [];
    class TrackedWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols);
        overlaps.push(sockets.filter((s) => s.readyState === WebSocket.CONNECTING || s.readyState === WebSocket.OPEN).length);
        sockets.push(this);
      }
    }
    const a = client(url, { WebSocket: TrackedWebSocket as never });
    await a.connect();
    for (let i = 0; i < 3; i++) {
      const reopened = a.next('open');
      a.reconnect();
      expect(await reopened).toEqual({ id: a.id, resumed: true });
    }
    expect(sockets).toHaveLength(4);
    expect(overlaps).toEqual([0, 0, 0, 0]);
    expect(signaling.peerCount).toBe(1);
  });

  it('close() leaves no timer and no socket behind, and rejects pending calls', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const { url, signaling } = await startServer();
    const before = timers();
    const a = client(url, { room: 'r' });
    await a.connect();
    const pending = a.join('other');
    a.close();
    await expect(pending).rejects.toMatchObject({ code: 'closed' });
    expect(timers()).toBeLessThanOrEqual(before);
    const gone = new Promise((resolve) => signaling.once('peer:disconnect', resolve));
    await gone;
    expect(signaling.connectionCount).toBe(0);
  });

  it('supports the original client\'s usage: new Client(url, { room }), connect(), whenConnected(), joinRoom()', async () => {
    const { url, signaling } = await startServer();
    const original = new Client(url, { room: 'my-room', WebSocket: WebSocket as never });
    onTestFinished(() => original.close());
    const joined = new Promise((resolve) => original.on('joined', resolve));
    original.connect();
    await joined;
    const second = new Client(url, { WebSocket: WebSocket as never });
    onTestFinished(() => second.close());
    second.connect();
    const peers = await new Promise((resolve) => second.whenConnected(() => resolve(second.joinRoom('my-room'))));
    expect(peers).toEqual([original.id]);
    expect(signaling.status().rooms).toEqual({ 'my-room': [original.id, second.id] });
  });
});

describe('SignalingClient without surprises', () => {
  it('rejects join() after close() at once, with the code closed and a message in words', async () => {
    const { url } = await startServer();
    const a = client(url);
    await a.connect();
    a.close();
    const error = await a.join('r').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignalingClientError);
    expect(error).toMatchObject({ code: 'closed', message: 'closed: the client is closed (close() was called) (room "r")' });
  });

  it('reports a first connection that never opens as connect-failed, not connection-lost', async () => {
    const { url } = await startServer({ tokenSecret: 'right' });
    const a = client(`${url}/?token=wrong`, { reconnect: false });
    const failed = a.next('error');
    void a.connect().catch(() => {});
    const error = await failed;
    expect(error.code).toBe('connect-failed');
    expect(error.message).toMatch(/^connect-failed: could not open a connection to the signaling server \(url "ws:\/\/127\.0\.0\.1:\d+\/\?token=wrong", close code 1006/);
  });

  it('stops with a replaced error, and does not reconnect, when its id connects again elsewhere (another tab)', async () => {
    const { url } = await startServer({ authenticate: () => ({ id: 'alice' }) });
    const first = client(url);
    await first.connect();
    const replaced = first.next('error');
    const closed = first.next('close');
    const second = client(url);
    await second.connect();
    expect(await replaced).toMatchObject({ code: 'replaced', details: { code: 4001, reason: 'replaced' } });
    await closed;
    expect(second.id).toBe('alice');
    second.send('chat', 'still connected');
  });

  it('still reports a drop of an open connection as connection-lost', async () => {
    const { url, signaling } = await startServer();
    const a = client(url, { reconnect: false });
    await a.connect();
    const lost = a.next('error');
    signaling.disconnect(a.id as string, { code: 4002, reason: 'bye' });
    expect(await lost).toMatchObject({ code: 'connection-lost', details: { code: 4002, reason: 'bye' } });
  });

  it('puts the server\'s context into the message: room-full names the room', async () => {
    const { url } = await startServer({ maxPeersPerRoom: 1 });
    const a = client(url, { room: 'tiny' });
    await a.connect();
    await a.next('joined');
    const b = client(url);
    await b.connect();
    const error = (await b.join('tiny').catch((e: unknown) => e)) as SignalingClientError;
    expect(error.message).toMatch(/^room-full: the room is full \(room "tiny"/);
  });

  it('stops connecting when connect()\'s signal aborts, with the signal\'s reason', async () => {
    const { url, signaling } = await startServer({ authenticate: () => new Promise(() => {}) });
    const a = client(url);
    const controller = new AbortController();
    const pending = a.connect({ signal: controller.signal });
    controller.abort(new Error('user gave up'));
    await expect(pending).rejects.toThrow('user gave up');
    expect(a.connected).toBe(false);
    expect(signaling.peerCount).toBe(0);
    await expect(a.connect({ signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
  });

  it('stops waiting for a join when its signal aborts', async () => {
    const { url } = await startServer({ authorizeJoin: () => new Promise<boolean>(() => {}) });
    const a = client(url);
    await a.connect();
    const controller = new AbortController();
    const pending = a.join('slow', { signal: controller.signal });
    controller.abort(new Error('not waiting'));
    await expect(pending).rejects.toThrow('not waiting');
  });

  it('closes with await using, on the client and on the server handle', async () => {
    const { url, signaling } = await startServer();
    const gone = new Promise((resolve) => signaling.once('peer:disconnect', resolve));
    {
      await using a = client(url);
      await a.connect();
      expect(signaling.peerCount).toBe(1);
    }
    await gone;
    const attached = attachSignaling(http.createServer(), { path: '/s' });
    await (async () => {
      await using scoped = attached;
      expect(scoped.closed).toBe(false);
    })();
    expect(attached.closed).toBe(true);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially up to maxDelay, with jitter taken off the top', () => {
    const options = { initialDelay: 100, maxDelay: 1000, factor: 2, jitter: 0.5, maxAttempts: Infinity };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, options, () => 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(3, options, () => 1)).toBe(200);
  });
});

