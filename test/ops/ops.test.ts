/// <reference lib="dom" />
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { expressSignaling } from '../../src/adapters/express.js';
import signalroom from '../../src/adapters/fastify.js';
import { attachSignaling } from '../../src/index.js';
import { createOpsRoutes, type Logger } from '../../src/ops/index.js';
import { signToken } from '../../src/auth/index.js';
import { browserTestsRun, launchChromium, warnIfSkipped } from '../helpers/chromium.js';
import { TestClient } from '../helpers/client.js';
import { startCli } from '../helpers/cli.js';
import { startServer } from '../helpers/server.js';

warnIfSkipped('test/ops/ops.test.ts (dashboard)');

/** Parses Prometheus exposition text into `name{labels}` → value. */
function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

/** Sends known traffic: two peers in a room, 3 offers, 2 candidates, 1 app message, 2 errors, then one leaves. */
async function knownTraffic(url: string) {
  const a = await TestClient.open(url);
  const b = await TestClient.open(url);
  for (const client of [a, b]) {
    client.send({ type: 'join-room', room: 'ops' });
    await client.next();
    await client.next();
  }
  await a.next();
  for (let i = 0; i < 3; i++) a.send({ type: 'offer', to: b.id, offer: { sdp: `o${i}` } });
  for (let i = 0; i < 2; i++) b.send({ type: 'ice-candidate', to: a.id, candidate: { candidate: `c${i}` } });
  a.send({ type: 'chat', text: 'hi' });
  for (let i = 0; i < 4; i++) await b.next();
  for (let i = 0; i < 2; i++) await a.next();
  a.send('not json');
  await a.next();
  a.send({ type: 'offer', to: 'nobody', offer: {} });
  await a.next();
  return { a, b };
}

describe('GET /metrics', () => {
  it('reports exactly the traffic sent, in Prometheus conventions', async () => {
    const { url, httpUrl, signaling, metrics: loaded } = await startServer();
    // prom-client loads on demand; frame timing starts once it has.
    expect(await loaded).toBeDefined();
    const { a, b } = await knownTraffic(url);
    const left = new Promise((resolve) => signaling.once('peer:disconnect', resolve));
    await b.close();
    await left;
    const response = await fetch(`${httpUrl}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const metrics = parseMetrics(await response.text());
    expect(metrics.get('signalroom_connections')).toBe(1);
    expect(metrics.get('signalroom_peers')).toBe(1);
    expect(metrics.get('signalroom_rooms')).toBe(1);
    expect(metrics.get('signalroom_connects_total')).toBe(2);
    expect(metrics.get('signalroom_joins_total')).toBe(2);
    expect(metrics.get('signalroom_signals_relayed_total{type="offer"}')).toBe(3);
    expect(metrics.get('signalroom_signals_relayed_total{type="candidate"}')).toBe(2);
    expect(metrics.get('signalroom_signals_relayed_total{type="other"}')).toBe(1);
    expect(metrics.get('signalroom_errors_total{code="invalid-message"}')).toBe(1);
    expect(metrics.get('signalroom_errors_total{code="target-unavailable-or-different-room"}')).toBe(1);
    expect(metrics.get('signalroom_leaves_total{reason="disconnected"}')).toBe(1);
    expect(metrics.get('signalroom_disconnects_total{reason="closed"}')).toBe(1);
    expect(metrics.get('signalroom_backplane_up')).toBe(1);
    // Every frame handled after metrics loaded was timed: 2 joins + 6 signals + 2 bad frames at least.
    expect(metrics.get('signalroom_message_handling_seconds_count')).toBeGreaterThanOrEqual(10);
    void a;
  });
});

describe('logging', () => {
  it('is silent by default and logs one line per connection event through an injected logger', async () => {
    const write = vi.spyOn(process.stdout, 'write');
    const quiet = await startServer({ metrics: false, dashboard: false });
    const client = await TestClient.open(quiet.url);
    await client.close();
    expect(write).not.toHaveBeenCalled();
    write.mockRestore();

    const lines: Array<[string, Record<string, unknown>, string | undefined]> = [];
    const at = (level: string) => (object: Record<string, unknown>, message?: string) => void lines.push([level, object, message]);
    const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const { url, signaling } = await startServer({ logger });
    const logged = await TestClient.open(url);
    const gone = new Promise((resolve) => signaling.once('peer:disconnect', resolve));
    await logged.close();
    await gone;
    expect(lines.filter(([level]) => level === 'info').map(([, object]) => [object.event, object.peer])).toEqual([
      ['peer:connect', logged.id],
      ['peer:disconnect', logged.id],
    ]);
  });

  it('the standalone server writes JSON lines at LOG_LEVEL', async () => {
    const cli = await startCli({ LOG_LEVEL: 'debug' });
    const client = await TestClient.open(`ws://127.0.0.1:${cli.port}`);
    client.send({ type: 'join-room', room: 'logged' });
    await client.next();
    await client.next();
    cli.child.kill('SIGTERM');
    await cli.exited;
    const events = cli
      .output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; level: number });
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining(['listening', 'peer:connect', 'room:join', 'shutdown', 'room:leave', 'peer:disconnect']),
    );
  });
});

describe('health', () => {
  it('answers /healthz and /readyz; /readyz turns 503 when signaling closes', async () => {
    const server = http.createServer((request, response) => void (ops(request, response) || response.writeHead(404).end()));
    const signaling = attachSignaling(server);
    const ops = createOpsRoutes(signaling);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
    await signaling.close();
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});

describe('TURN credentials (coturn use-auth-secret)', () => {
  const turn = { secret: 'coturn static-auth-secret', urls: ['turn:turn.example.com:3478?transport=udp'], ttl: 600 };

  /** What coturn does: recompute HMAC-SHA1(secret, username), check it and the expiry. */
  function coturnAccepts(username: string, credential: string, now = Date.now()): boolean {
    const expected = createHmac('sha1', turn.secret).update(username).digest('base64');
    return expected === credential && Number(username.split(':')[0]) > now / 1000;
  }

  it('sends every peer that asks for extensions iceServers bound to its id right after connecting, in each dialect', async () => {
    const { url } = await startServer({ turn });
    const consoleClient = await TestClient.open(`${url}/?extensions=1`);
    const frame = await consoleClient.next();
    expect(frame.type).toBe('ice-servers');
    const [server] = frame.iceServers as Array<{ urls: string[]; username: string; credential: string }>;
    expect(server?.urls).toEqual(turn.urls);
    expect(server?.username.split(':')[1]).toBe(consoleClient.id);
    expect(Number(server?.username.split(':')[0])).toBeGreaterThan(Date.now() / 1000 + turn.ttl - 5);
    expect(coturnAccepts(server?.username as string, server?.credential as string)).toBe(true);
    expect(coturnAccepts(server?.username as string, 'forged')).toBe(false);

    const connector = await TestClient.open(`${url}/?extensions=1`, { protocols: 'signalroom.connector.v1' });
    expect(await connector.next()).toMatchObject({ type: 'info', event: 'ICE_Servers', data: { iceServers: [{ urls: turn.urls }] } });
  });

  it('serves GET /ice-servers to an authenticated caller only', async () => {
    const { httpUrl } = await startServer({ turn, tokenSecret: 'app secret' });
    expect((await fetch(`${httpUrl}/ice-servers`)).status).toBe(401);
    const token = await signToken('app secret', { id: 'carol' });
    const response = await fetch(`${httpUrl}/ice-servers?token=${token}`);
    expect(response.status).toBe(200);
    const { iceServers } = (await response.json()) as { iceServers: Array<{ username: string; credential: string }> };
    expect(iceServers[0]?.username).toMatch(/^\d+:carol$/);
    expect(coturnAccepts(iceServers[0]?.username as string, iceServers[0]?.credential as string)).toBe(true);
  });

  it('answers 404 on /ice-servers without TURN configured', async () => {
    const { httpUrl } = await startServer();
    expect((await fetch(`${httpUrl}/ice-servers`)).status).toBe(404);
  });
});

describe('adapters mount the operational routes on request', () => {
  it('Express: health and metrics', async () => {
    const app = express();
    const server = http.createServer(app);
    const signaling = expressSignaling(app, server, { health: true, metrics: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(async () => {
      await signaling.close();
      await new Promise((resolve) => server.close(resolve));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('signalroom_peers 0');
  });

  it('Fastify: health, metrics and the dashboard', async () => {
    const app: FastifyInstance = Fastify();
    await app.register(signalroom, { health: true, metrics: true, dashboard: true });
    await app.listen({ port: 0, host: '127.0.0.1' });
    onTestFinished(() => app.close());
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('signalroom_rooms 0');
    expect(await (await fetch(`${base}/dashboard`)).text()).toContain('<title>signalroom dashboard</title>');
    expect(await (await fetch(`${base}/dashboard/data`)).json()).toMatchObject({ peers: 0, rooms: [] });
  });
});

describe('the standalone server', () => {
  it('answers /metrics, /healthz, /readyz, /ice-servers and /dashboard', async () => {
    const cli = await startCli({ TURN_SECRET: 's', TURN_URLS: 'turn:turn.example.com:3478', TURN_TTL: '60', LOG_LEVEL: 'warn' });
    const base = `http://127.0.0.1:${cli.port}`;
    for (const path of ['/metrics', '/healthz', '/readyz', '/ice-servers', '/dashboard', '/dashboard/data', '/status']) {
      expect([path, (await fetch(`${base}${path}`)).status]).toEqual([path, 200]);
    }
  });
});

describe.skipIf(!browserTestsRun)('GET /dashboard in headless Chromium', () => {
  it('shows the rooms, peers and totals that match the traffic sent', async () => {
    const { url, httpUrl } = await startServer();
    const { a, b } = await knownTraffic(url);
    const browser = await launchChromium();
    onTestFinished(() => browser.close());
    const page = await browser.newPage();
    await page.goto(`${httpUrl}/dashboard`);
    await page.waitForFunction(() => document.querySelector('#signals')?.textContent === '6');
    // Traffic while the page watches shows up as a rate on the chart.
    for (let i = 0; i < 20; i++) a.send({ type: 'offer', to: b.id, offer: {} });
    for (let i = 0; i < 20; i++) await b.next();
    await page.waitForFunction(() => document.querySelector('#signals')?.textContent === '26', null, { timeout: 10_000 });
    // Three polls give two rates, so the chart draws lines (two series, a dot per rate).
    await page.waitForFunction(() => document.querySelectorAll('#chart circle').length >= 4, null, { timeout: 10_000 });
    expect(await page.textContent('#errors')).toBe('2');
    expect(await page.textContent('#peers')).toBe('2');
    expect(await page.textContent('#rooms')).toContain(a.id);
    expect(await page.textContent('#rooms')).toContain(b.id);
    const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}dashboard.png`, fullPage: true });
  }, 30_000);
});
