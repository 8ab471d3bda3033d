import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { attachSignaling } from '../../src/index.js';
import { TestClient } from '../helpers/client.js';
import { expectNothingPending, openPeer, peerjsUrl } from '../helpers/peerjs.js';
import { startServer } from '../helpers/server.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The standalone server with a PeerServer at /myapp, as `peerjs --path /myapp`; the socket base URL too. */
async function peerServer(peerjs: Record<string, unknown> = {}, options: Record<string, unknown> = {}) {
  const server = await startServer({ peerjs: { path: '/myapp', ...peerjs }, ...options });
  return { ...server, base: `${server.url}/myapp` };
}

describe('peerjs dialect: the socket (docs/protocols.md, the peerjs dialect)', () => {
  it('answers a good handshake with exactly {"type":"OPEN"} and registers the id the client chose', async () => {
    const { base, signaling } = await peerServer();
    const client = await TestClient.open(peerjsUrl(base, { id: 'alice' }), { welcome: false });
    expect(await client.next()).toEqual({ type: 'OPEN' });
    expect(client.lastRaw()).toBe('{"type":"OPEN"}');
    expect(signaling.peer('alice')).toMatchObject({ id: 'alice', dialect: 'peerjs', scope: 'open' });
  });

  it('relays OFFER, ANSWER, CANDIDATE and LEAVE as {type,src,dst,payload}, src stamped, other fields dropped', async () => {
    const { base } = await peerServer();
    const alice = await openPeer(base, 'alice');
    const bob = await openPeer(base, 'bob');
    alice.send({ type: 'OFFER', dst: 'bob', src: 'mallory', extra: 1, payload: { sdp: 'v=0', type: 'data', connectionId: 'dc_1' } });
    expect(await bob.next()).toEqual({ type: 'OFFER', src: 'alice', dst: 'bob', payload: { sdp: 'v=0', type: 'data', connectionId: 'dc_1' } });
    expect(bob.lastRaw()).toBe('{"type":"OFFER","src":"alice","dst":"bob","payload":{"sdp":"v=0","type":"data","connectionId":"dc_1"}}');
    for (const type of ['ANSWER', 'CANDIDATE', 'LEAVE', 'EXPIRE']) {
      bob.send({ type, dst: 'alice', payload: { connectionId: 'dc_1' } });
      expect(await alice.next()).toEqual({ type, src: 'bob', dst: 'alice', payload: { connectionId: 'dc_1' } });
    }
  });

  it('ignores what the original ignores: HEARTBEAT, unknown types, no dst, bad JSON, binary', async () => {
    const { base, signaling } = await peerServer();
    const alice = await openPeer(base, 'alice');
    alice.send({ type: 'HEARTBEAT' });
    alice.send({ type: 'WHATEVER', dst: 'alice' });
    alice.send({ type: 'OFFER', payload: {} });
    alice.send({ type: 'LEAVE' });
    alice.send('not json');
    alice.send(Buffer.from([1, 2, 3]));
    await expectNothingPending(alice);
    expect(signaling.peer('alice')).toBeDefined();
  });

  it('refuses a socket without id, token or key: ERROR, then a close without status', async () => {
    const { base } = await peerServer();
    for (const query of ['key=peerjs&id=a', 'key=peerjs&token=t', 'id=a&token=t', 'key=&id=a&token=t']) {
      const client = await TestClient.open(`${base}/peerjs?${query}`, { welcome: false });
      expect(await client.next()).toEqual({ type: 'ERROR', payload: { msg: 'No id, token, or key supplied to websocket server' } });
      expect((await client.closed).code).toBe(1005);
    }
  });

  it('refuses a wrong key with ERROR "Invalid key provided"', async () => {
    const { base, signaling } = await peerServer({ key: 'secret-key' });
    const client = await TestClient.open(peerjsUrl(base, { id: 'alice', key: 'peerjs' }), { welcome: false });
    expect(await client.next()).toEqual({ type: 'ERROR', payload: { msg: 'Invalid key provided' } });
    expect((await client.closed).code).toBe(1005);
    expect(signaling.peerCount).toBe(0);
    const good = await TestClient.open(peerjsUrl(base, { id: 'alice', key: 'secret-key' }), { welcome: false });
    expect(await good.next()).toEqual({ type: 'OPEN' });
  });

  it('answers ID-TAKEN to the same id with another token and keeps the first; the same token takes over', async () => {
    const { base, signaling } = await peerServer();
    const first = await openPeer(base, 'alice', 'token-1');
    const thief = await TestClient.open(peerjsUrl(base, { id: 'alice', token: 'token-2' }), { welcome: false });
    expect(await thief.next()).toEqual({ type: 'ID-TAKEN', payload: { msg: 'ID is taken' } });
    expect(thief.lastRaw()).toBe('{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}');
    expect((await thief.closed).code).toBe(1005);
    await expectNothingPending(first);

    // The same client on a new socket (its old one not yet seen dead): it takes the id over.
    const again = await openPeer(base, 'alice', 'token-1');
    expect((await first.closed).code).toBe(4001);
    const bob = await openPeer(base, 'bob');
    bob.send({ type: 'OFFER', dst: 'alice', payload: 'x' });
    expect(await again.next()).toMatchObject({ type: 'OFFER', src: 'bob' });
    expect(signaling.peerCount).toBe(2);
  });

  it('concurrent_limit: at the limit a new id gets ERROR; the limit counts PeerJS clients, a takeover is not one more', async () => {
    const { base } = await peerServer({ concurrent_limit: 2 });
    await openPeer(base, 'a');
    await openPeer(base, 'b', 'tb');
    const third = await TestClient.open(peerjsUrl(base, { id: 'c' }), { welcome: false });
    expect(await third.next()).toEqual({ type: 'ERROR', payload: { msg: 'Server has reached its concurrent user limit' } });
    await third.closed;
    await openPeer(base, 'b', 'tb');
  });

  it('holds a message for an id not connected yet and delivers it, in order, right after its OPEN', async () => {
    const { base } = await peerServer();
    const alice = await openPeer(base, 'alice');
    alice.send({ type: 'OFFER', dst: 'bob', payload: { n: 1 } });
    alice.send({ type: 'CANDIDATE', dst: 'bob', payload: { n: 2 } });
    alice.send({ type: 'LEAVE', dst: 'bob' }); // never held, as in the original
    await expectNothingPending(alice);
    const bob = await TestClient.open(peerjsUrl(base, { id: 'bob' }), { welcome: false });
    expect(await bob.next()).toEqual({ type: 'OPEN' });
    expect(await bob.next()).toEqual({ type: 'OFFER', src: 'alice', dst: 'bob', payload: { n: 1 } });
    expect(await bob.next()).toEqual({ type: 'CANDIDATE', src: 'alice', dst: 'bob', payload: { n: 2 } });
    bob.id = 'bob';
    await expectNothingPending(bob);
  });

  it('after expire_timeout a held offer expires: its sender gets one EXPIRE {src: absent id, dst: sender}', async () => {
    const { base } = await peerServer({ expire_timeout: 50 });
    const alice = await openPeer(base, 'alice');
    const carol = await openPeer(base, 'carol');
    alice.send({ type: 'OFFER', dst: 'nobody', payload: { n: 1 } });
    alice.send({ type: 'CANDIDATE', dst: 'nobody', payload: { n: 2 } });
    carol.send({ type: 'OFFER', dst: 'nobody', payload: { n: 3 } });
    expect(await alice.next()).toEqual({ type: 'EXPIRE', src: 'nobody', dst: 'alice' });
    expect(alice.lastRaw()).toBe('{"type":"EXPIRE","src":"nobody","dst":"alice"}');
    expect(await carol.next()).toEqual({ type: 'EXPIRE', src: 'nobody', dst: 'carol' });
    await expectNothingPending(alice);
    // Expired means dropped: the id connecting later gets nothing.
    const late = await openPeer(base, 'nobody');
    await expectNothingPending(late);
  });

  it('bounds what one sender keeps waiting by maxBufferedBytes: past it, EXPIRE at once', async () => {
    const payload = 'x'.repeat(600);
    const { base } = await peerServer({}, { maxBufferedBytes: 1000 });
    const alice = await openPeer(base, 'alice');
    alice.send({ type: 'OFFER', dst: 'bob', payload }); // ~650 bytes: held
    alice.send({ type: 'OFFER', dst: 'carol', payload }); // over 1000 in all: refused
    expect(await alice.next()).toEqual({ type: 'EXPIRE', src: 'carol', dst: 'alice' });
    const bob = await openPeer(base, 'bob');
    expect(await bob.next()).toMatchObject({ type: 'OFFER', src: 'alice', payload });
  });

  it('alive_timeout: a client that sends nothing for that long is cut and its id freed', async () => {
    const { base, signaling } = await peerServer({ alive_timeout: 100 });
    const alice = await openPeer(base, 'alice');
    const left = new Promise((resolve) => signaling.on('peer:disconnect', ({ reason }) => resolve(reason)));
    await alice.closed;
    expect(await left).toBe('alive-timeout');
    expect(signaling.peer('alice')).toBeUndefined();
  });
});

describe('peerjs dialect: the HTTP API', () => {
  it('GET <path>/ is the info document, GET <path>/<key>/id a fresh id as text, /peers 401 without discovery', async () => {
    const { httpUrl } = await peerServer();
    for (const path of ['/myapp', '/myapp/']) {
      const info = await fetch(`${httpUrl}${path}`);
      expect(info.status).toBe(200);
      expect(await info.json()).toEqual({
        name: 'PeerJS Server',
        description: 'A server side element to broker connections between PeerJS clients.',
        website: 'http://peerjs.com/',
      });
    }
    const id = await fetch(`${httpUrl}/myapp/peerjs/id?ts=1&version=1.5.5`, { headers: { origin: 'https://app.example' } });
    expect(id.status).toBe(200);
    expect(id.headers.get('content-type')).toMatch(/^text\/html/);
    expect(id.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(await id.text()).toMatch(UUID_V4);
    expect((await fetch(`${httpUrl}/myapp/peerjs/peers`)).status).toBe(401);
    // Another key is not ours: it falls through to the server's own 404.
    expect((await fetch(`${httpUrl}/myapp/other/id`)).status).toBe(404);
  });

  it('allow_discovery lists the connected ids; generateClientId makes the ids', async () => {
    let n = 0;
    const { httpUrl, base } = await peerServer({ allow_discovery: true, generateClientId: () => `id${++n}` });
    expect(await (await fetch(`${httpUrl}/myapp/peerjs/id`)).text()).toBe('id1');
    await openPeer(base, 'id1');
    // A generated id connected here already is skipped.
    n = 0;
    expect(await (await fetch(`${httpUrl}/myapp/peerjs/id`)).text()).toBe('id2');
    await openPeer(base, 'x');
    expect(await (await fetch(`${httpUrl}/myapp/peerjs/peers`)).json()).toEqual(['id1', 'x']);
  });

  it('mounts on an app server next to its own routes with attachSignaling, and goes away on close', async () => {
    const server = http.createServer((_request, response) => response.end('app'));
    const signaling = attachSignaling(server, { path: '/signal', peerjs: { path: '/p2p' } });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const http_ = `http://127.0.0.1:${port}`;
    expect(await (await fetch(`${http_}/`)).text()).toBe('app');
    expect(await (await fetch(`${http_}/p2p/peerjs/id`)).text()).toMatch(UUID_V4);
    const alice = await openPeer(`ws://127.0.0.1:${port}/p2p`, 'alice');
    alice.send({ type: 'OFFER', dst: 'alice', payload: 1 });
    expect(await alice.next()).toMatchObject({ type: 'OFFER', src: 'alice' });
    await signaling.close();
    expect(await (await fetch(`${http_}/p2p/peerjs/id`)).text()).toBe('app');
  });

  it('refuses bad PeerServer options with exact messages', async () => {
    const server = http.createServer();
    expect(() => attachSignaling(server, { peerjs: { path: 'myapp' } })).toThrow('options.peerjs.path must start with "/", got "myapp" (string)');
    expect(() => attachSignaling(server, { peerjs: { expire_timeout: 0 } })).toThrow('options.peerjs.expire_timeout must be an integer >= 1, got 0');
    expect(() => attachSignaling(server, { peerjs: { allowDiscovery: true } as never })).toThrow(/options\.peerjs\.allowDiscovery is not an option/);
  });
});
