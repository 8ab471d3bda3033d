import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { onTestFinished } from 'vitest';
import { WebSocketServer, type ClientOptions } from 'ws';
import { coreInternals, SignalingCore } from '../../src/core/core.js';
import { createDialects } from '../../src/protocol/dialects.js';
import { resolveSignalingOptions, type ResolvedSignalingOptions, type SignalingOptions } from '../../src/server/options.js';
import { Session, type SessionHost } from '../../src/transport/session.js';
import { SessionSocket } from '../../src/transport/session-socket.js';
import { TestClient } from './client.js';
import { AsyncQueue } from './queue.js';

/** A clock that moves only when the test says so (whole milliseconds, like the budgets' own). */
export class ManualClock {
  ms = 1_000_000;
  readonly read = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A session on the server side of a real loopback socket, and the `ws` client at the other end. */
export interface SessionPair {
  readonly session: Session;
  readonly client: TestClient;
}

/**
 * Sessions of one core, each on a real WebSocket over 127.0.0.1, driven by a clock the test moves: what the
 * server's upgrade path does for a console client, without the server around it, so one module is under test.
 */
export interface SessionWorld {
  readonly core: SignalingCore;
  readonly options: ResolvedSignalingOptions;
  readonly clock: ManualClock;
  /** What the next join costs in join tokens (the server measures a room's membership notices; here it is set). */
  joinCost: number;
  /**
   * Connects a console client and registers its peer. `stream` replaces the TCP socket the session reads its
   * byte counters from (for write-progress checks whose kernel state a test cannot arrange).
   */
  open(options?: { ws?: ClientOptions; stream?: (socket: Socket) => Duplex }): Promise<SessionPair>;
}

export async function sessionWorld(given: SignalingOptions = {}): Promise<SessionWorld> {
  const options = resolveSignalingOptions(given);
  const core = new SignalingCore(options);
  const clock = new ManualClock();
  const dialect = createDialects({ maxDepth: options.maxDepth }).get('console');
  if (dialect === undefined) throw new Error('no console dialect');
  const internals = coreInternals(core);
  const leave = (session: Session) => {
    if (session.peerId !== '' && internals.isCurrent(session.peerId, session)) core.disconnect(session.peerId, session.cutReason ?? 'closed');
  };
  const world: SessionWorld = {
    core,
    options,
    clock,
    joinCost: 1,
    async open({ ws, stream } = {}) {
      pendingStream = stream;
      const [client, session] = await Promise.all([TestClient.open(url, { ws }), sessions.next()]);
      return { session, client };
    },
  };
  const host: SessionHost = {
    core,
    internals,
    options,
    clock: clock.read,
    sessionClosed: (session) => leave(session),
    sessionShed: (session) => leave(session),
    observeHandling: undefined,
    prepareJoin: () => world.joinCost,
  };
  const sessions = new AsyncQueue<Session>();
  let pendingStream: ((socket: Socket) => Duplex) | undefined;
  const server = http.createServer();
  const wss = new WebSocketServer({ server, clientTracking: false, perMessageDeflate: false, autoPong: false, WebSocket: SessionSocket });
  const open = new Set<Socket>();
  wss.on('connection', (ws, request) => {
    const socket = request.socket;
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    const session = new Session(ws as SessionSocket, pendingStream?.(socket) ?? socket, dialect, host);
    session.peerId = core.connect(session, { scope: 'room', switchRooms: true, dialect: 'console' });
    sessions.push(session);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  onTestFinished(async () => {
    for (const socket of open) socket.destroy();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return world;
}

/** Resolves once the server side of `session` has closed and its peer has been told to the core. */
export function serverClosed(session: Session): Promise<void> {
  return new Promise((resolve) => session.socket.once('close', () => resolve()));
}
