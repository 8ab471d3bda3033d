// The reference: a minimal correct relay in the console dialect, as issue 8 describes it
// (ws, JSON.parse, one map lookup, same-room check, JSON.stringify). Nothing more, on purpose.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { WebSocketServer } from 'ws';

const clients = new Map(); // id -> { ws, room }
const rooms = new Map(); // room -> Set<id>

const server = http.createServer((_request, response) => response.writeHead(404).end());
const wss = new WebSocketServer({ server });

wss.on('connection', (ws) => {
  const id = randomUUID();
  const client = { ws, room: undefined };
  clients.set(id, client);
  ws.send(JSON.stringify({ type: 'id', id }));

  ws.on('message', (data) => {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return ws.send(JSON.stringify({ type: 'error', message: 'invalid-message' }));
    }
    if (message === null || typeof message !== 'object') return;
    if (message.type === 'join-room') {
      const members = rooms.get(message.room) ?? new Set();
      rooms.set(message.room, members);
      client.room = message.room;
      ws.send(JSON.stringify({ type: 'room-joined', room: message.room }));
      const notice = JSON.stringify({ type: 'peer-joined', peerId: id });
      for (const other of members) clients.get(other).ws.send(notice);
      ws.send(JSON.stringify({ type: 'room-peers', peers: [...members] }));
      members.add(id);
      return;
    }
    const target = clients.get(message.to);
    if (target === undefined || target.room === undefined || target.room !== client.room) {
      return ws.send(JSON.stringify({ type: 'error', message: 'target-unavailable-or-different-room', to: message.to }));
    }
    message.from = id;
    target.ws.send(JSON.stringify(message));
  });

  ws.on('close', () => {
    clients.delete(id);
    const members = rooms.get(client.room);
    if (members === undefined) return;
    members.delete(id);
    if (members.size === 0) rooms.delete(client.room);
    const notice = JSON.stringify({ type: 'peer-left', peerId: id });
    for (const other of members) clients.get(other).ws.send(notice);
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`minimal relay listening on ws://127.0.0.1:${server.address().port}`);
});
process.once('SIGTERM', () => process.exit(0));
