// The load generator for the servers signalroom is measured beside (the `peer` package's PeerServer and a
// socket.io signaling server): the same scenarios as bench/load.mjs, through each server's own client protocol.
// Usage: node bench/peers/load.mjs '{"scenario":"relay","protocol":"peerjs","url":"ws://127.0.0.1:PORT","pid":1234}'
// Every loop is bounded in count and in time; it talks to 127.0.0.1 only.
import { setTimeout as delay } from 'node:timers/promises';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';
import { relayFigures, settle as settleAll, until } from '../common.mjs';
import { ANSWER, CANDIDATE, OFFER, signalKind } from '../payloads.mjs';
import { cpuMicros, rssBytes } from '../proc.mjs';

const config = JSON.parse(process.argv[2]);
if (!/^ws:\/\/127\.0\.0\.1:\d+/.test(config.url)) throw new Error(`loopback only, got ${config.url}`);
const { pid, url } = config;

/** The `n`th signal's wire type and payload (bench/payloads.mjs), carrying its send time. */
const PEERJS_TYPES = { offer: 'OFFER', answer: 'ANSWER', candidate: 'CANDIDATE' };
const SOCKETIO_TYPES = { offer: 'offer', answer: 'answer', candidate: 'ice-candidate' };
const payload = (kind) =>
  kind === 'candidate' ? { t: performance.now(), candidate: CANDIDATE } : { t: performance.now(), sdp: kind === 'offer' ? OFFER : ANSWER };

/** Each protocol: connect (resolves with the client once it has its id), join a room, send to a peer. */
const PROTOCOLS = {
  peerjs: {
    connect() {
      const id = globalThis.crypto.randomUUID();
      const ws = new WebSocket(`${url}/peerjs?key=peerjs&id=${id}&token=${globalThis.crypto.randomUUID()}`, { perMessageDeflate: false });
      const client = { id, onSignal: () => {}, onJoin: () => {} };
      client.send = (to, n) => {
        const kind = signalKind(n);
        ws.send(JSON.stringify({ type: PEERJS_TYPES[kind], dst: to, payload: payload(kind) }));
      };
      client.join = () => client.onJoin([]); // PeerJS has no rooms: peers address each other by id
      client.close = () => ws.terminate();
      return new Promise((resolve, reject) => {
        ws.on('message', (data) => {
          const message = JSON.parse(data);
          if (message.type === 'OPEN') resolve(client);
          else if (message.payload?.t !== undefined) client.onSignal(message.payload);
        });
        ws.once('error', reject);
      });
    },
  },
  socketio: {
    connect() {
      const socket = io(url.replace('ws://', 'http://'), { transports: ['websocket'], forceNew: true, reconnection: false });
      const client = { onSignal: () => {}, onJoin: () => {}, onPeerJoined: () => {} };
      client.send = (to, n) => {
        const kind = signalKind(n);
        socket.emit('signal', { type: SOCKETIO_TYPES[kind], to, ...payload(kind) });
      };
      client.join = (room) => socket.emit('join-room', room, (peers) => client.onJoin(peers));
      client.close = () => socket.disconnect();
      socket.on('signal', (message) => client.onSignal(message));
      socket.on('peer-joined', (id) => client.onPeerJoined(id));
      return new Promise((resolve, reject) => {
        socket.once('id', (id) => resolve(Object.assign(client, { id })));
        socket.once('connect_error', reject);
      });
    },
  },
};
const protocol = PROTOCOLS[config.protocol];

async function connectMany(count, batch) {
  const clients = [];
  for (let i = 0; i < count; i += batch) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => protocol.connect()))));
  }
  return clients;
}

const settle = () => settleAll([pid]);

/** Pairs in rooms of two; each client keeps `inflight` signals in flight to its partner, pausing `pauseMs` between. */
async function relay({ pairs = 100, inflight = 8, pauseMs = 0, warmupMs = 1000, measureMs = 5000 }) {
  const clients = await connectMany(pairs * 2, 50);
  let joined = 0;
  for (const [i, client] of clients.entries()) {
    client.onJoin = () => joined++;
    client.join(`pair-${i >> 1}`);
  }
  await until(() => joined === clients.length, 30_000, 'pairs to join');
  await settle();
  let measuring = false;
  let delivered = 0;
  const latencies = [];
  for (const [i, client] of clients.entries()) {
    const partner = clients[i ^ 1];
    let sent = 0;
    const next = () => client.send(partner.id, ++sent);
    client.onSignal = (message) => {
      if (measuring) {
        delivered++;
        if (latencies.length < 4_000_000) latencies.push(performance.now() - message.t);
      }
      if (pauseMs > 0) setTimeout(next, pauseMs);
      else next();
    };
    client.next = next;
  }
  for (const client of clients) for (let k = 0; k < inflight; k++) client.next();
  await delay(warmupMs);
  const cpu0 = cpuMicros(pid);
  const started = performance.now();
  measuring = true;
  await delay(measureMs);
  measuring = false;
  const cpu1 = cpuMicros(pid);
  const seconds = (performance.now() - started) / 1000;
  for (const client of clients) client.onSignal = () => {};
  for (const client of clients) client.close();
  const sorted = latencies.sort((a, b) => a - b);
  return relayFigures({ delivered, seconds, sorted, cpu: cpu1 - cpu0 });
}

/** As in bench/load.mjs: `connections` idle clients in rooms of 4 (PeerJS: no rooms), `inflight` at a time. */
async function idle({ connections = 10_000, inflight = 200, settleMs = 2000 }) {
  await settle();
  const rss0 = rssBytes(pid);
  const cpu0 = cpuMicros(pid);
  let joined = 0;
  const clients = [];
  for (let i = 0; i < connections; i += inflight) {
    const batch = await connectMany(Math.min(inflight, connections - i), inflight);
    batch.forEach((client, k) => {
      client.onJoin = () => joined++;
      client.join(`idle-${(i + k) >> 2}`);
    });
    clients.push(...batch);
  }
  await until(() => joined === connections, 120_000, 'idle clients to join');
  const cpu1 = cpuMicros(pid);
  await delay(settleMs);
  await settle();
  const rss1 = rssBytes(pid);
  for (const client of clients) client.close();
  return { connections, rssBytesPerConnection: (rss1 - rss0) / connections, cpuMicrosPerConnectJoin: (cpu1 - cpu0) / connections };
}

/** Rooms of `size` joining one by one: CPU per join notification (socket.io only; PeerJS has no rooms). */
async function crowd({ size = 200, rooms = 3 }) {
  let notices = 0;
  let answered = 0;
  const clients = await connectMany(size * rooms, 50);
  for (const client of clients) {
    client.onPeerJoined = () => notices++;
    client.onJoin = () => answered++;
  }
  await settle();
  const cpu0 = cpuMicros(pid);
  for (let i = 0; i < clients.length; i++) {
    clients[i].join(`crowd-${Math.floor(i / size)}`);
    await until(() => answered === i + 1, 10_000, `join ${i}`);
  }
  const expected = (rooms * size * (size - 1)) / 2;
  await until(() => notices === expected, 30_000, 'every join notice');
  const cpu1 = cpuMicros(pid);
  for (const client of clients) client.close();
  return { notifications: notices, cpuMicrosPerNotification: (cpu1 - cpu0) / notices };
}

const light = (params) => relay({ ...params, pairs: 10, inflight: 1, pauseMs: 10 });
const scenarios = { relay, light, idle, crowd };
const result = await scenarios[config.scenario](config);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
