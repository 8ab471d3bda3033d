import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Heartbeat, type HeartbeatTimers } from '../../src/transport/heartbeat.js';
import type { Session } from '../../src/transport/session.js';
import { serverClosed, sessionWorld } from '../helpers/session.js';

/** Heartbeat timers that fire only when the test says: `beat()` is the interval, `deadline()` the timeout. */
class ManualTimers implements HeartbeatTimers {
  readonly #beats: Array<{ ms: number; tick: () => void; live: boolean }> = [];
  readonly #deadlines: Array<{ ms: number; tick: () => void; live: boolean }> = [];

  every(ms: number, tick: () => void): () => void {
    const entry = { ms, tick, live: true };
    this.#beats.push(entry);
    return () => void (entry.live = false);
  }

  after(ms: number, tick: () => void): () => void {
    const entry = { ms, tick, live: true };
    this.#deadlines.push(entry);
    return () => void (entry.live = false);
  }

  /** The intervals and timeouts scheduled and not cancelled (nor run, for a timeout). */
  get live(): { beats: number[]; deadlines: number[] } {
    return {
      beats: this.#beats.filter((e) => e.live).map((e) => e.ms),
      deadlines: this.#deadlines.filter((e) => e.live).map((e) => e.ms),
    };
  }

  beat(): void {
    for (const entry of this.#beats.filter((e) => e.live)) entry.tick();
  }

  deadline(): void {
    for (const entry of this.#deadlines.filter((e) => e.live)) {
      entry.live = false;
      entry.tick();
    }
  }
}

const pong = (session: Session) => new Promise<void>((resolve) => session.socket.once('pong', () => resolve()));

describe('Heartbeat', () => {
  it('runs on one interval and one deadline for every session; interval 0 turns it off; stop cancels both', async () => {
    const timers = new ManualTimers();
    const heartbeat = new Heartbeat(new Set(), 1_000, 300, timers);
    heartbeat.start();
    heartbeat.start(); // once only
    expect(timers.live).toEqual({ beats: [1_000], deadlines: [] });
    timers.beat();
    expect(timers.live).toEqual({ beats: [1_000], deadlines: [300] });
    timers.beat(); // a new beat replaces the deadline still pending
    expect(timers.live).toEqual({ beats: [1_000], deadlines: [300] });
    heartbeat.stop();
    expect(timers.live).toEqual({ beats: [], deadlines: [] });
    heartbeat.start();
    expect(timers.live).toEqual({ beats: [1_000], deadlines: [] });
    heartbeat.stop();

    const off = new ManualTimers();
    new Heartbeat(new Set(), 0, 300, off).start();
    expect(off.live).toEqual({ beats: [], deadlines: [] });
  });

  it('keeps a session that answered the ping when the deadline comes', async () => {
    const world = await sessionWorld();
    const { session, client } = await world.open();
    const timers = new ManualTimers();
    new Heartbeat(new Set([session]), 1_000, 300, timers).start();
    const answered = pong(session);
    timers.beat();
    await answered;
    timers.deadline();
    expect(session.cutReason).toBeUndefined();
    await client.expectNothingPending();
  });

  it('cuts a session that sent nothing since the ping once the deadline comes, and its peer leaves its rooms', async () => {
    const world = await sessionWorld();
    const alive = await world.open();
    // autoPong off: this client never answers a ping, like a peer whose network vanished.
    const silent = await world.open({ ws: { autoPong: false } });
    for (const { session } of [alive, silent]) world.core.handle(session.peerId, { kind: 'join', room: 'r', mode: 'auto' });
    for (let i = 0; i < 2; i++) await alive.client.next(); // room-joined, room-peers
    expect(await alive.client.next()).toEqual({ type: 'peer-joined', peerId: silent.client.id });
    const timers = new ManualTimers();
    new Heartbeat(new Set([alive.session, silent.session]), 1_000, 300, timers).start();
    const pinged = new Promise((resolve) => silent.client.socket.once('ping', resolve));
    const answered = pong(alive.session);
    timers.beat();
    await Promise.all([pinged, answered]);
    // Until the deadline, silence is no reason.
    expect(silent.session.silentSincePing).toBe(true);
    expect(silent.session.cutReason).toBeUndefined();
    const closed = serverClosed(silent.session);
    timers.deadline();
    expect(silent.session.cutReason).toBe('heartbeat');
    expect(alive.session.cutReason).toBeUndefined();
    expect((await silent.client.closed).code).toBe(1006);
    await closed;
    expect(await alive.client.next()).toEqual({ type: 'peer-left', peerId: silent.client.id });
    expect(world.core.status()).toEqual({ totalClients: 1, clients: [alive.client.id], rooms: { r: [alive.client.id] } });
  });

  it('cuts a session still silent since the last ping at the next beat, even if no deadline ran', async () => {
    const world = await sessionWorld();
    const { session, client } = await world.open({ ws: { autoPong: false } });
    const timers = new ManualTimers();
    new Heartbeat(new Set([session]), 1_000, 300, timers).start();
    const pinged = new Promise((resolve) => client.socket.once('ping', resolve));
    timers.beat();
    await pinged;
    timers.beat();
    expect(session.cutReason).toBe('heartbeat');
    expect((await client.closed).code).toBe(1006);
  });

  it('counts any frame from the client as alive, not only a pong', async () => {
    const world = await sessionWorld();
    const { session, client } = await world.open({ ws: { autoPong: false } });
    const timers = new ManualTimers();
    new Heartbeat(new Set([session]), 1_000, 300, timers).start();
    const pinged = new Promise((resolve) => client.socket.once('ping', resolve));
    timers.beat();
    await pinged;
    await client.expectNothingPending(); // a frame, answered: the server has read it
    expect(session.silentSincePing).toBe(false);
    timers.deadline();
    expect(session.cutReason).toBeUndefined();
  });
});

/**
 * The byte counters of a TCP socket, set by the test: how much the client sent (`bytesRead`), how much was
 * written (`bytesWritten`) and how much of that still waits for the kernel (`writableLength`). A kernel that
 * takes nothing for a whole timeout cannot be arranged on a loopback socket; these numbers are all the check reads.
 * The frames the session writes go on to the real socket.
 */
class Counters {
  bytesRead = 0;
  bytesWritten = 0;
  writableLength = 0;
  constructor(private readonly socket: Socket) {}
  get writable(): boolean {
    return this.socket.writable;
  }
  write(chunk: Buffer): boolean {
    return this.socket.write(chunk);
  }
}

describe('Heartbeat: write progress', () => {
  async function counted() {
    const world = await sessionWorld();
    let counters: Counters | undefined;
    const pair = await world.open({
      stream: (socket) => (counters = new Counters(socket)) as unknown as Duplex,
    });
    const timers = new ManualTimers();
    new Heartbeat(new Set([pair.session]), 1_000, 300, timers).start();
    return { ...pair, counters: counters as Counters, timers };
  }

  it('cuts a client that keeps sending but has read nothing of what waited for it all along', async () => {
    const { session, client, counters, timers } = await counted();
    counters.bytesWritten = 900_000;
    counters.writableLength = 400_000; // the kernel took 500,000 and no more
    timers.beat();
    counters.bytesRead += 6; // a keepalive: it is alive
    expect(session.silentSincePing).toBe(false);
    expect(session.stalledSincePing).toBe(true);
    timers.deadline();
    expect(session.cutReason).toBe('write-stall');
    expect((await client.closed).code).toBe(1006);
  });

  it('keeps a client whose kernel took anything since the ping, or that has nothing waiting', async () => {
    const { session, counters, timers } = await counted();
    counters.bytesWritten = 900_000;
    counters.writableLength = 400_000;
    timers.beat();
    counters.bytesRead += 6;
    counters.writableLength -= 1; // one byte taken: it reads, however slowly
    timers.deadline();
    expect(session.cutReason).toBeUndefined();
    timers.beat();
    counters.bytesRead += 6;
    counters.writableLength = 0; // all taken
    timers.deadline();
    expect(session.cutReason).toBeUndefined();
  });
});
