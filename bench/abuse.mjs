// The abuse run whose figures SECURITY.md quotes: `npm run bench:abuse` (builds first). Loopback only, every
// loop bounded in count and time. Prints one JSON line per scenario: what was sent, and what held.
import net from 'node:net';
import { WebSocket } from 'ws';
import { createStandaloneServer } from '../dist/standalone.js';

const open = (url, options) =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    const frames = [];
    const waiters = [];
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data));
      const waiter = waiters.shift();
      if (waiter) waiter(frame);
      else frames.push(frame);
    });
    socket.next = () => (frames.length ? Promise.resolve(frames.shift()) : new Promise((r) => waiters.push(r)));
    socket.frames = frames;
    socket.once('open', async () => {
      socket.id = (await socket.next()).id;
      resolve(socket);
    });
    socket.once('error', reject);
  });
const joined = async (url, room) => {
  const socket = await open(url);
  socket.send(JSON.stringify({ type: 'join-room', room }));
  await socket.next();
  await socket.next();
  return socket;
};
const start = async (options = {}) => {
  const standalone = createStandaloneServer({ metrics: false, ...options });
  const { port } = await standalone.listen(0, '127.0.0.1');
  return { ...standalone, url: `ws://127.0.0.1:${port}`, port };
};
const report = (scenario, figures) => console.log(JSON.stringify({ scenario, ...figures }));

/** 49 readers at 1, 2, 5 and 12 MB/s; one member at its limits (burst of 200 × 64 KiB, then 50/s for 3 s). */
async function floodRoom() {
  const server = await start();
  const attacker = await joined(server.url, 'r');
  const rates = [1e6, 2e6, 5e6, 12e6];
  const readers = [];
  for (let i = 0; i < 48; i++) readers.push(await joined(server.url, 'r'));
  let cut = 0;
  server.signaling.on('peer:disconnect', ({ peer }) => peer.id !== attacker.id && cut++);
  const timers = readers.map((reader, i) => {
    const socket = reader._socket;
    const slice = rates[i % rates.length] / 100;
    let allowance = 0;
    socket.pause();
    socket.on('data', (chunk) => ((allowance -= chunk.length) <= 0 ? socket.pause() : undefined));
    return setInterval(() => {
      allowance = Math.min(allowance + slice, slice);
      if (allowance > 0) socket.resume();
    }, 10);
  });
  const frame = JSON.stringify({ type: 'flood', pad: 'x'.repeat(65_000) });
  let sent = 0;
  for (let i = 0; i < 200; i++, sent++) attacker.send(frame);
  for (let s = 0; s < 3 && attacker.readyState === WebSocket.OPEN; s++) {
    for (let i = 0; i < 50; i++, sent++) attacker.send(frame);
    await new Promise((r) => setTimeout(r, 1000));
  }
  await new Promise((r) => setTimeout(r, 3000));
  timers.forEach(clearInterval);
  const refused = attacker.frames.filter((f) => f.message === 'rate-limit').length;
  report('one member floods a 49-peer room at its limits', {
    sentFrames: sent,
    sentBytes: sent * frame.length,
    offeredPerReaderBytes: sent * frame.length,
    refusedAnswers: refused,
    attackerClosedWith: attacker.readyState === WebSocket.OPEN ? 'open' : 'closed (1008 rate-limit)',
    readersCut: `${cut}/48 (readers at 1, 2, 5, 12 MB/s)`,
  });
  await server.close();
}

/** A connector peer cycling Join_Room/Leave_Room as fast as allowed, for 10 s, in a 49-member room. */
async function connectorCycling() {
  const server = await start();
  const proto = { protocols: 'signalroom.connector.v1' };
  const openC = async () => {
    const socket = new WebSocket(server.url, 'signalroom.connector.v1');
    const frames = [];
    const waiters = [];
    let bytes = 0;
    socket.on('message', (data) => {
      bytes += data.length;
      const frame = JSON.parse(String(data));
      const waiter = waiters.shift();
      if (waiter) waiter(frame);
      else frames.push(frame);
    });
    socket.next = () => (frames.length ? Promise.resolve(frames.shift()) : new Promise((r) => waiters.push(r)));
    socket.bytes = () => bytes;
    await new Promise((r) => socket.once('open', r));
    await socket.next();
    return socket;
  };
  void proto;
  const observer = await openC();
  observer.send(JSON.stringify({ event: 'Create_Room', data: { room: 'wide' } }));
  await observer.next();
  for (let i = 0; i < 47; i++) {
    const member = await openC();
    member.send(JSON.stringify({ event: 'Join_Room', data: { room: 'wide' } }));
    await member.next();
  }
  const attacker = await openC();
  await new Promise((r) => setTimeout(r, 200));
  const before = observer.bytes();
  let sentBytes = 0;
  let cycles = 0;
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const join = JSON.stringify({ event: 'Join_Room', data: { room: 'wide' } });
    attacker.send(join);
    sentBytes += join.length;
    const answer = await attacker.next();
    if (answer.event === 'Client_Added') {
      const leave = JSON.stringify({ event: 'Leave_Room', data: { room: 'wide' } });
      attacker.send(leave);
      sentBytes += leave.length;
      await attacker.next();
      cycles++;
    } else await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 200));
  report('a connector peer cycles join/leave for 10 s in a 49-member room', {
    attackerSentBytes: sentBytes,
    cyclesLetThrough: cycles,
    bytesEachMemberReceived: observer.bytes() - before,
    perMemberBytesPerSecond: Math.round((observer.bytes() - before) / 10),
  });
  await server.close();
}

/** A client pacing at 30× the message rate. */
async function pacing() {
  const server = await start();
  const abuser = await open(server.url);
  let sent = 0;
  const started = Date.now();
  while (abuser.readyState === WebSocket.OPEN && Date.now() - started < 20_000) {
    for (let i = 0; i < 30; i++, sent++) abuser.send('{"type":"chat"}');
    await new Promise((r) => setTimeout(r, 20));
  }
  const code = await new Promise((r) => (abuser.readyState === WebSocket.CLOSED ? r('closed') : abuser.once('close', (c) => r(c))));
  report('a client paces at 30x the message rate', { sentFrames: sent, cutAfterMs: Date.now() - started, closeCode: code });
  await server.close();
}

/** 200 connections that send a keepalive every 100 ms but never read, each sent 4 MB by server code. */
async function nonReaders() {
  const server = await start({ heartbeatInterval: 1000, heartbeatTimeout: 1000, maxBufferedBytes: 64 * 1024 * 1024 });
  const sockets = [];
  for (let i = 0; i < 200; i++) sockets.push(await open(server.url));
  for (const s of sockets) s._socket.pause();
  const cut = [];
  server.signaling.on('peer:disconnect', ({ reason }) => cut.push(reason));
  const started = Date.now();
  const keepalive = setInterval(() => sockets.forEach((s) => s.readyState === WebSocket.OPEN && s.send('{"type":"k"}')), 100);
  const blob = { type: 'blob', pad: 'x'.repeat(64_000) };
  for (let i = 0; i < 64; i++) for (const s of sockets) server.signaling.send(s.id, blob);
  while (cut.length < sockets.length && Date.now() - started < 15_000) await new Promise((r) => setTimeout(r, 100));
  clearInterval(keepalive);
  report('200 keepalive-sending connections that never read', {
    sentToEachBytes: 64 * 64_000,
    cut: `${cut.length}/200`,
    reasons: [...new Set(cut)],
    allCutWithinMs: Date.now() - started,
  });
  await server.close();
}

/** Slowloris: 100 sockets that never finish their headers. */
async function slowloris() {
  const server = await start({ headersTimeout: 2000 });
  const started = Date.now();
  const closed = await Promise.all(
    Array.from({ length: 100 }, () => {
      const socket = net.connect(server.port, '127.0.0.1');
      socket.on('error', () => {});
      socket.resume(); // read, so the server's 408 and close are seen
      socket.once('connect', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n'));
      return new Promise((r) => socket.once('close', () => r(Date.now() - started)));
    }),
  );
  report('100 slowloris sockets (headers never finished)', { headersTimeoutMs: 2000, allClosedWithinMs: Math.max(...closed) });
  await server.close();
}

/** Connect/join/terminate churn with a grace period: peers held never exceed maxConnections. */
async function churn() {
  const server = await start({ maxConnections: 200, resumeGracePeriod: 10_000 });
  let most = 0;
  const started = Date.now();
  let connects = 0;
  while (Date.now() - started < 5_000) {
    const batch = await Promise.all(Array.from({ length: 20 }, () => joined(`${server.url}/?extensions=1`, `room-${connects++ % 10}`)));
    batch.forEach((s) => s.terminate());
    most = Math.max(most, server.signaling.peerCount);
  }
  const honest = await joined(server.url, 'room-0').then(() => 'joined', () => 'refused');
  report('connect/join/terminate churn for 5 s with a 10 s grace period', {
    connects,
    maxConnections: 200,
    mostPeersHeld: most,
    honestJoinAfterwards: honest,
  });
  await server.close();
}

const only = process.argv[2];
for (const [name, scenario] of Object.entries({ floodRoom, connectorCycling, pacing, nonReaders, slowloris, churn })) {
  if (only === undefined || only === name) await scenario();
}
