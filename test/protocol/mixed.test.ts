import { describe, expect, it } from 'vitest';
import { TestClient, type Frame } from '../helpers/client.js';
import { startCli } from '../helpers/cli.js';
import { getJson, startServer } from '../helpers/server.js';

const CONSOLE = 'signalroom.console.v1';
const CONNECTOR = 'signalroom.connector.v1';

function data(frame: Frame): Frame {
  return { event: frame.event, data: frame.data };
}

describe('both dialects on one server', () => {
  it('chooses the dialect by subprotocol, then by path, then by the default', async () => {
    const { url } = await startServer({ dialects: { '/p2p': 'connector' } });
    const byDefault = await TestClient.open(`${url}/anything`, { welcome: false });
    expect(Object.keys(await byDefault.next())).toEqual(['type', 'id']);
    const byPath = await TestClient.open(`${url}/p2p?room=x`, { welcome: false });
    expect((await byPath.next()).event).toBe('Client_Details');
    const bySubprotocol = await TestClient.open(`${url}/anything`, { welcome: false, protocols: CONNECTOR });
    expect(bySubprotocol.socket.protocol).toBe(CONNECTOR);
    expect((await bySubprotocol.next()).event).toBe('Client_Details');
    const subprotocolBeatsPath = await TestClient.open(`${url}/p2p`, { welcome: false, protocols: [CONSOLE] });
    expect((await subprotocolBeatsPath.next()).type).toBe('id');
  });

  it('echoes the first offered subprotocol when none is ours, as ws (and the original) does; ours still wins', async () => {
    const { url } = await startServer();
    const json = await TestClient.open(url, { welcome: false, protocols: ['json', 'chat'] });
    expect(json.socket.protocol).toBe('json');
    expect(Object.keys(await json.next())).toEqual(['type', 'id']);
    const ours = await TestClient.open(url, { welcome: false, protocols: ['json', CONNECTOR] });
    expect(ours.socket.protocol).toBe(CONNECTOR);
    expect((await ours.next()).event).toBe('Client_Details');
  });

  it('a console peer and a connector peer in one room see each other join and leave, and signal each other', async () => {
    const { url, httpUrl } = await startServer();
    const con = await TestClient.open(url, { protocols: CONNECTOR });
    const cons = await TestClient.open(url, { protocols: CONSOLE });

    con.send({ event: 'Create_Room', data: { room: 'mixed', name: 'Mixed' } });
    expect(data(await con.next())).toEqual({ event: 'Room_Created', data: { clients: [con.id], name: 'Mixed', room: 'mixed' } });

    cons.send({ type: 'join-room', room: 'mixed' });
    expect(await cons.next()).toEqual({ type: 'room-joined', room: 'mixed' });
    expect(data(await con.next())).toEqual({ event: 'Client_Added', data: { clients: [con.id, cons.id], name: 'Mixed', room: 'mixed' } });
    expect(await cons.next()).toEqual({ type: 'room-peers', peers: [con.id] });

    cons.send({ type: 'offer', to: con.id, offer: { type: 'offer', sdp: 'v=0' } });
    expect(await con.next()).toEqual({ event: 'Offer', data: { type: 'offer', sdp: 'v=0' }, from: cons.id });
    con.send({ event: 'Answer', to: cons.id, data: { type: 'answer', sdp: 'v=0' } });
    expect(await cons.next()).toEqual({ type: 'answer', answer: { type: 'answer', sdp: 'v=0' }, from: con.id });
    con.send({ event: 'Candidate', to: cons.id, data: { candidate: 'c' } });
    expect(await cons.next()).toEqual({ type: 'ice-candidate', candidate: { candidate: 'c' }, from: con.id });
    cons.send({ type: 'ice-candidate', to: con.id, candidate: { candidate: 'd' } });
    expect(await con.next()).toEqual({ event: 'Candidate', data: { candidate: 'd' }, from: cons.id });
    con.send({ event: 'Message', to: cons.id, data: { text: 'hello' } });
    expect(await cons.next()).toEqual({ type: 'message', data: { text: 'hello' }, from: con.id });
    con.send({ event: 'Connect', to: cons.id, data: { sdp: 'x' } });
    expect(await cons.next()).toEqual({ type: 'offer', offer: 'x', from: con.id });

    expect(await getJson(`${httpUrl}/status`)).toEqual({ totalClients: 2, clients: [con.id, cons.id], rooms: { mixed: [con.id, cons.id] } });

    cons.send({ type: 'leave-room' });
    expect(await cons.next()).toEqual({ type: 'room-left', room: 'mixed' });
    expect(data(await con.next())).toEqual({ event: 'Client_Removed', data: { clients: [con.id], name: 'Mixed', room: 'mixed' } });

    cons.send({ type: 'join-room', room: 'mixed' });
    await cons.next();
    await cons.next();
    await con.next();
    await con.close();
    expect(await cons.next()).toEqual({ type: 'peer-left', peerId: con.id });
  });

  it('an open connector peer cannot reach a console peer it shares no room with', async () => {
    const { url } = await startServer();
    const con = await TestClient.open(url, { protocols: CONNECTOR });
    const cons = await TestClient.open(url, { protocols: CONSOLE });
    con.send({ event: 'Offer', to: cons.id, data: {} });
    expect(data(await con.next())).toEqual({ event: 'Not_Found', data: { message: `Client with given ${cons.id} not found` } });
    await cons.expectNothingPending();
  });
});

describe('room lifecycle from server code', () => {
  it('kick: the peer and the room are told, each in its dialect', async () => {
    const { url, signaling } = await startServer();
    const con = await TestClient.open(url, { protocols: CONNECTOR });
    const cons = await TestClient.open(url, { protocols: CONSOLE });
    con.send({ event: 'Create_Room', data: { room: 'k' } });
    await con.next();
    cons.send({ type: 'join-room', room: 'k' });
    await cons.next();
    await cons.next();
    await con.next();

    expect(signaling.kick('k', cons.id)).toBe(true);
    expect(await cons.next()).toEqual({ type: 'room-left', room: 'k', reason: 'kicked' });
    expect(data(await con.next())).toEqual({ event: 'Client_Removed', data: { clients: [con.id], name: '', room: 'k' } });
    expect(signaling.kick('k', con.id)).toBe(true);
    expect(data(await con.next())).toEqual({ event: 'Room_Left', data: { room: 'k', reason: 'kicked' } });
    expect(signaling.roomCount).toBe(0);
  });

  it('endRoom: every member is told in its dialect and the room is deleted with an event', async () => {
    const { url, signaling } = await startServer();
    const deleted: string[] = [];
    signaling.on('room:delete', ({ room }) => deleted.push(room.id));
    const con = await TestClient.open(url, { protocols: CONNECTOR });
    const cons = await TestClient.open(url, { protocols: CONSOLE });
    con.send({ event: 'Create_Room', data: { room: 'e', name: 'E' } });
    await con.next();
    cons.send({ type: 'join-room', room: 'e' });
    await cons.next();
    await cons.next();
    await con.next();

    expect(signaling.endRoom('e')).toBe(true);
    expect(data(await con.next())).toEqual({ event: 'Room_Deleted', data: { clients: [con.id, cons.id], name: 'E', room: 'e' } });
    expect(await cons.next()).toEqual({ type: 'room-left', room: 'e', reason: 'ended' });
    expect(deleted).toEqual(['e']);
  });

  it('createRoom: a named room with metadata, an owner and a capacity, joined by clients', async () => {
    const { url, signaling } = await startServer({ dialect: 'connector' });
    const owner = await TestClient.open(url);
    const other = await TestClient.open(url);
    const room = signaling.createRoom({ id: 'planned', name: 'Planned', capacity: 1, owner: owner.id, metadata: { topic: 'x' } });
    expect(room).toEqual({ id: 'planned', name: 'Planned', owner: owner.id, members: [], capacity: 1, metadata: { topic: 'x' } });
    expect(signaling.status().rooms).toEqual({});
    expect(() => signaling.createRoom({ id: 'planned' })).toThrow('room-exists');
    expect(() => signaling.createRoom({ id: '' })).toThrow('invalid-room-name');
    expect(() => signaling.createRoom({ capacity: 0 })).toThrow(new TypeError('options.capacity must be an integer >= 1, got 0'));

    other.send({ event: 'Join_Room', data: { room: 'planned' } });
    expect(data(await other.next())).toEqual({ event: 'Client_Added', data: { clients: [other.id], name: 'Planned', room: 'planned' } });
    owner.send({ event: 'Join_Room', data: { room: 'planned' } });
    expect(data(await owner.next()).event).toBe('Room_Full');
    owner.send({ event: 'End_Room', data: { room: 'planned' } });
    expect(data(await owner.next()).event).toBe('Room_Deleted');
    expect(data(await other.next()).event).toBe('Room_Deleted');
  });
});

describe('standalone connector server', () => {
  it('SIGNALROOM_DIALECT=connector makes the connector dialect the default', async () => {
    const cli = await startCli({ SIGNALROOM_DIALECT: 'connector' });
    const client = await TestClient.open(`ws://127.0.0.1:${cli.port}/any/path`, { welcome: false });
    expect((await client.next()).event).toBe('Client_Details');
  });

  it('refuses an unknown SIGNALROOM_DIALECT', async () => {
    await expect(startCli({ SIGNALROOM_DIALECT: 'irc' })).rejects.toThrow('SIGNALROOM_DIALECT must be one of console, connector, peerjs, ywebrtc, got "irc"');
  });
});
