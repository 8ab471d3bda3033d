// A plain http.Server with its own route and signaling on /signal.
// Run after `npm run build`:  node examples/http-server/server.mjs   (PORT defaults to 3000)
import http from 'node:http';
import { attachSignaling } from 'signalroom';

const server = http.createServer((request, response) => {
  if (request.url === '/hello') {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('hello from the app\n');
    return;
  }
  if (request.url === '/status') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(signaling.status()));
    return;
  }
  response.writeHead(404).end();
});

const signaling = attachSignaling(server, { path: '/signal' });
signaling.on('peer:connect', ({ peer }) => console.log(`peer ${peer.id} connected`));
signaling.on('room:join', ({ room, peer }) => console.log(`${peer.id} joined ${room.id} (${room.members.length} in room)`));
signaling.on('room:leave', ({ room, peer, reason }) => console.log(`${peer.id} left ${room.id} (${reason})`));

server.listen(Number(process.env.PORT ?? 3000), () => {
  const { port } = server.address();
  console.log(`app on http://localhost:${port}/hello, signaling on ws://localhost:${port}/signal`);
});

process.once('SIGINT', async () => {
  await signaling.close();
  server.close();
});
