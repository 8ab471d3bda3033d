// A Fastify app with its own route and signaling on /signal.
// Run after `npm run build`:  node examples/fastify/server.mjs   (PORT defaults to 3000)
import Fastify from 'fastify';
import signalroom from 'signalroom/fastify';

const app = Fastify();
app.get('/hello', async () => 'hello from the app\n');
await app.register(signalroom, { path: '/signal', statusPath: '/status' });
app.signaling.on('room:join', ({ room, peer }) => console.log(`${peer.id} joined ${room.id}`));

await app.listen({ port: Number(process.env.PORT ?? 3000), host: '0.0.0.0' });
const { port } = app.server.address();
console.log(`app on http://localhost:${port}/hello, signaling on ws://localhost:${port}/signal, status on /status`);

process.once('SIGINT', () => app.close());
