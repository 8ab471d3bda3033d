import { describe, expect, it } from 'vitest';
import { CONNECTOR_EVENTS } from '../../src/protocol/connector.js';
import { TestClient, type Frame } from '../helpers/client.js';
import { getJson, startServer } from '../helpers/server.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Go's RFC3339Nano (trailing zeros trimmed) at JS's millisecond precision, in UTC. */
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{0,2}[1-9])?Z$/;
/** The original's ids: lithammer/shortuuid, 22 characters of base57. */
const SHORT_UUID = /^[23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz]{22}$/;

async function connectorServer() {
  return startServer({ dialect: 'connector' });
}

/** Strips the envelope's per-frame fields after checking them, for compact assertions. */
function body(frame: Frame): Frame {
  expect(Object.keys(frame)).toEqual(['type', 'event', 'data', 'timestamp', 'message_id']);
  expect(frame.timestamp).toMatch(RFC3339_UTC);
  expect(frame.message_id).toMatch(UUID_V4);
  return { type: frame.type, event: frame.event, data: frame.data };
}

async function nextBody(client: TestClient): Promise<Frame> {
  return body(await client.next());
}

function missing(message: string): Frame {
  return { type: 'error', event: 'Missing_Fields', data: { message } };
}

/** A creates room `r` (named `Room R`), B joins it. Consumes every frame that causes. */
async function roomOfTwo(url: string): Promise<[TestClient, TestClient]> {
  const a = await TestClient.open(url);
  const b = await TestClient.open(url);
  a.send({ event: 'Create_Room', data: { room: 'r', name: 'Room R' } });
  await a.next();
  b.send({ event: 'Join_Room', data: { room: 'r' } });
  await b.next();
  await a.next();
  return [a, b];
}

describe('connector dialect (docs/protocols.md, the connector dialect)', () => {
  it('sends info/Client_Details {id} first, in the envelope with keys in order', async () => {
    const { url } = await connectorServer();
    const client = await TestClient.open(url, { welcome: false });
    const welcome = await client.next();
    expect(body(welcome)).toEqual({ type: 'info', event: 'Client_Details', data: { id: expect.stringMatching(SHORT_UUID) } });
    expect(client.lastRaw()).toMatch(/^\{"type":"info","event":"Client_Details","data":\{"id":"\w{22}"\},"timestamp":"[^"]+","message_id":"[^"]+"\}\n$/);
  });

  it('Create_Room: info/Room_Created to the creator with clients, name and room', async () => {
    const { url, signaling } = await connectorServer();
    const a = await TestClient.open(url);
    a.send({ event: 'Create_Room', data: { room: 'r', name: 'Room R' } });
    const created = await a.next();
    expect(body(created)).toEqual({ type: 'info', event: 'Room_Created', data: { clients: [a.id], name: 'Room R', room: 'r' } });
    expect(a.lastRaw()).toContain(`"data":{"clients":["${a.id}"],"name":"Room R","room":"r"}`);
    expect(signaling.room('r')?.owner).toBe(a.id);
  });

  it('Create_Room without a room id generates one; the name defaults to ""', async () => {
    const { url } = await connectorServer();
    const a = await TestClient.open(url);
    a.send({ event: 'Create_Room', data: {} });
    expect(await nextBody(a)).toEqual({
      type: 'info',
      event: 'Room_Created',
      data: { clients: [a.id], name: '', room: expect.stringMatching(SHORT_UUID) },
    });
  });

  it.each([
    ['a numeric room', 7],
    ['a null room', null],
    ['an object room', { id: 'r' }],
  ])('Create_Room with %s generates an id, as the original', async (_, room) => {
    const { url } = await connectorServer();
    const a = await TestClient.open(url);
    a.send({ event: 'Create_Room', data: { room, name: 'N' } });
    expect(await nextBody(a)).toEqual({
      type: 'info',
      event: 'Room_Created',
      data: { clients: [a.id], name: 'N', room: expect.stringMatching(SHORT_UUID) },
    });
  });

  it('accepts Create_Rom and the lowercase forms', async () => {
    const { url } = await connectorServer();
    const a = await TestClient.open(url);
    const b = await TestClient.open(url);
    a.send({ event: 'Create_Rom', data: { room: 'typo' } });
    expect((await nextBody(a)).event).toBe('Room_Created');
    b.send({ event: 'join_room', data: { room: 'typo' } });
    expect((await nextBody(b)).event).toBe('Client_Added');
    b.send({ event: 'create_room', data: { room: 'lower' } });
    expect((await nextBody(b)).event).toBe('Room_Created');
  });

  it('Join_Room: update/Client_Added with every member to every member, joiner included', async () => {
    const { url } = await connectorServer();
    const [a, b] = await roomOfTwo(url);
    const c = await TestClient.open(url);
    c.send({ event: 'Join_Room', data: { room: 'r' } });
    const added = { type: 'update', event: 'Client_Added', data: { clients: [a.id, b.id, c.id], name: 'Room R', room: 'r' } };
    expect(await nextBody(c)).toEqual(added);
    expect(await nextBody(a)).toEqual(added);
    expect(await nextBody(b)).toEqual(added);
  });

  it('Leave_Room: update/Client_Removed to the rest, info/Room_Left to the leaver', async () => {
    const { url } = await connectorServer();
    const [a, b] = await roomOfTwo(url);
    b.send({ event: 'Leave_Room', data: { room: 'r' } });
    expect(await nextBody(b)).toEqual({ type: 'info', event: 'Room_Left', data: { room: 'r' } });
    expect(await nextBody(a)).toEqual({ type: 'update', event: 'Client_Removed', data: { clients: [a.id], name: 'Room R', room: 'r' } });
  });

  it('on disconnect: update/Client_Removed to each room, listing the room WITHOUT the departed client', async () => {
    const { url } = await connectorServer();
    const [a, b] = await roomOfTwo(url);
    a.send({ event: 'Create_Room', data: { room: 'second' } });
    await a.next();
    b.send({ event: 'Join_Room', data: { room: 'second' } });
    await b.next();
    await a.next();
    await b.close();
    const removed = [await nextBody(a), await nextBody(a)];
    expect(removed).toEqual([
      { type: 'update', event: 'Client_Removed', data: { clients: [a.id], name: 'Room R', room: 'r' } },
      { type: 'update', event: 'Client_Removed', data: { clients: [a.id], name: '', room: 'second' } },
    ]);
  });

  it('End_Room by the owner: update/Room_Deleted to every member, then the room is gone', async () => {
    const { url, httpUrl } = await connectorServer();
    const [a, b] = await roomOfTwo(url);
    a.send({ event: 'End_Room', data: { room: 'r' } });
    const deleted = { type: 'update', event: 'Room_Deleted', data: { clients: [a.id, b.id], name: 'Room R', room: 'r' } };
    expect(await nextBody(a)).toEqual(deleted);
    expect(await nextBody(b)).toEqual(deleted);
    expect(await getJson(`${httpUrl}/status`)).toEqual({ totalClients: 2, clients: [a.id, b.id], rooms: {} });
  });

  it('End_Room by a non-owner: Unauthorised', async () => {
    const { url } = await connectorServer();
    const [, b] = await roomOfTwo(url);
    b.send({ event: 'End_Room', data: { room: 'r' } });
    expect(await nextBody(b)).toEqual({
      type: 'error',
      event: 'Unauthorised',
      data: { message: 'You need to be creator of room to delete it.' },
    });
  });

  it('only the creator may end its room, even after it left (ownershipTransfer: false, the default)', async () => {
    const { url } = await connectorServer();
    const [a, b] = await roomOfTwo(url);
    a.send({ event: 'Leave_Room', data: { room: 'r' } });
    await a.next();
    await b.next();
    b.send({ event: 'End_Room', data: { room: 'r' } });
    expect((await nextBody(b)).event).toBe('Unauthorised');
    a.send({ event: 'End_Room', data: { room: 'r' } });
    const deleted = { type: 'update', event: 'Room_Deleted', data: { clients: [b.id], name: 'Room R', room: 'r' } };
    expect(await nextBody(b)).toEqual(deleted);
    expect(await nextBody(a)).toEqual(deleted);
  });

  it('after its creator disconnects, nobody can end a room from a client (server code still can)', async () => {
    const { url, signaling } = await connectorServer();
    const [a, b] = await roomOfTwo(url);
    await a.close();
    await b.next();
    b.send({ event: 'End_Room', data: { room: 'r' } });
    expect((await nextBody(b)).event).toBe('Unauthorised');
    expect(signaling.endRoom('r')).toBe(true);
    expect((await nextBody(b)).event).toBe('Room_Deleted');
  });

  it('with ownershipTransfer: true, ownership passes to the longest-standing member', async () => {
    const { url, signaling } = await startServer({ dialect: 'connector', ownershipTransfer: true });
    const [a, b] = await roomOfTwo(url);
    a.send({ event: 'Leave_Room', data: { room: 'r' } });
    await a.next();
    await b.next();
    expect(signaling.room('r')?.owner).toBe(b.id);
    a.send({ event: 'End_Room', data: { room: 'r' } });
    expect((await nextBody(a)).event).toBe('Unauthorised');
    b.send({ event: 'End_Room', data: { room: 'r' } });
    expect((await nextBody(b)).event).toBe('Room_Deleted');
  });

  it('relays Offer, Answer, Candidate and Message unenveloped, to removed and from added', async () => {
    const { url } = await connectorServer();
    const a = await TestClient.open(url);
    const b = await TestClient.open(url);
    for (const event of ['Offer', 'Answer', 'Candidate', 'Message']) {
      a.send({ event, to: b.id, data: { sdp: 'v=0', n: [1] } });
      expect(await b.next()).toEqual({ event, data: { sdp: 'v=0', n: [1] }, from: a.id });
      // Go re-marshals the map: keys sorted at every level, gorilla's newline at the end.
      expect(b.lastRaw()).toBe(`{"data":{"n":[1],"sdp":"v=0"},"event":"${event}","from":"${a.id}"}\n`);
    }
  });

  it('writes relays as Go does: sorted keys (integer-like ones too), <, > and & escaped', async () => {
    const { url } = await connectorServer();
    const a = await TestClient.open(url);
    const b = await TestClient.open(url);
    a.send(`{"to":"${b.id}","event":"Message","data":{"z":1,"10":2,"9":[{"b":null,"a":"<&>"}]},"extra":true}`);
    await b.next();
    expect(b.lastRaw()).toBe(`{"data":{"10":2,"9":[{"a":"\\u003c\\u0026\\u003e","b":null}],"z":1},"event":"Message","extra":true,"from":"${a.id}"}\n`);
  });

  it('Connect: info/Offer to the target only, with data {sdp, candidate}; Candidate spelt either way', async () => {
    const { url } = await connectorServer();
    const a = await TestClient.open(url);
    const b = await TestClient.open(url);
    a.send({ event: 'Connect', to: b.id, data: { sdp: 'offer-sdp', candidate: 'c1' } });
    expect(await nextBody(b)).toEqual({
      type: 'info',
      event: 'Offer',
      data: { data: { sdp: 'offer-sdp', candidate: 'c1' }, event: 'Offer', from: a.id },
    });
    expect(b.lastRaw()).toContain(`"data":{"data":{"candidate":"c1","sdp":"offer-sdp"},"event":"Offer","from":"${a.id}"}`);
    a.send({ event: 'Connect', to: b.id, data: { sdp: 'offer-sdp', Candidate: 'c2' } });
    expect((await nextBody(b)).data.data).toEqual({ sdp: 'offer-sdp', candidate: 'c2' });
    await a.expectNothingPending();
  });

  it.each([
    ['no event', {}],
    ['an unknown event', { event: 'Dance' }],
    ['a numeric event', { event: 3 }],
    ['a near miss', { event: 'JOIN_ROOM' }],
  ])('answers %s with Unsupported_Event listing the nine names', async (_, frame) => {
    const { url } = await connectorServer();
    const a = await TestClient.open(url);
    a.send(frame);
    expect(await nextBody(a)).toEqual({ type: 'error', event: 'Unsupported_Event', data: { events: [...CONNECTOR_EVENTS] } });
  });

  it.each([
    ['Create_Room without data', { event: 'Create_Room' }, "'data' field is missing or is not object in the request."],
    ['Join_Room with array data', { event: 'Join_Room', data: ['r'] }, "'data' field is missing or is not object in the request."],
    ['Join_Room without room', { event: 'Join_Room', data: {} }, "'room' field is missing in the request."],
    ['Leave_Room with a numeric room', { event: 'Leave_Room', data: { room: 1 } }, "'room' field is missing in the request."],
    ['End_Room without room', { event: 'End_Room', data: {} }, "'room' field is missing in the request."],
    ['Offer without to', { event: 'Offer', data: {} }, "'to' field not found"],
    ['Message with a numeric to', { event: 'Message', to: 5, data: {} }, "'to' field not found"],
    ['Connect without to', { event: 'Connect', data: { sdp: 'x' } }, "'to' field not found"],
  ])('answers %s with Missing_Fields', async (_, frame, message) => {
    const { url } = await connectorServer();
    const a = await TestClient.open(url);
    a.send(frame);
    expect(await nextBody(a)).toEqual(missing(message));
  });

  it.each([
    ['without data', {}, "'data' field is missing or is not object in the request."],
    ['with array data', { data: ['sdp'] }, "'data' field is missing or is not object in the request."],
    ['without data.sdp', { data: {} }, "'data''sdp' field is missing in the request."],
  ])('answers Connect to a known client %s with Missing_Fields', async (_, fields, message) => {
    const { url } = await connectorServer();
    const a = await TestClient.open(url);
    const b = await TestClient.open(url);
    a.send({ event: 'Connect', to: b.id, ...fields });
    expect(await nextBody(a)).toEqual(missing(message));
    await b.expectNothingPending();
  });

  it('checks Connect in the original order: an unknown target wins over a missing data', async () => {
    const { url } = await connectorServer();
    const a = await TestClient.open(url);
    a.send({ event: 'Connect', to: 'nobody' });
    expect(await nextBody(a)).toEqual({ type: 'error', event: 'Not_Found', data: { message: 'Client with given nobody not found' } });
    a.send({ event: 'Connect', data: {} });
    expect(await nextBody(a)).toEqual(missing("'to' field not found"));
  });

  it('answers the Not_Found, Duplicate_Room and Already_Exists cases with the original texts', async () => {
    const { url } = await connectorServer();
    const [a, b] = await roomOfTwo(url);
    const c = await TestClient.open(url);
    const cases: Array<[Frame, Frame]> = [
      [{ event: 'Offer', to: 'nobody', data: {} }, { event: 'Not_Found', data: { message: 'Client with given nobody not found' } }],
      [{ event: 'Connect', to: 'nobody', data: { sdp: 's' } }, { event: 'Not_Found', data: { message: 'Client with given nobody not found' } }],
      [{ event: 'Join_Room', data: { room: 'nope' } }, { event: 'Not_Found', data: { message: 'Room with Id nope does not exist.' } }],
      [{ event: 'Leave_Room', data: { room: 'nope' } }, { event: 'Not_Found', data: { message: 'Room with Id nope does not exist.' } }],
      [{ event: 'End_Room', data: { room: 'nope' } }, { event: 'Not_Found', data: { message: 'Room with Id nope does not exist.' } }],
      [{ event: 'Join_Room', data: { room: '' } }, { event: 'Not_Found', data: { message: 'Room with Id  does not exist.' } }],
      [{ event: 'End_Room', data: { room: 'x'.repeat(200) } }, { event: 'Not_Found', data: { message: `Room with Id ${'x'.repeat(200)} does not exist.` } }],
      [{ event: 'Leave_Room', data: { room: 'r' } }, { event: 'Not_Found', data: { message: 'Client does not exists in the room.' } }],
      [{ event: 'Create_Room', data: { room: 'r' } }, { event: 'Duplicate_Room', data: { message: 'r already exist' } }],
    ];
    for (const [frame, answer] of cases) {
      c.send(frame);
      expect(await nextBody(c)).toEqual({ type: 'error', ...answer });
    }
    b.send({ event: 'Join_Room', data: { room: 'r' } });
    expect(await nextBody(b)).toEqual({ type: 'error', event: 'Already_Exists', data: { message: 'Client already exists in the room.' } });
    await a.expectNothingPending();
  });

  it('answers non-JSON and non-objects with Invalid_Message and keeps the connection', async () => {
    const { url } = await connectorServer();
    const a = await TestClient.open(url);
    for (const text of ['nope', 'null', '[]', '7']) {
      a.send(text);
      expect((await nextBody(a)).event).toBe('Invalid_Message');
    }
    a.send({ event: 'Create_Room', data: { room: 'fine' } });
    expect((await nextBody(a)).event).toBe('Room_Created');
  });

  it('answers our additions in the same shape: Room_Full, Invalid_Room_Name', async () => {
    const { url } = await startServer({ dialect: 'connector', maxPeersPerRoom: 1, maxRoomIdLength: 4 });
    const a = await TestClient.open(url);
    const b = await TestClient.open(url);
    a.send({ event: 'Create_Room', data: { room: 'full' } });
    await a.next();
    b.send({ event: 'Join_Room', data: { room: 'full' } });
    expect(await nextBody(b)).toEqual({ type: 'error', event: 'Room_Full', data: { message: 'Room full is full (1 clients).' } });
    b.send({ event: 'Create_Room', data: { room: 'toolong' } });
    expect(await nextBody(b)).toEqual({
      type: 'error',
      event: 'Invalid_Room_Name',
      data: { message: 'Room id must be a string of 1 to 4 characters.' },
    });
  });

  it('routes to any id by default (open scope), and only within rooms with scope "room"', async () => {
    const open = await connectorServer();
    const a = await TestClient.open(open.url);
    const b = await TestClient.open(open.url);
    a.send({ event: 'Message', to: b.id, data: 'hi' });
    expect(await b.next()).toEqual({ event: 'Message', data: 'hi', from: a.id });

    const closed = await startServer({ dialect: 'connector', scope: 'room' });
    const c = await TestClient.open(closed.url);
    const d = await TestClient.open(closed.url);
    c.send({ event: 'Message', to: d.id, data: 'hi' });
    expect(await nextBody(c)).toEqual({ type: 'error', event: 'Not_Found', data: { message: `Client with given ${d.id} not found` } });
  });

  it('handles one connection\'s frames strictly in arrival order', async () => {
    const { url } = await connectorServer();
    const a = await TestClient.open(url);
    const b = await TestClient.open(url);
    for (let i = 0; i < 200; i++) a.send({ event: 'Message', to: b.id, data: i });
    for (let i = 0; i < 200; i++) expect((await b.next()).data).toBe(i);
  });
});
