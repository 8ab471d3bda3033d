import { describe, expect, it } from 'vitest';
import { sessionWorld } from '../helpers/session.js';

describe('SessionSocket: a socket that hands its events to its session', () => {
  it('makes no listener map until someone listens, and runs listeners added later after its session', async () => {
    const world = await sessionWorld();
    const { session, client } = await world.open();
    expect((session.socket as unknown as { _events: unknown })._events).toBeUndefined();
    const peersWhenClosed = new Promise<boolean>((resolve) =>
      session.socket.once('close', () => resolve(world.core.peer(client.id) !== undefined)),
    );
    await client.close();
    // The session let its peer go first: a listener sees the peer gone.
    expect(await peersWhenClosed).toBe(false);
  });

  it('never throws for an error nobody listens to, and remembers its code for the close reason', async () => {
    const world = await sessionWorld();
    const { session } = await world.open();
    const failure = Object.assign(new Error('Max payload size exceeded'), { code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' });
    expect(session.socket.emit('error', failure)).toBe(false);
    expect(session.closeReason(1006)).toBe('too-large');
    session.socket.emit('error', Object.assign(new Error('Invalid UTF-8'), { code: 'WS_ERR_INVALID_UTF8' }));
    expect(session.closeReason(1006)).toBe('error');
  });

  it('says why a socket it did not fail closed: a drop (1006) or the client close', async () => {
    const world = await sessionWorld();
    const { session } = await world.open();
    expect(session.closeReason(1006)).toBe('lost');
    expect(session.closeReason(1000)).toBe('closed');
  });
});
