import { describe, expect, it } from 'vitest';
import { coreInternals, SignalingCore } from '../../src/core/core.js';
import { SignalingError } from '../../src/errors.js';
import type { Signal } from '../../src/core/types.js';
import { createDialects } from '../../src/protocol/dialects.js';
import { Suspension } from '../../src/transport/suspension.js';
import { FakeConnection } from '../helpers/fake-connection.js';

const dialects = createDialects({ maxDepth: 32 });
const consoleDialect = dialects.get('console')!;
const ywebrtcDialect = dialects.get('ywebrtc')!;

/** A console chat frame as its codec decodes it (the one place these tests build a Signal). */
function chat(text: string): Signal {
  const command = consoleDialect.decode(JSON.stringify({ type: 'chat', text }));
  if (command instanceof SignalingError || command.kind !== 'signal') throw new Error(`not a signal: ${text}`);
  return command.signal;
}

/** Alice in room r, her connection swapped for a suspension (she dropped), Bob connected; ids a and b. */
function aliceSuspended(maxBytes: number, overflows: Suspension[] = []) {
  let next = 0;
  const core = new SignalingCore({ generateId: () => ['a', 'b'][next++] as string });
  core.connect(new FakeConnection());
  core.handle('a', { kind: 'join', room: 'r', mode: 'auto' });
  const suspension = new Suspension('a', consoleDialect, maxBytes, (s) => overflows.push(s));
  coreInternals(core).replaceConnection('a', suspension);
  const bob = new FakeConnection();
  core.connect(bob);
  return { core, suspension, bob };
}

describe('Suspension', () => {
  it('keeps what its peer is sent while away, encoded in its dialect, in order', () => {
    const { core, suspension } = aliceSuspended(1_000_000);
    core.handle('b', { kind: 'join', room: 'r', mode: 'auto' });
    core.handle('b', { kind: 'signal', signal: chat('hi') });
    core.send('a', { type: 'note' });
    expect(suspension.frames).toEqual([
      '{"type":"peer-joined","peerId":"b"}',
      '{"type":"chat","text":"hi","from":"b"}',
      '{"type":"server-message","data":{"type":"note"}}',
    ]);
    // The peer keeps its id and its room meanwhile.
    expect(core.room('r')?.members).toEqual(['a', 'b']);
  });

  it('holds up to maxBytes; the frame that goes past them ends the wait, once, after the send returned', async () => {
    const frame = '{"type":"server-message","data":{"type":"note","n":0}}';
    const overflows: Suspension[] = [];
    const { core, suspension } = aliceSuspended(frame.length * 3, overflows);
    for (let n = 0; n < 3; n++) core.send('a', { type: 'note', n });
    await Promise.resolve();
    expect(overflows).toEqual([]); // exactly at the cap is still within it
    core.send('a', { type: 'note', n: 3 });
    // Not from inside the send: a connection must not call back into the core while the core is sending.
    expect(overflows).toEqual([]);
    expect(suspension.frames).toHaveLength(4);
    await Promise.resolve();
    expect(overflows).toEqual([suspension]);
    core.send('a', { type: 'note', n: 4 }); // past the cap: dropped, and no second end
    await Promise.resolve();
    expect(suspension.frames).toHaveLength(4);
    expect(overflows).toHaveLength(1);
  });

  it('counts only what its dialect writes: events with no frame in it cost nothing', async () => {
    const overflows: Suspension[] = [];
    const suspension = new Suspension('a', ywebrtcDialect, 10, (s) => overflows.push(s));
    // y-webrtc has no frame for an id or for membership notices.
    suspension.send({ kind: 'welcome', peerId: 'a' });
    const room = { id: 'r', name: '', owner: 'a', members: new Map(), metadata: undefined };
    for (let i = 0; i < 100; i++) suspension.send({ kind: 'peer-joined', room, peerId: `p${i}` });
    await Promise.resolve();
    expect(suspension.frames).toEqual([]);
    expect(overflows).toEqual([]);
  });

  it('has nothing to close: the socket is gone, and the server ends the suspension itself', () => {
    const { suspension } = aliceSuspended(100);
    suspension.close();
    expect(suspension.frames).toEqual([]);
  });
});
