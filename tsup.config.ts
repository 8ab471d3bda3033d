import { defineConfig, type Options } from 'tsup';

// Source maps map stack traces back to src/ file and line, without a copy of every source inside (which was
// more than half of the unpacked package).
const leanSourceMaps: Options['esbuildOptions'] = (options) => {
  options.sourcesContent = false;
};

export default defineConfig([
  {
    // The library: ESM + CJS + types, one entry per subpath export. Splitting puts the shared code in one chunk,
    // so `signalroom` and `signalroom/express` share one SignalingServer class instead of two copies.
    entry: {
      index: 'src/index.ts',
      standalone: 'src/standalone.ts',
      ops: 'src/ops/index.ts',
      auth: 'src/auth/index.ts',
      cluster: 'src/cluster/index.ts',
      peerjs: 'src/peerjs.ts',
      express: 'src/adapters/express.ts',
      fastify: 'src/adapters/fastify.ts',
      client: 'src/client/index.ts',
      metrics: 'src/ops/metrics.ts',
      redis: 'src/cluster/redis.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    esbuildOptions: leanSourceMaps,
    // import.meta.url in the CJS build too (optional peers are loaded through createRequire).
    shims: true,
    clean: true,
    target: 'node20',
    splitting: true,
  },
  {
    // The client for a page without a bundler: one ES module with eventemitter3 inside.
    entry: { 'signalroom-client': 'src/client/index.ts' },
    outDir: 'dist/browser',
    format: ['esm'],
    platform: 'browser',
    target: 'es2020',
    noExternal: ['eventemitter3'],
    sourcemap: true,
    esbuildOptions: leanSourceMaps,
  },
  {
    // The standalone server: ESM only, with a shebang so `npx signalroom` runs it.
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    // Code-split, so prom-client is imported only when metrics load, never at startup.
    splitting: true,
    sourcemap: true,
    esbuildOptions: leanSourceMaps,
    shims: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
