/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed, onTestFinished } from 'vitest';
import { redisBackplane } from '../../src/cluster/redis.js';
import { browserTestsRun, launchChromium, warnIfSkipped } from '../helpers/chromium.js';
import { servePackages } from '../helpers/page-server.js';
import { REDIS_URL, redisAnswers } from '../helpers/redis.js';
import { startServer } from '../helpers/server.js';

warnIfSkipped('test/browser/peerjs.test.ts');
const haveRedis = await redisAnswers();

/** What the pages do, with the unmodified `peerjs` package: plain app code, as in its README. */
declare global {
  interface Window {
    PeerJS: typeof import('peerjs');
    peer: import('peerjs').Peer;
    received: unknown[];
    streams: number;
  }
}

describe.skipIf(!browserTestsRun)('the real peerjs client (1.5) in Chromium through signalroom', () => {
  let browser: Browser;
  let page: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    page = await servePackages("export * from 'peerjs';", 'PeerJS');
    // A fake camera, and no permission prompt for it.
    browser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await page?.close();
  });

  const log: string[] = [];

  /** A page whose Peer, from a server at `port` and path `/myapp`, is open; resolves with it and its id. */
  async function openPeer(port: number, name: string): Promise<{ tab: Page; id: string }> {
    const context = await browser.newContext();
    onTestFinished(() => context.close());
    const tab = await context.newPage();
    tab.on('console', (message) => log.push(`${name} ${message.type()}: ${message.text()}`));
    tab.on('pageerror', (error) => log.push(`${name} pageerror: ${error.message}`));
    await tab.goto(page.url);
    const id = await tab.evaluate(
      (port) =>
        new Promise<string>((resolve, reject) => {
          // An app changes one thing to use signalroom: where its PeerServer is.
          const peer = new window.PeerJS.Peer({ host: '127.0.0.1', port, path: '/myapp', config: { iceServers: [] }, debug: 2 });
          window.peer = peer;
          window.received = [];
          window.streams = 0;
          peer.on('connection', (connection) => connection.on('data', (data) => window.received.push(data)));
          peer.on('call', (call) => {
            call.on('stream', (stream) => (window.streams = stream.getVideoTracks().length));
            call.answer();
          });
          peer.on('open', resolve);
          peer.on('error', (error) => reject(new Error(String(error))));
        }),
      port,
    );
    return { tab, id };
  }

  /** Alice opens a DataConnection to Bob and sends a message, then calls him with her fake camera. */
  async function dataAndMedia(alicePort: number, bobPort: number): Promise<void> {
    onTestFailed(() => console.error('browser log:\n', log.join('\n')));
    const alice = await openPeer(alicePort, 'alice');
    const bob = await openPeer(bobPort, 'bob');
    await alice.tab.evaluate(
      (bobId) =>
        new Promise<void>((resolve) => {
          const connection = window.peer.connect(bobId);
          connection.on('open', () => {
            connection.send({ text: 'hello over a PeerJS DataConnection' });
            resolve();
          });
        }),
      bob.id,
    );
    await bob.tab.waitForFunction(() => window.received.length === 1, null, { timeout: 30_000 });
    expect(await bob.tab.evaluate(() => window.received)).toEqual([{ text: 'hello over a PeerJS DataConnection' }]);

    await alice.tab.evaluate(async (bobId) => {
      const camera = await navigator.mediaDevices.getUserMedia({ video: true });
      window.peer.call(bobId, camera);
    }, bob.id);
    await bob.tab.waitForFunction(() => window.streams > 0, null, { timeout: 30_000 });
    expect(await bob.tab.evaluate(() => window.streams)).toBe(1);
  }

  it('two Peers on one node: a DataConnection message, and a MediaConnection whose stream reaches the callee', async () => {
    const server = await startServer({ peerjs: { path: '/myapp' } });
    const port = Number(new URL(server.url).port);
    await dataAndMedia(port, port);
  }, 90_000);

  it.skipIf(!haveRedis)('two Peers on two nodes of a Redis cluster reach each other by id', async () => {
    const prefix = `signalroom-test:${globalThis.crypto.randomUUID()}:`;
    const nodes = [];
    for (let i = 0; i < 2; i++) {
      nodes.push(await startServer({ peerjs: { path: '/myapp' }, backplane: redisBackplane({ url: REDIS_URL, prefix }) }));
    }
    await Promise.all(nodes.map((node) => node.signaling.whenReady()));
    const [one, two] = nodes.map((node) => Number(new URL(node.url).port)) as [number, number];
    await dataAndMedia(one, two);
  }, 90_000);
});
