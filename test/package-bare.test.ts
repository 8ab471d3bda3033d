import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshProject, runNode, typecheckProject, type FreshProject } from './helpers/pack.js';

// A project that installed signalroom and nothing else (but @types/node, for tsc): every optional peer is missing.
describe('the package without its optional peer dependencies', () => {
  let project: FreshProject;

  beforeAll(async () => {
    project = await freshProject('signalroom-bare-', ['@types/node@20']);
  }, 180_000);

  afterAll(async () => {
    await project?.remove();
  });

  it.each([
    ['signalroom/fastify', 'fastify-plugin'],
    ['signalroom/redis', 'ioredis'],
    ['signalroom/metrics', 'prom-client'],
  ])('import %s without %s says which package to install', async (subpath, peer) => {
    const message = `${subpath} needs the package "${peer}", which is not installed. Install it: npm install ${peer}`;
    const esm = await runNode(project.dir, ['--input-type=module', '-e', `await import('${subpath}')`]);
    expect(esm.code).not.toBe(0);
    expect(esm.stderr).toContain(message);
    const cjs = await runNode(project.dir, ['-e', `require('${subpath}')`]);
    expect(cjs.code).not.toBe(0);
    expect(cjs.stderr).toContain(message);
  });

  it('signalroom, signalroom/express and signalroom/client load without any framework (express is never imported)', async () => {
    const script = `
      const { attachSignaling } = await import('signalroom');
      const { expressSignaling } = await import('signalroom/express');
      const { SignalingClient } = await import('signalroom/client');
      console.log([attachSignaling, expressSignaling, SignalingClient].map((f) => typeof f).join(' '));`;
    const result = await runNode(project.dir, ['--input-type=module', '-e', script]);
    expect(result).toMatchObject({ code: 0, stdout: 'function function function\n' });
  });

  it('the standalone server with REDIS_URL but no ioredis refuses to start, saying what to install', async () => {
    const result = await runNode(project.dir, ['node_modules/signalroom/dist/cli.js'], {
      REDIS_URL: 'redis://127.0.0.1:6379',
      PORT: '0',
      HOST: '127.0.0.1',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('REDIS_URL is set: the Redis backplane needs the package "ioredis", which is not installed. Install it: npm install ioredis');
  });

  it("the main entry's and signalroom/express's types need neither prom-client nor express, and signalroom/client/browser has types (strict, skipLibCheck: false)", async () => {
    await writeFile(
      join(project.dir, 'check.mts'),
      `import http from 'node:http';
       import { attachSignaling } from 'signalroom';
       import { createStandaloneServer } from 'signalroom/standalone';
       import type { MetricsHandle } from 'signalroom/ops';
       import { expressSignaling, type ExpressAppLike } from 'signalroom/express';
       import { SignalingClient } from 'signalroom/client';
       import { PeerMesh } from 'signalroom/client/browser';
       const signaling = attachSignaling(http.createServer(), { path: '/signal' });
       const standalone = createStandaloneServer();
       const metrics: Promise<MetricsHandle | undefined> = standalone.metrics;
       declare const app: ExpressAppLike;
       expressSignaling(app, http.createServer(), { path: '/signal' });
       export { signaling, metrics, SignalingClient, PeerMesh };`,
    );
    await writeFile(
      join(project.dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, skipLibCheck: false, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, types: ['node'] },
        files: ['check.mts'],
      }),
    );
    expect(await typecheckProject(project.dir)).toBe('');
  }, 60_000);
});
