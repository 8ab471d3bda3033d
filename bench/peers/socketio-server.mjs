// A typical socket.io signaling server, for the benchmark: rooms with join notices, and signals relayed to a peer
// of the same room with `from` set by the server (the minimal relay's rules, in socket.io's idiom).
import http from 'node:http';
import { Server } from 'socket.io';

const server = http.createServer();
const io = new Server(server, { serveClient: false, transports: ['websocket'] });

io.on('connection', (socket) => {
  socket.emit('id', socket.id);
  socket.on('join-room', (room, ack) => {
    const peers = [...(io.sockets.adapter.rooms.get(room) ?? [])];
    socket.join(room);
    socket.data.room = room;
    socket.to(room).emit('peer-joined', socket.id);
    if (typeof ack === 'function') ack(peers);
  });
  socket.on('signal', (message) => {
    const target = io.sockets.sockets.get(message?.to);
    if (target === undefined || target.data.room === undefined || target.data.room !== socket.data.room) {
      socket.emit('signal-error', { message: 'target-unavailable-or-different-room', to: message?.to });
      return;
    }
    target.emit('signal', { ...message, from: socket.id });
  });
  socket.on('disconnect', () => {
    if (socket.data.room !== undefined) socket.to(socket.data.room).emit('peer-left', socket.id);
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`socket.io server listening on ws://127.0.0.1:${server.address().port}`);
});
process.once('SIGTERM', () => process.exit(0));
