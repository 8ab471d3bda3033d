import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';

/**
 * Bundles npm packages, unmodified, for a page (an IIFE that puts their exports on `window[globalName]`), and
 * serves it with a blank page from its own origin, as an app would. Resolves with the page's URL and a closer.
 */
export async function servePackages(exports: string, globalName: string): Promise<{ url: string; close: () => Promise<void> }> {
  const bundle = await build({
    stdin: { contents: exports, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    format: 'iife',
    globalName,
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]?.text ?? '';
  const server = http.createServer((request, response) => {
    if (request.url === '/bundle.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(script);
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><meta charset="utf-8"><title>page</title><script src="/bundle.js"></script><body></body>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
