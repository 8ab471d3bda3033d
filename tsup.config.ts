import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: ESM + CJS + types, one entry per subpath export.
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: false,
  },
  {
    // The standalone server: ESM only, with a shebang so `npx signalroom` runs it.
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
