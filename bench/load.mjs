// The load generator: runs one scenario against one server and prints one JSON line of results.
// Usage: node bench/load.mjs '{"scenario":"relay","url":"ws://127.0.0.1:PORT","pid":1234, ...}'
// It reads the server's CPU and memory from /proc itself, at the exact moments a phase starts and ends.
// Every loop is bounded in count and in time; it talks to 127.0.0.1 only.
import { setTimeout as delay } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { relayFigures, settle as settleAll, until } from './common.mjs';
import { ANSWER, CANDIDATE, OFFER, signalKind } from './payloads.mjs';
import { cpuMicros, rssBytes } from './proc.mjs';

const config = JSON.parse(process.argv[2]);
// One server, or (cross-node) several: clients are spread over `urls`, CPU is summed over `pids`.
const urls = config.urls ?? [config.url];
const pids = config.pids ?? [config.pid];
const pid = pids[0];
const url = urls[0];
for (const u of urls) if (!/^ws:\/\/127\.0\.0\.1:\d+/.test(u)) throw new Error(`loopback only, got ${u}`);
const cpuOfAll = () => pids.reduce((sum, p) => sum + cpuMicros(p), 0);

/** A bench client: one socket, its id, and a hook for every text frame. */
function connect(onFrame, target = url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(target, { perMessageDeflate: false });
    const client = { ws, id: undefined, onFrame };
    ws.once('message', (data) => {
      client.id = JSON.parse(data).id;
      ws.on('message', (frame) => client.onFrame(frame.toString()));
      resolve(client);
    });
    ws.once('error', reject);
  });
}

/** Connects `count` clients, `batch` at a time (a real crowd does not arrive in one tick). */
async function connectMany(count, batch, onFrame) {
  const clients = [];
  for (let i = 0; i < count; i += batch) {
    const size = Math.min(batch, count - i);
    // Client k goes to server k mod n: with two servers, every pair is split across them.
    clients.push(...(await Promise.all(Array.from({ length: size }, (_, k) => connect(onFrame, urls[(i + k) % urls.length])))));
  }
  return clients;
}

const settle = () => settleAll(pids);

/**
 * 100 pairs, each client keeping `inflight` messages in flight to its partner: every message received is answered
 * with a new one: per 8 messages an SDP offer, an answer and six ICE candidates (bench/payloads.mjs). `t` leads each
 * frame, so reading the send time back takes a slice, not a parse: the load generator stays cheap.
 */
async function relay({ pairs = 100, inflight = 8, pauseMs = 0, warmupMs = 1000, measureMs = 5000 }) {
  let measuring = false;
  let delivered = 0;
  const latencies = new Float64Array(4_000_000);
  let samples = 0;
  const clients = await connectMany(pairs * 2, 50, () => {});
  // Join pairs of rooms and wait until every client knows its partner is in (on a cluster that takes a hop).
  let ready = 0;
  clients.forEach((client, i) => {
    const partner = clients[i ^ 1].id;
    let known = false;
    client.onFrame = (text) => {
      if (!known && text.includes(partner) && (text.includes('"room-peers"') || text.includes('"peer-joined"'))) {
        known = true;
        ready++;
      }
    };
  });
  clients.forEach((client, i) => client.ws.send(JSON.stringify({ type: 'join-room', room: `pair-${i >> 1}` })));
  await until(() => ready === clients.length, 30_000, 'pairs to join');
  await settle();

  for (let i = 0; i < clients.length; i++) {
    const client = clients[i];
    const partner = clients[i ^ 1];
    const tails = {
      offer: `,"type":"offer","to":"${partner.id}","offer":${JSON.stringify(OFFER)}}`,
      answer: `,"type":"answer","to":"${partner.id}","answer":${JSON.stringify(ANSWER)}}`,
      candidate: `,"type":"ice-candidate","to":"${partner.id}","candidate":${JSON.stringify(CANDIDATE)}}`,
    };
    let sent = 0;
    const send = () => client.ws.send(`{"t":${performance.now()}${tails[signalKind(++sent)]}`);
    client.onFrame = (text) => {
      if (text.charCodeAt(2) !== 116 /* t */) return; // a peer-joined from a late neighbour, or an error
      if (measuring) {
        delivered++;
        if (samples < latencies.length) latencies[samples++] = performance.now() - Number(text.slice(5, text.indexOf(',')));
      }
      if (pauseMs > 0) setTimeout(send, pauseMs);
      else send();
    };
    client.send = send;
  }
  for (const client of clients) for (let k = 0; k < inflight; k++) client.send();
  await delay(warmupMs);
  const cpu0 = cpuOfAll();
  const started = performance.now();
  measuring = true;
  await delay(measureMs);
  measuring = false;
  const cpu1 = cpuOfAll();
  const seconds = (performance.now() - started) / 1000;
  for (const client of clients) client.onFrame = () => {};
  const sorted = latencies.subarray(0, samples).sort();
  for (const client of clients) client.ws.terminate();
  return relayFigures({ delivered, seconds, sorted, cpu: cpu1 - cpu0 });
}

/**
 * `connections` idle clients in rooms of 4, `inflight` connecting at a time: CPU per connect + join, and memory per
 * connection read `settleMs` after the last join (then through bench/gc-hook.cjs's full collections).
 */
async function idle({ connections = 10_000, inflight = 200, settleMs = 2000 }) {
  await settle();
  const rss0 = rssBytes(pid);
  const cpu0 = cpuMicros(pid);
  let joined = 0;
  const onFrame = (text) => text.includes('"room-peers"') && joined++;
  const clients = [];
  for (let i = 0; i < connections; i += inflight) {
    const batch = await connectMany(Math.min(inflight, connections - i), inflight, onFrame);
    batch.forEach((client, k) => client.ws.send(`{"type":"join-room","room":"idle-${(i + k) >> 2}"}`));
    clients.push(...batch);
  }
  await until(() => joined === connections, 120_000, 'idle clients to join');
  const cpu1 = cpuMicros(pid);
  await delay(settleMs);
  await settle();
  const rss1 = rssBytes(pid);
  for (const client of clients) client.ws.terminate();
  return {
    connections,
    rssBytesPerConnection: (rss1 - rss0) / connections,
    cpuMicrosPerConnectJoin: (cpu1 - cpu0) / connections,
  };
}

/**
 * Rooms of `size` clients joining one by one (`rooms` of them in turn, for a reading well above the 10 ms tick of
 * /proc): CPU per join notification (`peer-joined` delivered).
 */
async function crowd({ size = 200, rooms = 3 }) {
  let notices = 0;
  let peersLists = 0;
  const onFrame = (text) => {
    if (text.includes('"peer-joined"')) notices++;
    else if (text.includes('"room-peers"')) peersLists++;
  };
  const clients = await connectMany(size * rooms, 50, onFrame);
  await settle();
  const cpu0 = cpuMicros(pid);
  for (let i = 0; i < clients.length; i++) {
    clients[i].ws.send(`{"type":"join-room","room":"crowd-${Math.floor(i / size)}"}`);
    await until(() => peersLists === i + 1, 10_000, `join ${i}`);
  }
  const expected = (rooms * size * (size - 1)) / 2;
  await until(() => notices === expected, 30_000, 'every join notice');
  const cpu1 = cpuMicros(pid);
  for (const client of clients) client.ws.terminate();
  return { notifications: notices, cpuMicrosPerNotification: (cpu1 - cpu0) / notices };
}

/** Light load: 10 pairs, one message in flight each, 10 ms between a message and its answer. */
const light = (params) => relay({ ...params, pairs: 10, inflight: 1, pauseMs: 10 });
const scenarios = { relay, light, idle, crowd, cross: relay };
const result = await scenarios[config.scenario](config);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
