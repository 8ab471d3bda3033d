// An Express app with its own route and signaling on /signal.
// Run after `npm run build`:  node examples/express/server.mjs   (PORT defaults to 3000)
import express from 'express';
import { expressSignaling } from 'signalroom/express';

const app = express();
app.get('/hello', (_request, response) => response.send('hello from the app\n'));

const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  const { port } = server.address();
  console.log(`app on http://localhost:${port}/hello, signaling on ws://localhost:${port}/signal, status on /status`);
});
const signaling = expressSignaling(app, server, { path: '/signal', statusPath: '/status' });
signaling.on('room:join', ({ room, peer }) => console.log(`${peer.id} joined ${room.id}`));

process.once('SIGINT', async () => {
  await signaling.close();
  server.close();
});
