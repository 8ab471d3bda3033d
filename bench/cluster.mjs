// npm run bench:cluster [-- --quick] [-- --rounds N] [-- --baseline DIR] [-- --update-readme]
//
// What a node pays for the rest of the cluster. Two standalone signalroom nodes on one Redis (REDIS_URL, default
// the machine's 127.0.0.1:6379; every run uses keys and channels of its own prefix). Node 2 holds 10 peers of its
// own; node 1 runs connect/join/close cycles, then holds 1,000 and 4,000 idle peers in rooms of 4. Read from
// /proc: node 2's CPU during node 1's churn (as a share of node 1's CPU for it), node 2's idle CPU, node 2's RSS
// growth. Then the cross-node relay (every pair split across the two nodes) beside the single-node relay, in the
// same round. `--baseline DIR` runs another build (DIR/dist/cli.js, e.g. an older commit) in the same rounds, so
// a design change is measured against its predecessor on the same machine at the same time.
//
// Every loop is bounded in count and in time; everything talks to 127.0.0.1 only.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { BENCH_LIMITS, startProcess } from './common.mjs';
import { cpuMicros, rssBytes } from './proc.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const option = (name) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : undefined);
const quick = args.includes('--quick');
const rounds = Number(option('--rounds') ?? (quick ? 1 : 2));
const baseline = option('--baseline');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const P = quick
  ? { churn: 200, held: [500, 2000], idleMs: 5000, relay: { measureMs: 3000, warmupMs: 800 } }
  : { churn: 400, held: [1000, 4000], idleMs: 10_000, relay: { measureMs: 8000, warmupMs: 1500 } };

const TARGETS = [
  { label: 'signalroom', dir: root },
  ...(baseline === undefined ? [] : [{ label: `baseline (${path.basename(path.resolve(baseline))})`, dir: path.resolve(baseline) }]),
];
// The bench's limits (common.mjs), and room for the 4,000 peers a node holds here.
const ENV = { ...BENCH_LIMITS, MAX_CLIENTS: '100000' };

function startNode(target, env, flags) {
  return startProcess({ script: path.join(target.dir, 'dist/cli.js'), flags, env: { ...ENV, ...env }, cwd: root, label: target.label });
}

async function untilReady(node) {
  const deadline = Date.now() + 20_000;
  while ((await fetch(`http://127.0.0.1:${node.port}/readyz`).catch(() => ({ status: 0 }))).status !== 200) {
    if (Date.now() > deadline) throw new Error('node never became ready');
    await delay(20);
  }
}

async function stop(nodes) {
  for (const { child } of nodes) {
    child.kill('SIGKILL');
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
  }
}

/** A console client on `port` that has joined `room`; resolves once its room-peers frame arrived. */
function joined(port, room) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error(`join of ${room} on port ${port} timed out`)), 30_000);
    ws.once('message', () => ws.send(JSON.stringify({ type: 'join-room', room })));
    ws.on('message', (data) => {
      if (String(data).includes('"room-peers"')) {
        clearTimeout(timer);
        resolve(ws);
      }
    });
    ws.once('error', reject);
  });
}

/** `count` clients joined in rooms of 4 (room names from `prefix`), `batch` at a time. */
async function holdPeers(port, prefix, from, count) {
  const sockets = [];
  for (let i = from; i < from + count; i += 100) {
    const size = Math.min(100, from + count - i);
    sockets.push(...(await Promise.all(Array.from({ length: size }, (_, k) => joined(port, `${prefix}-${(i + k) >> 2}`)))));
  }
  return sockets;
}

/** Garbage-collects both nodes (bench/gc-hook.cjs) and lets them settle before a reading. */
async function settle(nodes) {
  await delay(300);
  for (const { pid } of nodes) process.kill(pid, 'SIGUSR2');
  await delay(300);
}

/** Node 2's cost for node 1's churn, idle peers and memory. */
async function footprint(target) {
  const env = { REDIS_URL: redisUrl, REDIS_PREFIX: `signalroom-bench:${globalThis.crypto.randomUUID()}:` };
  const flags = ['--expose-gc', '-r', path.join(root, 'bench/gc-hook.cjs'), '--max-semi-space-size=1'];
  const nodes = [await startNode(target, env, flags), await startNode(target, env, flags)];
  const [one, two] = nodes;
  const sockets = [];
  try {
    await Promise.all(nodes.map(untilReady));
    sockets.push(...(await holdPeers(two.port, 'own', 0, 10)));
    await settle(nodes);
    const idleCpu = async () => {
      await settle(nodes);
      const t0 = performance.now();
      const c0 = cpuMicros(two.pid);
      await delay(P.idleMs);
      return (cpuMicros(two.pid) - c0) / 1000 / ((performance.now() - t0) / 1000);
    };
    // Node 2's idle cost on its own first: what the figures below add to it is what node 1's peers cost it.
    await idleCpu();
    const idleAlone = await idleCpu();

    // Churn: connect, join, close, 10 at a time, in rooms of 4 that only node 1's peers use.
    const churn0 = [cpuMicros(one.pid), cpuMicros(two.pid)];
    for (let i = 0; i < P.churn; i += 10) {
      const batch = await Promise.all(Array.from({ length: 10 }, (_, k) => joined(one.port, `churn-${(i + k) >> 2}`)));
      await Promise.all(batch.map((ws) => new Promise((resolve) => (ws.once('close', resolve), ws.close()))));
    }
    await delay(500); // what the churn set off elsewhere (events, heartbeats) is counted too
    const churn1 = [cpuMicros(one.pid), cpuMicros(two.pid)];

    await settle(nodes);
    const rss0 = rssBytes(two.pid);
    const idle = [];
    let held = 0;
    for (const count of P.held) {
      sockets.push(...(await holdPeers(one.port, 'held', held, count - held)));
      held = count;
      idle.push(await idleCpu());
    }
    await settle(nodes);
    return {
      churnShare: (churn1[1] - churn0[1]) / (churn1[0] - churn0[0]),
      idleAloneMsPerSecond: idleAlone,
      node1ChurnMicrosPerCycle: (churn1[0] - churn0[0]) / P.churn,
      idleLowMsPerSecond: idle[0],
      idleHighMsPerSecond: idle[1],
      rssGrowthMiB: (rssBytes(two.pid) - rss0) / 2 ** 20,
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    await stop(nodes);
  }
}

/** The relay scenario of bench/load.mjs on two nodes (pairs split) and on one, in the same round. */
async function relay(target, nodeCount) {
  const env = nodeCount === 1 ? {} : { REDIS_URL: redisUrl, REDIS_PREFIX: `signalroom-bench:${globalThis.crypto.randomUUID()}:` };
  const nodes = [];
  try {
    // The load generator garbage-collects the servers before measuring (SIGUSR2 through bench/gc-hook.cjs).
    const flags = ['--expose-gc', '-r', path.join(root, 'bench/gc-hook.cjs')];
    for (let i = 0; i < nodeCount; i++) nodes.push(await startNode(target, env, flags));
    await Promise.all(nodes.map(untilReady));
    const config = { scenario: 'relay', urls: nodes.map(({ port }) => `ws://127.0.0.1:${port}`), pids: nodes.map(({ pid }) => pid), ...P.relay };
    const child = spawn(process.execPath, ['bench/load.mjs', JSON.stringify(config)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    if (code !== 0) throw new Error(`relay load failed: ${output}`);
    return JSON.parse(output.trim().split('\n').pop());
  } finally {
    await stop(nodes);
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main() {
  const started = Date.now();
  const results = Object.fromEntries(TARGETS.map((t) => [t.label, { footprint: [], cross: [], single: [] }]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? TARGETS : [...TARGETS].reverse();
    for (const target of order) {
      const r = results[target.label];
      r.footprint.push(await footprint(target));
      r.cross.push(await relay(target, 2));
      r.single.push(await relay(target, 1));
      process.stderr.write(`round ${round + 1}/${rounds} ${target.label}: ${JSON.stringify({ footprint: r.footprint.at(-1), cross: r.cross.at(-1), single: r.single.at(-1) })}\n`);
    }
  }
  const m = (label, scenario, key) => median(results[label][scenario].map((x) => x[key]));
  const [low, high] = P.held.map((n) => n.toLocaleString('en-US'));
  const ROWS = [
    { label: "node 2 CPU during node 1's churn, as a share of node 1's", get: (l) => m(l, 'footprint', 'churnShare'), target: '≤ 0.05', ok: (v) => v <= 0.05 },
    { label: 'node 2 idle CPU, node 1 holding no peers (ms/s)', get: (l) => m(l, 'footprint', 'idleAloneMsPerSecond') },
    { label: `node 2 idle CPU, node 1 holding ${low} peers (ms/s)`, get: (l) => m(l, 'footprint', 'idleLowMsPerSecond'), target: '≤ 3', ok: (v) => v <= 3 },
    { label: `node 2 idle CPU, node 1 holding ${high} peers (ms/s)`, get: (l) => m(l, 'footprint', 'idleHighMsPerSecond'), target: '≤ 3', ok: (v) => v <= 3 },
    { label: `node 2 RSS growth from node 1's ${high} peers (MiB)`, get: (l) => m(l, 'footprint', 'rssGrowthMiB'), target: '≤ 8', ok: (v) => v <= 8 },
    { label: 'cross-node relay: delivered msg/s', get: (l) => m(l, 'cross', 'messagesPerSecond') },
    { label: 'single-node relay: delivered msg/s', get: (l) => m(l, 'single', 'messagesPerSecond') },
    { label: 'cross-node ÷ single-node msg/s', get: (l) => m(l, 'cross', 'messagesPerSecond') / m(l, 'single', 'messagesPerSecond') },
    { label: 'cross-node relay: CPU per message, both nodes (µs)', get: (l) => m(l, 'cross', 'cpuMicrosPerMessage') },
    { label: 'single-node relay: CPU per message (µs)', get: (l) => m(l, 'single', 'cpuMicrosPerMessage') },
    { label: 'cross-node relay: p99 latency (ms)', get: (l) => m(l, 'cross', 'p99Ms') },
  ];
  const fmt = (n) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(3).replace(/0+$/, '').replace(/\.$/, ''));
  const labels = TARGETS.map((t) => t.label);
  const table = [
    `| figure | ${labels.join(' | ')} | target |`,
    `|---|${labels.map(() => '---:').join('|')}|---|`,
    ...ROWS.map((row) => {
      const ours = row.get(labels[0]);
      const mark = row.ok === undefined ? '' : row.ok(ours) ? ' ✓' : ' ✗';
      return `| ${row.label} | ${labels.map((l) => fmt(row.get(l))).join(' | ')} | ${row.target ?? ''}${mark} |`;
    }),
  ].join('\n');
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
  const summary = `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; ${rounds} round(s)${quick ? ' (quick)' : ''}, medians; two nodes on one Redis, default cluster timing (5 s heartbeat, 10 s node timeout).`;
  console.log(`\n${summary}\n\n${table}\n\ntook ${((Date.now() - started) / 1000).toFixed(0)} s`);
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  writeFileSync(path.join(root, 'bench/results/cluster.md'), `${summary}\n\n${table}\n`);
  writeFileSync(path.join(root, 'bench/results/cluster.json'), `${JSON.stringify({ params: P, results }, null, 2)}\n`);
  if (args.includes('--update-readme')) {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const block = `<!-- bench-cluster:start -->\n${summary}\n\n${table}\n<!-- bench-cluster:end -->`;
    writeFileSync(path.join(root, 'README.md'), readme.replace(/<!-- bench-cluster:start -->[\s\S]*<!-- bench-cluster:end -->/, block));
    console.log('README.md updated');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
