import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

// A frame exchange both scripts perform: two peers join, one offer travels, the server closes.
const EXCHANGE = `
  const { port } = server.address();
  const open = (url) => new Promise((resolve) => {
    const ws = new WebSocket(url);
    const frames = [];
    const waiters = [];
    ws.on('message', (data) => {
      const f = JSON.parse(data);
      if (f.type === 'resume-token') return;
      const w = waiters.shift();
      w ? w(f) : frames.push(f);
    });
    ws.next = () => frames.length ? Promise.resolve(frames.shift()) : new Promise((r) => waiters.push(r));
    ws.on('open', () => resolve(ws));
  });
  const a = await open('ws://127.0.0.1:' + port + '/signal');
  const b = await open('ws://127.0.0.1:' + port + '/signal');
  const idA = (await a.next()).id, idB = (await b.next()).id;
  a.send(JSON.stringify({ type: 'join-room', room: 'r' })); await a.next(); await a.next();
  b.send(JSON.stringify({ type: 'join-room', room: 'r' })); await b.next(); await b.next(); await a.next();
  a.send(JSON.stringify({ type: 'offer', to: idB, offer: { sdp: 'v=0' } }));
  const got = await b.next();
  if (got.from !== idA || got.offer.sdp !== 'v=0') throw new Error('bad relay ' + JSON.stringify(got));
  a.close(); b.close();
  await signaling.close();
  server.close();
  console.log('exchanged one signal');
`;

const ESM = `
import http from 'node:http';
import { WebSocket } from 'ws';
import { attachSignaling } from 'signalroom';
const server = http.createServer();
const signaling = attachSignaling(server, { path: '/signal' });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
${EXCHANGE}
`;

const CJS = `
const http = require('node:http');
const { WebSocket } = require('ws');
const { attachSignaling } = require('signalroom');
const loaded = Object.keys(require.cache).filter((p) => /node_modules[\\\\/](express|fastify)[\\\\/]/.test(p));
if (loaded.length > 0) throw new Error('importing signalroom loaded ' + loaded.join(', '));
const express = require('express');
const { expressSignaling } = require('signalroom/express');
(async () => {
  const app = express();
  const server = http.createServer(app);
  const signaling = expressSignaling(app, server, { path: '/signal' });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  ${EXCHANGE}
})().catch((error) => { console.error(error); process.exit(1); });
`;

const TYPES = `
import http from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { attachSignaling, SignalingCore, SignalingError, type PeerInfo, type SignalingOptions, type SignalingServer } from 'signalroom';
import { createStandaloneServer } from 'signalroom/standalone';
import { createOpsRoutes, jsonLogger } from 'signalroom/ops';
import { signToken, verifyToken } from 'signalroom/auth';
import { MemoryBackplane, type Backplane } from 'signalroom/cluster';
import { createPeerjsRoutes } from 'signalroom/peerjs';
import { expressSignaling } from 'signalroom/express';
import signalroom from 'signalroom/fastify';
import { SignalingClient, PeerMesh, type SignalingClientOptions } from 'signalroom/client';
import { createMetrics, type SignalingMetrics } from 'signalroom/metrics';
import { redisBackplane } from 'signalroom/redis';

const options: SignalingOptions = { maxPeersPerRoom: 4, dialect: 'connector' };
const signaling = attachSignaling(http.createServer(), { ...options, path: '/signal' });
signaling.on('room:join', ({ room, peer }: { room: { id: string }; peer: PeerInfo }) => room.id + peer.id);
const core: SignalingCore = new SignalingCore({ maxPeersPerRoom: 4 });
// @ts-expect-error: the core (and what the transport and the cluster drive in it) is not on the user's handle
void signaling.core;
// @ts-expect-error: nor is the cluster's internal API on the core
void core.applyJoin;
const withData = attachSignaling<{ userId: string }>(http.createServer(), { authenticate: () => ({ data: { userId: 'u1' } }) });
withData.on('peer:connect', ({ peer }) => peer.data.userId.toUpperCase());
const room: Promise<{ id: string }> = withData.join('p1', 'lobby');
void room;
const backplane: Backplane = new MemoryBackplane().node();
void [createStandaloneServer, createOpsRoutes, jsonLogger, signToken, verifyToken, createPeerjsRoutes, backplane];
const error = new SignalingError('room-full');
const code: 'room-full' = error.code as 'room-full';
const app = express();
expressSignaling(app, http.createServer(app), { statusPath: false });
const fastify = Fastify();
await fastify.register(signalroom, { path: '/rtc' });
const typed: SignalingServer = fastify.signaling;
// @ts-expect-error: options are checked
attachSignaling(http.createServer(), { maxPeersPerRoom: 'many' });
const clientOptions: SignalingClientOptions = { room: 'r', reconnect: { initialDelay: 100 } };
const client = new SignalingClient('ws://127.0.0.1:1/signal', clientOptions);
client.on('peer-joined', (peerId: string) => peerId.length);
const mesh: typeof PeerMesh = PeerMesh;
const metrics: SignalingMetrics = createMetrics(signaling);
const clustered = attachSignaling(http.createServer(), { backplane: redisBackplane({ url: 'redis://127.0.0.1:6379' }) });
void clustered;
export { core, code, typed, mesh, metrics };
`;

describe('the published package', () => {
  let project: string;
  let tarball: string;

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'signalroom-pack-'));
    // npm test has just built dist/; pack it as npm publish would.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', project, '--silent'], { cwd: repo });
    tarball = join(project, stdout.trim().split('\n').pop() as string);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--silent', tarball, 'express@5', 'fastify@5', 'fastify-plugin', 'prom-client@15', 'ioredis@5', '@types/express@5', '@types/node@20', '@types/ws@8'],
      { cwd: project },
    );
  }, 180_000);

  afterAll(async () => {
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('ships dist, README, CHANGELOG, SECURITY and LICENSE (what the README links), and no sources or tests', async () => {
    const installed = join(project, 'node_modules', 'signalroom');
    const files = await readdir(installed);
    expect(files.sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'SECURITY.md', 'dist', 'docs', 'package.json']);
    expect((await readdir(join(installed, 'docs'))).sort()).toEqual(['architecture.md', 'protocols.md']);
    const readme = await readFile(join(installed, 'README.md'), 'utf8');
    for (const [, target] of readme.matchAll(/\]\(([^)#]+)\)/g)) {
      if (/^https?:/.test(target as string) || (target as string).startsWith('bench/')) continue;
      expect(await stat(join(installed, target as string)).then(() => true, () => false), `README links ${target}`).toBe(true);
    }
  });

  it('type-checks every TypeScript block of the README as written, strict and with skipLibCheck: false', async () => {
    const readme = await readFile(join(repo, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```(?:ts|typescript|js|javascript)\n([\s\S]*?)```/g)].map((match) => match[1] as string);
    expect(blocks.length).toBeGreaterThanOrEqual(9);
    const dir = join(project, 'readme');
    await mkdir(dir, { recursive: true });
    const files = await Promise.all(
      blocks.map(async (block, i) => {
        await writeFile(join(dir, `block-${i + 1}.mts`), block);
        return `block-${i + 1}.mts`;
      }),
    );
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          skipLibCheck: false,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          noEmit: true,
          types: ['node'],
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
        },
        files,
      }),
    );
    const result = await run(process.execPath, [tsc, '-p', dir], { cwd: dir }).catch((error) => error);
    expect(result.stdout ?? '').toBe('');
  }, 90_000);

  it('type-checks a TypeScript file that uses every subpath export', async () => {
    await writeFile(join(project, 'check.mts'), TYPES);
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, types: ['node'], lib: ['ES2022', 'DOM'] },
        files: ['check.mts'],
      }),
    );
    const result = await run(process.execPath, [tsc, '-p', project], { cwd: project }).catch((error) => error);
    expect(result.stdout ?? '').toBe('');
  }, 60_000);

  it('runs an ESM script that attaches signaling and exchanges one signal', async () => {
    await writeFile(join(project, 'esm.mjs'), ESM);
    const { stdout } = await run(process.execPath, ['esm.mjs'], { cwd: project, timeout: 20_000 });
    expect(stdout).toContain('exchanged one signal');
  });

  it('runs a CommonJS script that does the same through signalroom/express, and signalroom alone loads no framework', async () => {
    await writeFile(join(project, 'cjs.cjs'), CJS);
    const { stdout } = await run(process.execPath, ['cjs.cjs'], { cwd: project, timeout: 20_000 });
    expect(stdout).toContain('exchanged one signal');
  });
});
