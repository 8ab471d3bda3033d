// The `peer` package's PeerServer as its README starts it, for the benchmark: one of the servers signalroom is
// measured beside. Only the connection limit is raised (its default, 5,000, is below the idle scenario's 10,000).
import { PeerServer } from 'peer';

PeerServer({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1', path: '/', concurrent_limit: 1_000_000 }, (server) => {
  console.log(`peerjs server listening on ws://127.0.0.1:${server.address().port}`);
});
process.once('SIGTERM', () => process.exit(0));
