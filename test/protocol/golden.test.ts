import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { WebSocket } from 'ws';
import { AsyncQueue } from '../helpers/queue.js';
import { startServer, type RunningServer } from '../helpers/server.js';

/**
 * Golden sessions: one scripted session per dialect (connect, joins, relays, errors, leave, end, disconnect), on a
 * plain connection (an original client) and on one that asks for extensions. Every frame each client receives is
 * fixed, byte for byte, in test/fixtures/golden/<dialect>-<plain|extensions>.json; only what is random is
 * replaced (ids by the client's name, timestamps, message_ids, tokens, TURN credentials), after its shape is
 * checked. `UPDATE_GOLDEN=1 npx vitest run test/protocol/golden.test.ts` rewrites the fixtures: review the diff.
 */

type Dialect = 'console' | 'connector';
type Transcript = Array<{ step: string; frames: Record<string, string[]> }>;

const TURN = { secret: 'golden', urls: ['turn:turn.example.com:3478'], ttl: 3600 };
const UUID_V4 = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const SHORT_UUID = '[23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz]{22}';
/** Go's RFC3339Nano in UTC, at the millisecond: the fraction has no trailing zero. */
const TIMESTAMP = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{0,2}[1-9])?Z';

/** A raw client: every text frame it receives, in order, exactly as sent. */
class Wire {
  readonly frames = new AsyncQueue<string>();
  #probes = 0;

  private constructor(
    readonly socket: WebSocket,
    readonly dialect: Dialect,
  ) {
    socket.on('message', (data: Buffer) => this.frames.push(data.toString()));
    socket.on('close', () => this.frames.fail(new Error('closed')));
    socket.on('error', () => {});
  }

  static async open(url: string, dialect: Dialect): Promise<Wire> {
    const wire = new Wire(new WebSocket(url), dialect);
    onTestFinished(() => wire.socket.terminate());
    await new Promise((resolve, reject) => wire.socket.once('open', resolve).once('error', reject));
    return wire;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /**
   * Everything received before the answer to a probe: a unicast to an id nobody has, answered with an error
   * naming it. Frames on one socket are handled in order, so whatever was sent to this client before the probe
   * was handled comes first.
   */
  async settle(): Promise<string[]> {
    const marker = `probe-${++this.#probes}`;
    this.send(this.dialect === 'console' ? { type: 'probe', to: marker } : { event: 'Message', to: marker, data: null });
    const received: string[] = [];
    for (;;) {
      const text = await this.frames.next();
      if (text.includes(marker)) return received;
      received.push(text);
    }
  }
}

interface Session {
  readonly server: RunningServer;
  readonly url: string;
  readonly dialect: Dialect;
  readonly clients: Map<string, Wire>;
  /** Literal text → placeholder, for ids and generated room ids. */
  readonly names: Map<string, string>;
}

interface Step {
  readonly step: string;
  /** Whose frames settle first: the client whose action this is (its frame was handled before anyone's probe). */
  readonly actor?: string;
  act(session: Session): Promise<void> | void;
}

const send = (name: string, frame: unknown): ((s: Session) => void) => (s) => s.clients.get(name)?.send(frame);

function connect(name: string): Step {
  return {
    step: `${name} connects`,
    actor: name,
    act: async (s) => {
      s.clients.set(name, await Wire.open(s.url, s.dialect));
    },
  };
}

/** The client closes its socket with `code`; the step is over once the server has removed the peer. */
function disconnect(name: string, code: number, id: () => string): Step {
  return {
    step: `${name} closes its socket (${code})`,
    act: async (s) => {
      const gone = new Promise<void>((resolve) => {
        const listener = ({ peer }: { peer: { id: string } }) => {
          if (peer.id !== id()) return;
          s.server.signaling.off('peer:disconnect', listener);
          resolve();
        };
        s.server.signaling.on('peer:disconnect', listener);
      });
      s.clients.get(name)?.socket.close(code);
      s.clients.delete(name);
      await gone;
    },
  };
}

const idOf = (s: Session, name: string): string => [...s.names].find(([, placeholder]) => placeholder === `<${name}>`)?.[0] ?? '';

function consoleScript(s: Session): Step[] {
  const to = (name: string) => idOf(s, name);
  return [
    connect('A'),
    connect('B'),
    { step: 'A joins r', actor: 'A', act: send('A', { type: 'join-room', room: 'r' }) },
    { step: 'B joins r', actor: 'B', act: send('B', { type: 'join-room', room: 'r' }) },
    { step: 'A sends an offer to B', actor: 'A', act: (x) => send('A', { type: 'offer', to: to('B'), offer: { type: 'offer', sdp: 'v=0 a' } })(x) },
    { step: 'B answers A', actor: 'B', act: (x) => send('B', { type: 'answer', to: to('A'), answer: { type: 'answer', sdp: 'v=0 b' } })(x) },
    { step: 'A sends B a candidate', actor: 'A', act: (x) => send('A', { type: 'ice-candidate', to: to('B'), candidate: { candidate: 'c', sdpMid: '0' } })(x) },
    { step: 'A broadcasts (no to)', actor: 'A', act: send('A', { type: 'chat', text: 'hello <all> & you' }) },
    { step: 'A broadcasts (to: null)', actor: 'A', act: send('A', { type: 'chat', to: null, text: 'null is everyone' }) },
    { step: 'B spoofs from', actor: 'B', act: send('B', { type: 'chat', from: 'someone else', text: 'who am I' }) },
    { step: 'A signals an unknown id', actor: 'A', act: send('A', { type: 'offer', to: 'nobody', offer: {} }) },
    { step: 'A signals an empty id', actor: 'A', act: send('A', { type: 'offer', to: '', offer: {} }) },
    { step: 'A sends text that is not JSON', actor: 'A', act: send('A', 'hello?') },
    { step: 'A sends a server-reserved type', actor: 'A', act: send('A', { type: 'peer-left', peerId: 'x' }) },
    { step: 'A joins a room without a name', actor: 'A', act: send('A', { type: 'join-room' }) },
    { step: 'A joins r again', actor: 'A', act: send('A', { type: 'join-room', room: 'r' }) },
    connect('C'),
    { step: 'C signals before joining', actor: 'C', act: send('C', { type: 'chat', text: 'anyone?' }) },
    { step: 'C joins r', actor: 'C', act: send('C', { type: 'join-room', room: 'r' }) },
    { step: 'C leaves', actor: 'C', act: send('C', { type: 'leave-room' }) },
    { step: 'C leaves again', actor: 'C', act: send('C', { type: 'leave-room' }) },
    { step: 'B moves to r2', actor: 'B', act: send('B', { type: 'join-room', room: 'r2' }) },
    { step: 'server code ends r2', act: (x) => void x.server.signaling.endRoom('r2') },
    { step: 'B joins r', actor: 'B', act: send('B', { type: 'join-room', room: 'r' }) },
    disconnect('B', 1001, () => to('B')),
    disconnect('C', 1000, () => to('C')),
  ];
}

function connectorScript(s: Session): Step[] {
  const to = (name: string) => idOf(s, name);
  return [
    connect('A'),
    connect('B'),
    { step: 'A creates r', actor: 'A', act: send('A', { event: 'Create_Room', data: { room: 'r', name: 'Room R' } }) },
    { step: 'A creates a room without an id', actor: 'A', act: send('A', { event: 'Create_Room', data: { room: 7 } }) },
    { step: 'B joins r', actor: 'B', act: send('B', { event: 'Join_Room', data: { room: 'r' } }) },
    { step: 'B joins r again', actor: 'B', act: send('B', { event: 'Join_Room', data: { room: 'r' } }) },
    { step: 'A connects to B', actor: 'A', act: (x) => send('A', { event: 'Connect', to: to('B'), data: { sdp: 'v=0 a', candidate: 'c0' } })(x) },
    { step: 'A sends an Offer to B', actor: 'A', act: (x) => send('A', { event: 'Offer', to: to('B'), data: { type: 'offer', sdp: 'v=0 a' } })(x) },
    { step: 'B answers A', actor: 'B', act: (x) => send('B', { to: to('A'), event: 'Answer', data: { type: 'answer', sdp: 'v=0 b' } })(x) },
    { step: 'A sends B a Candidate', actor: 'A', act: (x) => send('A', { event: 'Candidate', to: to('B'), data: { sdpMid: '0', candidate: 'c' } })(x) },
    { step: 'A sends B a Message', actor: 'A', act: (x) => send('A', { event: 'Message', to: to('B'), data: 'hi <B> & co', extra: 1 })(x) },
    { step: 'A sends an Offer to an unknown id', actor: 'A', act: send('A', { event: 'Offer', to: 'nobody', data: {} }) },
    { step: 'A connects to an unknown id without data', actor: 'A', act: send('A', { event: 'Connect', to: 'nobody' }) },
    { step: 'A connects to B without data.sdp', actor: 'A', act: (x) => send('A', { event: 'Connect', to: to('B'), data: {} })(x) },
    { step: 'A sends a Message without to', actor: 'A', act: send('A', { event: 'Message', data: 'x' }) },
    { step: 'A joins a room that does not exist', actor: 'A', act: send('A', { event: 'Join_Room', data: { room: 'nope' } }) },
    { step: 'A joins without a room', actor: 'A', act: send('A', { event: 'Join_Room', data: {} }) },
    { step: 'A joins without data', actor: 'A', act: send('A', { event: 'Join_Room' }) },
    { step: 'A creates r again', actor: 'A', act: send('A', { event: 'Create_Room', data: { room: 'r' } }) },
    { step: 'A sends an unknown event', actor: 'A', act: send('A', { event: 'Dance' }) },
    { step: 'A sends text that is not JSON', actor: 'A', act: send('A', 'hello?') },
    { step: 'B ends r (not its creator)', actor: 'B', act: send('B', { event: 'End_Room', data: { room: 'r' } }) },
    connect('C'),
    { step: 'C joins r', actor: 'C', act: send('C', { event: 'Join_Room', data: { room: 'r' } }) },
    { step: 'C leaves r', actor: 'C', act: send('C', { event: 'Leave_Room', data: { room: 'r' } }) },
    { step: 'C leaves r again', actor: 'C', act: send('C', { event: 'Leave_Room', data: { room: 'r' } }) },
    { step: 'A ends its generated room', actor: 'A', act: (x) => send('A', { event: 'End_Room', data: { room: idOf(x, 'room1') } })(x) },
    { step: 'A (the creator) leaves r', actor: 'A', act: send('A', { event: 'Leave_Room', data: { room: 'r' } }) },
    { step: 'B ends r (still not its creator)', actor: 'B', act: send('B', { event: 'End_Room', data: { room: 'r' } }) },
    { step: 'A ends r from outside', actor: 'A', act: send('A', { event: 'End_Room', data: { room: 'r' } }) },
    { step: 'B creates r2', actor: 'B', act: send('B', { event: 'Create_Room', data: { room: 'r2' } }) },
    { step: 'A joins r2', actor: 'A', act: send('A', { event: 'Join_Room', data: { room: 'r2' } }) },
    { step: 'C joins r2', actor: 'C', act: send('C', { event: 'Join_Room', data: { room: 'r2' } }) },
    disconnect('A', 1001, () => to('A')),
    disconnect('C', 1000, () => to('C')),
  ];
}

/** Runs a script; after each step, settles the actor first, then every other open client, in name order. */
async function record(dialect: Dialect, extensions: boolean): Promise<Transcript> {
  const server = await startServer({ dialect, turn: TURN, resumeGracePeriod: 20 });
  const session: Session = {
    server,
    url: extensions ? `${server.url}/?extensions=1` : server.url,
    dialect,
    clients: new Map(),
    names: new Map(),
  };
  const transcript: Transcript = [];
  const script = dialect === 'console' ? consoleScript(session) : connectorScript(session);
  for (const { step, actor, act } of script) {
    await act(session);
    const names = [...session.clients.keys()].sort((x, y) => (x === actor ? -1 : y === actor ? 1 : x.localeCompare(y)));
    const frames: Record<string, string[]> = {};
    for (const name of names) {
      const received = await (session.clients.get(name) as Wire).settle();
      if (received.length > 0) frames[name] = received;
    }
    learnNames(session, step, frames);
    transcript.push({ step, frames });
  }
  return normalise(session, transcript);
}

/** The ids a step revealed: a client's own id from its first frame, a generated room id from Room_Created. */
function learnNames(session: Session, step: string, frames: Record<string, string[]>): void {
  for (const [name, received] of Object.entries(frames)) {
    const first = JSON.parse(received[0] as string);
    if (step === `${name} connects`) session.names.set(first.id ?? first.data.id, `<${name}>`);
    if (step.endsWith('without an id')) session.names.set(first.data.room, '<room1>');
  }
}

function normalise(session: Session, transcript: Transcript): Transcript {
  const idShape = new RegExp(`^${session.dialect === 'console' ? UUID_V4 : SHORT_UUID}$`);
  for (const [literal] of session.names) expect(literal).toMatch(idShape);
  const replace = (text: string): string => {
    let out = text;
    for (const [literal, placeholder] of session.names) out = out.split(literal).join(placeholder);
    return out
      .replace(new RegExp(`"timestamp":"${TIMESTAMP}"`, 'g'), '"timestamp":"<timestamp>"')
      .replace(new RegExp(`"message_id":"${UUID_V4}"`, 'g'), '"message_id":"<message_id>"')
      .replace(/"token":"[\w-]+\.[0-9a-z]+\.[\w-]+\.[\w-]+\.[\w-]+"/g, '"token":"<resume token>"')
      .replace(/"username":"\d+:</g, '"username":"<expiry>:<')
      .replace(/"credential":"[\w+/=]+"/g, '"credential":"<hmac>"');
  };
  return transcript.map(({ step, frames }) => ({
    step,
    frames: Object.fromEntries(Object.entries(frames).map(([name, list]) => [name, list.map(replace)])),
  }));
}

describe('golden sessions: the exact frames of each dialect', () => {
  it.each([
    ['console', false],
    ['console', true],
    ['connector', false],
    ['connector', true],
  ] as const)('%s dialect, extensions %s', async (dialect, extensions) => {
    const transcript = await record(dialect, extensions);
    const fixture = new URL(`../fixtures/golden/${dialect}-${extensions ? 'extensions' : 'plain'}.json`, import.meta.url);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(fixture, `${JSON.stringify(transcript, null, 2)}\n`);
    expect(transcript).toEqual(JSON.parse(readFileSync(fixture, 'utf8')));
    // Whatever a placeholder stands for was replaced, so nothing random is left in the fixture.
    expect(JSON.stringify(transcript)).not.toMatch(new RegExp(dialect === 'console' ? UUID_V4 : SHORT_UUID));
  });
});
