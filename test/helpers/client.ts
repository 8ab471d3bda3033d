import { onTestFinished } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import { AsyncQueue } from './queue.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Frame = Record<string, any>;

/** A real `ws` client whose received frames are awaited through a queue. Closed automatically after the test. */
export class TestClient {
  readonly frames = new AsyncQueue<Frame>();
  readonly raw: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The id from the welcome frame, once {@link TestClient.open} resolves. */
  id = '';
  /** The latest private resume token the server sent (kept out of `frames`, so tests see the protocol rows). */
  resumeToken: string | undefined;
  readonly #tokenWaiters: Array<(token: string) => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const text = data.toString();
      const frame = JSON.parse(text) as Frame;
      const token = frame.type === 'resume-token' ? frame.token : frame.event === 'Resume_Token' ? frame.data?.token : undefined;
      if (typeof token === 'string') {
        this.resumeToken = token;
        for (const waiter of this.#tokenWaiters.splice(0)) waiter(token);
        return;
      }
      this.raw.push(text);
      this.frames.push(frame);
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.frames.fail(new Error(`socket closed (${code})`));
        resolve({ code, reason: reason.toString() });
      });
    });
    socket.on('error', () => {});
  }

  /** Opens a socket and waits for it to open; `welcome` also awaits the first frame and records the id. */
  static async open(
    url: string,
    options: { protocols?: string | string[]; welcome?: boolean; ws?: ClientOptions } = {},
  ): Promise<TestClient> {
    const socket = new WebSocket(url, options.protocols ?? [], options.ws);
    const client = new TestClient(socket);
    onTestFinished(() => client.terminate());
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      socket.once('error', reject);
    });
    if (options.welcome !== false) {
      const welcome = await client.next();
      client.id = (welcome.id ?? welcome.data?.id) as string;
    }
    return client;
  }

  /** Resolves with the resume token, once the server has sent it. */
  nextResumeToken(): Promise<string> {
    return this.resumeToken !== undefined ? Promise.resolve(this.resumeToken) : new Promise((resolve) => this.#tokenWaiters.push(resolve));
  }

  send(frame: Frame | string | Buffer): void {
    this.socket.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  next(): Promise<Frame> {
    return this.frames.next();
  }

  /**
   * The next frame here, or a failure naming what `other` received first: after `other` sent this client a
   * signal, an error answered to `other` (e.g. target-unavailable) shows up in the assertion instead of this
   * client waiting until the test's timeout. Only for moments when `other` expects nothing itself.
   */
  async nextUnless(other: TestClient): Promise<Frame> {
    const first = await Promise.race([
      this.next().then((frame) => ({ here: frame })),
      other.frames.peek().then((frame) => ({ there: frame })),
    ]);
    if ('there' in first) throw new Error(`expected a frame here, but the other client got ${JSON.stringify(first.there)} first`);
    return first.here;
  }

  /** The raw text of the most recently consumed-or-queued frame at `index` from the end of `raw`. */
  lastRaw(): string {
    return this.raw[this.raw.length - 1] as string;
  }

  /**
   * Proves nothing else was delivered: sends a probe the server answers with an error and expects that answer
   * to be the very next frame. Frames on one socket are handled in order, so anything sent to this client
   * before the probe would arrive first.
   */
  async expectNothingPending(): Promise<void> {
    this.send('probe: not json');
    const next = await this.next();
    if (!(next.type === 'error' && (next.message === 'invalid-message' || next.event === 'Invalid_Message'))) {
      throw new Error(`expected no pending frame, got ${JSON.stringify(next)}`);
    }
  }

  close(code?: number): Promise<{ code: number; reason: string }> {
    this.socket.close(code);
    return this.closed;
  }

  terminate(): void {
    this.socket.terminate();
  }
}

/** Attempts an upgrade that the server must refuse; resolves with the HTTP status it answered. */
export function refusedStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => {
      socket.terminate();
      reject(new Error('upgrade was accepted'));
    });
    socket.on('error', () => {});
  });
}

/** Opens a console client and joins `room`, consuming its room-joined and room-peers answers. */
export async function openJoined(url: string, room: string, options: { protocols?: string } = {}): Promise<TestClient> {
  const client = await TestClient.open(url, options);
  client.send({ type: 'join-room', room });
  await client.next();
  await client.next();
  return client;
}
