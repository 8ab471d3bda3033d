import { describe, expect, it } from 'vitest';
import { optionsFromEnv } from '../../src/env.js';
import { TestClient } from '../helpers/client.js';
import { startCli } from '../helpers/cli.js';
import { peerjsUrl } from '../helpers/peerjs.js';

describe('npx signalroom with PEERJS_* and YWEBRTC_PATH', () => {
  it('PEERJS_PATH=/myapp serves the HTTP API under /myapp and the socket at /myapp/peerjs; YWEBRTC_PATH a y-webrtc path', async () => {
    const { port } = await startCli({ PEERJS_PATH: '/myapp', PEERJS_KEY: 'k', PEERJS_DISCOVERY: 'on', YWEBRTC_PATH: '/yjs' });
    const http = `http://127.0.0.1:${port}`;
    expect((await (await fetch(`${http}/myapp`)).json()) as object).toMatchObject({ name: 'PeerJS Server' });
    const id = await (await fetch(`${http}/myapp/k/id`)).text();
    const peer = await TestClient.open(`ws://127.0.0.1:${port}/myapp/peerjs?key=k&id=${id}&token=t`, { welcome: false });
    expect(await peer.next()).toEqual({ type: 'OPEN' });
    expect(await (await fetch(`${http}/myapp/k/peers`)).json()).toEqual([id]);
    const doc = await TestClient.open(`ws://127.0.0.1:${port}/yjs`, { welcome: false });
    doc.send({ type: 'ping' });
    expect(await doc.next()).toEqual({ type: 'pong' });
    // Other paths keep the default dialect.
    const console_ = await TestClient.open(`ws://127.0.0.1:${port}/`);
    expect(console_.id).toMatch(/-/);
  });

  it('with PeerJS at / (PEERJS_KEY alone), GET / is the info document, as with `peerjs`', async () => {
    const { port } = await startCli({ PEERJS_KEY: 'k' });
    expect((await (await fetch(`http://127.0.0.1:${port}/`)).json()) as object).toMatchObject({ name: 'PeerJS Server' });
    const peer = await TestClient.open(peerjsUrl(`ws://127.0.0.1:${port}`, { id: 'alice', key: 'k' }), { welcome: false });
    expect(await peer.next()).toEqual({ type: 'OPEN' });
  });

  it('reads the variables into options, and refuses a path without its slash', () => {
    expect(optionsFromEnv({ PEERJS_PATH: '/p', PEERJS_DISCOVERY: 'off', YWEBRTC_PATH: '/y' }).options).toMatchObject({
      peerjs: { path: '/p', allow_discovery: false },
      dialects: { '/y': 'ywebrtc' },
    });
    expect(optionsFromEnv({}).options.peerjs).toBeUndefined();
    expect(() => optionsFromEnv({ PEERJS_PATH: 'myapp' })).toThrow('PEERJS_PATH must be a path starting with "/", got "myapp"');
  });
});
