// A small app: serves the chat page and the browser client, with signaling on /signal.
// Run after `npm run build`:  node examples/browser/server.mjs   then open http://localhost:3000/?room=demo
// Env: PORT (default 3000), RESUME_SECRET (set it so identities survive a restart of this server).
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import { attachSignaling } from 'signalroom';

const require = createRequire(import.meta.url);
const files = {
  '/': { path: new URL('./index.html', import.meta.url), type: 'text/html; charset=utf-8' },
  '/signalroom-client.js': { path: require.resolve('signalroom/client/browser'), type: 'text/javascript; charset=utf-8' },
};

const server = http.createServer(async (request, response) => {
  const path = (request.url ?? '/').split('?')[0];
  if (path === '/status') {
    response.writeHead(200, { 'content-type': 'application/json' });
    return response.end(JSON.stringify(signaling.status()));
  }
  const file = files[path];
  if (file === undefined) return response.writeHead(404).end('not found');
  response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' });
  response.end(await readFile(file.path));
});

const signaling = attachSignaling(server, { path: '/signal', resumeSecret: process.env.RESUME_SECRET || undefined });

server.listen(Number(process.env.PORT ?? 3000), () => {
  const { port } = server.address();
  console.log(`chat on http://localhost:${port}/?room=demo (signaling on ws://localhost:${port}/signal)`);
});

const stop = async () => {
  await signaling.close();
  // Browsers keep HTTP connections alive: close them too, or the server would wait for them.
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
