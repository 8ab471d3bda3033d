/// <reference lib="dom" />
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { browserTestsRun, launchChromium, warnIfSkipped } from '../helpers/chromium.js';

warnIfSkipped('test/browser/webrtc.test.ts');

const example = fileURLToPath(new URL('../../examples/browser/server.mjs', import.meta.url));
const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** Starts the browser example on `port` (0: any) and resolves with the port it listens on. */
function startExample(port: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [example], {
    env: { ...process.env, PORT: String(port), RESUME_SECRET: 'e2e resume secret' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /localhost:(\d+)/.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`example exited with ${code}: ${output}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  return exited;
}

describe.skipIf(!browserTestsRun)('real WebRTC in headless Chromium through signalroom', () => {
  let browser: Browser;
  let server: { child: ChildProcess; port: number };

  beforeAll(async () => {
    server = await startExample(0);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await stop(server.child);
  });

  const log: string[] = [];
  let pages = 0;

  async function open(): Promise<Page> {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
    const name = `page${++pages}`;
    page.on('console', (message) => log.push(`${name} ${message.type()}: ${message.text()}`));
    await page.goto(`http://127.0.0.1:${server.port}/?room=e2e`);
    return page;
  }

  const openPeers = (page: Page) => page.evaluate(() => (window as unknown as { chat: { mesh: { openPeers: string[] } } }).chat.mesh.openPeers);
  const idOf = (page: Page) => page.evaluate(() => document.body.dataset.id as string);

  it('opens a data channel between two pages and delivers a chat message; survives a server restart', async () => {
    const alice = await open();
    const bob = await open();
    const peerStates = (page: Page) =>
      page.evaluate(() => {
        const { client, mesh } = (window as any).chat;
        return client.peers.map((id: string) => {
          const pc = mesh.connection(id);
          return { id, signaling: pc?.signalingState, connection: pc?.connectionState, ice: pc?.iceConnectionState };
        });
      });
    onTestFailed(async () => {
      console.error('browser log:\n', log.join('\n'));
      console.error('alice:', JSON.stringify(await peerStates(alice).catch(String)), 'bob:', JSON.stringify(await peerStates(bob).catch(String)));
    });
    await alice.waitForFunction(() => (window as any).chat.mesh.openPeers.length === 1, null, { timeout: 40_000 });
    await bob.waitForFunction(() => (window as any).chat.mesh.openPeers.length === 1, null, { timeout: 40_000 });
    const [aliceId, bobId] = [await idOf(alice), await idOf(bob)];
    expect(await openPeers(alice)).toEqual([bobId]);

    await alice.fill('#text', 'hello over WebRTC');
    await alice.click('#send');
    await bob.waitForFunction(() => (window as any).chat.received.some((m: { text: string }) => m.text === 'hello over WebRTC'), null, { timeout: 40_000 });
    expect(await bob.evaluate(() => (window as any).chat.received)).toEqual([{ from: aliceId, text: 'hello over WebRTC' }]);
    mkdirSync(artifacts, { recursive: true });
    await bob.screenshot({ path: `${artifacts}browser-chat.png`, fullPage: true });

    // Restart the signaling server (same port, same resume secret): both come back with their ids, in the room.
    const port = server.port;
    await stop(server.child);
    server = await startExample(port);
    for (const page of [alice, bob]) {
      await page.waitForFunction(() => document.querySelector('#state')?.textContent === 'reconnected', null, { timeout: 40_000 });
    }
    await alice.waitForFunction((id) => (window as any).chat.client.peers.includes(id), bobId, { timeout: 40_000 });
    expect([await idOf(alice), await idOf(bob)]).toEqual([aliceId, bobId]);
    const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as { rooms: Record<string, string[]> };
    expect(status.rooms.e2e?.slice().sort()).toEqual([aliceId, bobId].sort());

    // The peer-to-peer channel never depended on the server.
    expect(await openPeers(bob)).toEqual([aliceId]);
    await bob.fill('#text', 'still here');
    await bob.click('#send');
    await alice.waitForFunction(() => (window as any).chat.received.some((m: { text: string }) => m.text === 'still here'), null, { timeout: 40_000 });
    await alice.screenshot({ path: `${artifacts}browser-chat-after-restart.png`, fullPage: true });
  }, 150_000);
});
