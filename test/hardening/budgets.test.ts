import type { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openJoined, TestClient } from '../helpers/client.js';
import { startServer } from '../helpers/server.js';

const CONNECTOR = 'signalroom.connector.v1';
const tcp = (client: TestClient) => (client.socket as unknown as { _socket: Socket })._socket;

afterEach(() => void vi.restoreAllMocks());

/** Makes a client read at most `bytesPerSecond`, in 10 ms slices, like a slow link. Returns the stop function. */
function readAt(client: TestClient, bytesPerSecond: number): () => void {
  const socket = tcp(client);
  const slice = bytesPerSecond / 100;
  let allowance = 0;
  socket.pause();
  socket.on('data', (chunk: Buffer) => {
    allowance -= chunk.length;
    if (allowance <= 0) socket.pause();
  });
  const timer = setInterval(() => {
    allowance = Math.min(allowance + slice, slice);
    if (allowance > 0) socket.resume();
  }, 10);
  return () => {
    clearInterval(timer);
    socket.resume();
  };
}

/** A clock the token buckets read (`performance.now`), moved only by the test, so budgets are exact. */
function fakeClock(): { advance: (ms: number) => void } {
  let now = performance.now();
  vi.spyOn(performance, 'now').mockImplementation(() => now);
  return { advance: (ms) => void (now += ms) };
}

describe('relay byte budget: a sender pays what its frames cost its room', () => {
  it('with the defaults, a member reading at 1 MB/s is never cut by one member at its limits', async () => {
    const { url, signaling } = await startServer();
    const attacker = await openJoined(url, 'r');
    const honest = await openJoined(url, 'r');
    const reader = await openJoined(url, 'r');
    const cut: string[] = [];
    signaling.on('peer:disconnect', ({ peer, reason }) => peer.id !== attacker.id && cut.push(`${peer.id}: ${reason}`));
    const stop = readAt(reader, 1_000_000);
    // The attacker's limits: 64 KiB frames, its whole burst of 200 at once, then 50/s for two seconds.
    const frame = JSON.stringify({ type: 'flood', pad: 'x'.repeat(65_000) });
    for (let i = 0; i < 200; i++) attacker.send(frame);
    for (let second = 0; second < 2 && attacker.socket.readyState === attacker.socket.OPEN; second++) {
      for (let i = 0; i < 50; i++) attacker.send(frame);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    honest.send({ type: 'probe', to: reader.id });
    let frameForReader = await reader.next();
    while (frameForReader.type !== 'probe') frameForReader = await reader.next();
    stop();
    expect(cut).toEqual([]);
    expect(reader.socket.readyState).toBe(reader.socket.OPEN);
    // The attacker was refused (rate-limit) and, refusing on, cut with 1008; nobody else was.
    expect(attacker.frames.pending.some((f) => f.message === 'rate-limit')).toBe(true);
  }, 20_000);

  it('refuses a frame once the budget is spent, charging a broadcast once per recipient (relayByteBurst at its bound)', async () => {
    fakeClock();
    const { url } = await startServer({ relayByteBurst: 10_000, relayByteRate: 1 });
    const sender = await openJoined(url, 'r');
    const others = [await openJoined(url, 'r'), await openJoined(url, 'r')];
    await sender.next();
    await sender.next();
    await others[0]?.next();
    const blob = (size: number) => JSON.stringify({ type: 'b', pad: 'x'.repeat(size - 21) });
    expect(blob(4000)).toHaveLength(4000);
    // 4,000 bytes to two members cost 8,000: let through (budget 10,000 → 2,000).
    sender.send(blob(4000));
    for (const other of others) expect((await other.next()).type).toBe('b');
    // Still positive: let through, into debt (2,000 − 8,000).
    sender.send(blob(4000));
    for (const other of others) expect((await other.next()).type).toBe('b');
    sender.send(blob(100));
    expect(await sender.next()).toEqual({ type: 'error', message: 'rate-limit' });
    for (const other of others) await other.expectNothingPending();
  });

  it('rejects a relayByteRate that is not a positive number', async () => {
    await expect(startServer({ relayByteRate: 0 })).rejects.toThrow(new TypeError('options.relayByteRate must be a number > 0, got 0'));
  });
});

describe('membership notices: a connector room amplifies no more than a console room', () => {
  /** Bytes `observer` receives while `cycle` is attempted every 100 ms of the fake clock for `seconds`. */
  async function observedBytes(observer: TestClient, seconds: number, cycle: () => Promise<boolean>, clock: { advance: (ms: number) => void }) {
    await observer.expectNothingPending();
    const before = observer.raw.length;
    for (let step = 0; step < seconds * 10; step++) {
      for (let attempt = 0; attempt < 20 && (await cycle()); attempt++);
      clock.advance(100);
    }
    // Everything sent before this probe's answer has arrived once the answer has.
    observer.send('probe: not json');
    let frame = await observer.next();
    while (!(frame.message === 'invalid-message' || frame.event === 'Invalid_Message')) frame = await observer.next();
    return observer.raw.slice(before, -1).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  }

  it('a peer cycling join and leave at its allowed rate makes each member of a 50-peer room receive no more than a console peer would', async () => {
    const { url } = await startServer();
    // Console: 48 members and an observer; the attacker joins and leaves with leave-room (joins cost a token, leaves nothing).
    const consoleObserver = await openJoined(url, 'big');
    for (let i = 0; i < 48; i++) await openJoined(url, 'big');
    for (let i = 0; i < 48; i++) expect((await consoleObserver.next()).type).toBe('peer-joined');
    const consoleAttacker = await TestClient.open(url);
    // Connector: the same room size.
    const connectorObserver = await TestClient.open(url, { protocols: CONNECTOR });
    connectorObserver.send({ event: 'Create_Room', data: { room: 'wide' } });
    await connectorObserver.next();
    for (let i = 0; i < 48; i++) {
      const member = await TestClient.open(url, { protocols: CONNECTOR });
      member.send({ event: 'Join_Room', data: { room: 'wide' } });
      await member.next();
    }
    for (let i = 0; i < 48; i++) expect((await connectorObserver.next()).event).toBe('Client_Added');
    const connectorAttacker = await TestClient.open(url, { protocols: CONNECTOR });
    const clock = fakeClock();

    const consoleBytes = await observedBytes(consoleObserver, 30, async () => {
      consoleAttacker.send({ type: 'join-room', room: 'big' });
      if ((await consoleAttacker.next()).type !== 'room-joined') return false;
      await consoleAttacker.next();
      consoleAttacker.send({ type: 'leave-room' });
      await consoleAttacker.next();
      return true;
    }, clock);
    const connectorBytes = await observedBytes(connectorObserver, 30, async () => {
      connectorAttacker.send({ event: 'Join_Room', data: { room: 'wide' } });
      if ((await connectorAttacker.next()).event !== 'Client_Added') return false;
      connectorAttacker.send({ event: 'Leave_Room', data: { room: 'wide' } });
      await connectorAttacker.next();
      return true;
    }, clock);
    // 30 s of cycling: the console member got about 160 cycles' notices; the connector member as many bytes.
    expect(consoleBytes).toBeGreaterThan(15_000);
    expect(connectorBytes).toBeLessThanOrEqual(consoleBytes * 1.25);
  }, 60_000);
});

describe('the sustained-abuse cut binds', () => {
  it('closes with 1008 a sender pacing itself at 30x the message rate, whose strikes used to reset', async () => {
    const clock = fakeClock();
    const { url, signaling } = await startServer();
    const abuser = await TestClient.open(url);
    const reason = new Promise<string>((resolve) => signaling.on('peer:disconnect', ({ reason }) => resolve(reason)));
    // Burn the burst first (200 messages), then each 20 ms (one token at 50/s) send 30.
    for (let i = 0; i < 200; i++) abuser.send({ type: 'chat' });
    for (let i = 0; i < 200; i++) await abuser.next();
    let batches = 0;
    while (abuser.socket.readyState === abuser.socket.OPEN && batches < 50) {
      clock.advance(20);
      for (let i = 0; i < 30; i++) abuser.send({ type: 'chat' });
      batches++;
      await abuser.next().catch(() => undefined);
      while (abuser.frames.pending.length > 0) await abuser.next();
    }
    expect((await abuser.closed).code).toBe(1008);
    expect(await reason).toBe('rate-limit');
    // Each batch: one let through, 29 refused, so strikes grow by 28: the 100th comes within the fourth batch.
    expect(batches).toBe(4);
  });
});
