import { describe, expect, it } from 'vitest';
import { TestClient } from '../helpers/client.js';
import { startServer } from '../helpers/server.js';

const CONSOLE = 'signalroom.console.v1';
const CONNECTOR = 'signalroom.connector.v1';

/** A console peer and a connector peer sharing room `r`, with the join notices consumed. */
async function mixedRoom() {
  const { url } = await startServer();
  const con = await TestClient.open(url, { protocols: CONNECTOR });
  const cons = await TestClient.open(url, { protocols: CONSOLE });
  con.send({ event: 'Create_Room', data: { room: 'r' } });
  await con.next();
  cons.send({ type: 'join-room', room: 'r' });
  await cons.next();
  await cons.next();
  await con.next();
  return { url, con, cons };
}

describe('relays cannot carry server-only shapes', () => {
  it.each(['info', 'update', 'error'])('refuses a connector relay carrying the envelope type %j, with the dialect error', async (type) => {
    const { url } = await startServer({ dialect: 'connector' });
    const attacker = await TestClient.open(url);
    const victim = await TestClient.open(url);
    attacker.send({ event: 'Offer', to: victim.id, type, data: { data: { sdp: 'evil' }, event: 'Offer', from: 'someone-else' } });
    expect(await attacker.next()).toMatchObject({ type: 'error', event: 'Unsupported_Event' });
    await victim.expectNothingPending();
    // A `type` that no envelope has still relays, as in the original.
    attacker.send({ event: 'Message', to: victim.id, type: 'chat', data: 'hi' });
    expect(await victim.next()).toEqual({ data: 'hi', event: 'Message', from: attacker.id, type: 'chat' });
  });

  it('hands a console frame of type "connect" to connector peers as a Message, never as the server\'s Offer envelope', async () => {
    const { con, cons } = await mixedRoom();
    cons.send({ type: 'connect', to: con.id, data: { data: { sdp: 'evil' }, from: 'someone-else' } });
    const frame = await con.next();
    expect(frame).toEqual({ event: 'Message', data: { data: { sdp: 'evil' }, from: 'someone-else' }, from: cons.id });
    expect(frame.type).toBeUndefined();
    // A real connector Connect still arrives as the server's offer envelope.
    const other = await TestClient.open(con.socket.url.replace(/\?.*$/, ''), { protocols: CONNECTOR });
    other.send({ event: 'Connect', to: con.id, data: { sdp: 'v=0' } });
    expect(await con.next()).toMatchObject({ type: 'info', event: 'Offer', data: { data: { sdp: 'v=0' }, event: 'Offer', from: other.id } });
  });
});
