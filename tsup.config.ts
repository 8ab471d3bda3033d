import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: ESM + CJS + types, one entry per subpath export. Splitting puts the shared code in one chunk,
    // so `signalroom` and `signalroom/express` share one SignalingServer class instead of two copies.
    entry: {
      index: 'src/index.ts',
      express: 'src/adapters/express.ts',
      fastify: 'src/adapters/fastify.ts',
      client: 'src/client/index.ts',
      metrics: 'src/ops/metrics.ts',
      redis: 'src/cluster/redis.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
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
  },
  {
    // The standalone server: ESM only, with a shebang so `npx signalroom` runs it.
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    // Code-split, so prom-client is imported only when metrics load, never at startup.
    splitting: true,
    sourcemap: true,
    shims: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
