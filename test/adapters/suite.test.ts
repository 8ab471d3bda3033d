import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../helpers/adapters.js';
import { refusedStatus, TestClient } from '../helpers/client.js';

// One behavioural suite, the same assertions for every adapter.
describe.each(ADAPTERS)('adapter: $name', (adapter) => {
  it('serves the app route beside signaling, and /status', async () => {
    const app = await adapter.start();
    expect(await (await fetch(`${app.httpUrl}/app`)).text()).toBe('app route');
    const a = await TestClient.open(app.url);
    const status = await fetch(`${app.httpUrl}/status`);
    expect(status.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await status.json()).toEqual({ totalClients: 1, clients: [a.id], rooms: {} });
  });

  it('lets two peers join a room and exchange offer, answer and ice-candidate', async () => {
    const app = await adapter.start();
    const a = await TestClient.open(app.url);
    const b = await TestClient.open(app.url);
    a.send({ type: 'join-room', room: 'r' });
    await a.next();
    await a.next();
    b.send({ type: 'join-room', room: 'r' });
    await b.next();
    expect(await b.next()).toEqual({ type: 'room-peers', peers: [a.id] });
    expect(await a.next()).toEqual({ type: 'peer-joined', peerId: b.id });
    a.send({ type: 'offer', to: b.id, offer: { sdp: 'o' } });
    expect(await b.next()).toEqual({ type: 'offer', to: b.id, offer: { sdp: 'o' }, from: a.id });
    b.send({ type: 'answer', to: a.id, answer: { sdp: 'a' } });
    expect(await a.next()).toEqual({ type: 'answer', to: a.id, answer: { sdp: 'a' }, from: b.id });
    a.send({ type: 'ice-candidate', to: b.id, candidate: { candidate: 'c' } });
    expect(await b.next()).toMatchObject({ type: 'ice-candidate', from: a.id });
  });

  it('emits typed events through the handle', async () => {
    const app = await adapter.start();
    const joined = new Promise<string>((resolve) => app.signaling.once('room:join', ({ room }) => resolve(room.id)));
    const a = await TestClient.open(app.url);
    a.send({ type: 'join-room', room: 'evented' });
    expect(await joined).toBe('evented');
  });

  it('answers bad input and stays up', async () => {
    const app = await adapter.start({ maxMessageSize: 1024 });
    const a = await TestClient.open(app.url);
    a.send('null');
    expect(await a.next()).toMatchObject({ message: 'invalid-message' });
    const b = await TestClient.open(app.url);
    b.send('x'.repeat(2000));
    expect((await b.closed).code).toBe(1009);
    await a.expectNothingPending();
  });

  it('speaks the connector dialect when a client offers its subprotocol', async () => {
    const app = await adapter.start();
    const a = await TestClient.open(app.url, { protocols: 'signalroom.connector.v1', welcome: false });
    expect((await a.next()).event).toBe('Client_Details');
  });

  it('answers upgrades on other paths with 404', async () => {
    const app = await adapter.start();
    expect(await refusedStatus(app.url.replace('/signal', '/elsewhere'))).toBe(404);
  });

  it('closes every peer with 1001 when the app stops', async () => {
    const app = await adapter.start();
    const a = await TestClient.open(app.url);
    const b = await TestClient.open(app.url);
    await app.stop();
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    expect(app.signaling.closed).toBe(true);
  });
});
