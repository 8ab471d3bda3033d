/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed, onTestFinished } from 'vitest';
import { redisBackplane } from '../../src/cluster/redis.js';
import { browserTestsRun, launchChromium, warnIfSkipped } from '../helpers/chromium.js';
import { servePackages } from '../helpers/page-server.js';
import { REDIS_URL, redisAnswers } from '../helpers/redis.js';
import { startServer } from '../helpers/server.js';

warnIfSkipped('test/browser/ywebrtc.test.ts');
const haveRedis = await redisAnswers();

declare global {
  interface Window {
    YW: typeof import('y-webrtc') & { Y: typeof import('yjs') };
    doc: import('yjs').Doc;
  }
}

describe.skipIf(!browserTestsRun)('the real y-webrtc provider in Chromium through signalroom', () => {
  let browser: Browser;
  let page: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    page = await servePackages("export * from 'y-webrtc'; export * as Y from 'yjs';", 'YW');
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await page?.close();
  });

  const log: string[] = [];

  /** A page with a Y.Doc shared through a WebrtcProvider whose signaling server is signalroom at `port`. */
  async function openDoc(port: number, room: string, name: string): Promise<Page> {
    // Separate contexts: the two pages cannot meet through a BroadcastChannel, only over WebRTC.
    const context = await browser.newContext();
    onTestFinished(() => context.close());
    const tab = await context.newPage();
    tab.on('console', (message) => log.push(`${name} ${message.type()}: ${message.text()}`));
    tab.on('pageerror', (error) => log.push(`${name} pageerror: ${error.message}`));
    await tab.goto(page.url);
    await tab.evaluate(
      ({ port, room }) => {
        const doc = new window.YW.Y.Doc();
        window.doc = doc;
        // An app changes one thing to use signalroom: its signaling URL.
        new window.YW.WebrtcProvider(room, doc, { signaling: [`ws://127.0.0.1:${port}/yjs`], peerOpts: { config: { iceServers: [] } } });
      },
      { port, room },
    );
    return tab;
  }

  async function syncEdit(alicePort: number, bobPort: number): Promise<void> {
    onTestFailed(() => console.error('browser log:\n', log.join('\n')));
    const room = `doc-${globalThis.crypto.randomUUID()}`;
    const alice = await openDoc(alicePort, room, 'alice');
    const bob = await openDoc(bobPort, room, 'bob');
    await alice.evaluate(() => window.doc.getText('t').insert(0, 'hello from alice'));
    await bob.waitForFunction(() => window.doc.getText('t').toString() === 'hello from alice', null, { timeout: 30_000 });
    await bob.evaluate(() => window.doc.getText('t').insert(0, '» '));
    await alice.waitForFunction(() => window.doc.getText('t').toString() === '» hello from alice', null, { timeout: 30_000 });
    expect(await alice.evaluate(() => window.doc.getText('t').toString())).toBe('» hello from alice');
  }

  it('two providers on one node sync a Y.Doc edit both ways', async () => {
    const server = await startServer({ dialects: { '/yjs': 'ywebrtc' } });
    const port = Number(new URL(server.url).port);
    await syncEdit(port, port);
  }, 90_000);

  it.skipIf(!haveRedis)('two providers on two nodes of a Redis cluster sync through one topic', async () => {
    const prefix = `signalroom-test:${globalThis.crypto.randomUUID()}:`;
    const nodes = [];
    for (let i = 0; i < 2; i++) nodes.push(await startServer({ dialects: { '/yjs': 'ywebrtc' }, backplane: redisBackplane({ url: REDIS_URL, prefix }) }));
    await Promise.all(nodes.map((node) => node.signaling.whenReady()));
    const [one, two] = nodes.map((node) => Number(new URL(node.url).port)) as [number, number];
    await syncEdit(one, two);
  }, 90_000);
});
