// npm run bench [-- --quick] [-- --rounds N (light and idle: 2N)] [-- --only relay|light|idle|crowd|cross] [-- --baseline DIR]
//               [-- --servers signalroom,baseline,...] [-- --cpu-prof DIR] [-- --update-readme]
//
// Measures signalroom's standalone server (plain connections, and connections that ask for extensions) beside a
// minimal relay (bench/minimal-relay.mjs, the reference every figure is a ratio to), the `peer` package's
// PeerServer and a typical socket.io signaling server (bench/peers/), on this machine, in the same rounds,
// alternating the order of the servers round by round, each scenario on a fresh server process. Prints every
// figure and its ratio to the reference; writes bench/results/latest.json, latest.md and chart.svg.
// `--baseline DIR` adds another build (DIR/dist/cli.js, e.g. a checkout of the commit before a change, built) as
// "signalroom (baseline)": same environment, plain connections, same rounds, so a change is measured against its
// predecessor on the same machine at the same time. It shows in the printed table, latest.md and latest.json
// (with a column signalroom ÷ baseline), never in the README's table or the chart.
// `--cpu-prof DIR` runs every server under `node --cpu-prof` and stops it with SIGTERM, so each scenario leaves a
// .cpuprofile in DIR (open it in Chrome DevTools, or summarise it with bench/profile-top.mjs).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { renderChart } from './chart.mjs';
import { BENCH_LIMITS, startProcess } from './common.mjs';

/** Whether a Redis answers PING at `url`. */
function redisAnswers(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port || 6379), hostname, () => socket.write('PING\r\n'));
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('data', (data) => (resolve(String(data).startsWith('+PONG')), socket.destroy()));
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const roundsArg = args.indexOf('--rounds');
const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : quick ? 2 : 4;
// Light load and idle are short (12 s and ~5 s a server) and swing most from round to round (±15 % for one
// server on this kind of shared machine): they run twice as many rounds, so their medians are steadier.
const ROUNDS_FACTOR = { light: 2, idle: 2 };
const roundsOf = (scenario) => rounds * (ROUNDS_FACTOR[scenario] ?? 1);
const onlyArg = args.indexOf('--only');
const option = (name) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : undefined);
const baseline = option('--baseline') === undefined ? undefined : path.resolve(option('--baseline'));
if (baseline !== undefined && !existsSync(path.join(baseline, 'dist/cli.js'))) {
  console.error(`--baseline ${baseline}: no dist/cli.js there (build it first: npm ci && npm run build in that checkout)`);
  process.exit(2);
}
const cpuProfDir = option('--cpu-prof') === undefined ? undefined : path.resolve(option('--cpu-prof'));
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const haveRedis = await redisAnswers(redisUrl);
const scenarios = onlyArg >= 0 ? [args[onlyArg + 1]] : ['relay', 'light', 'idle', 'crowd', ...(haveRedis ? ['cross'] : [])];
if (!haveRedis) console.error(`no Redis at ${redisUrl}: skipping the cross-node row (start one, or set REDIS_URL)`);

// The full run's scenarios are issue 18's: relay and light measured 10 s after a 2 s warm-up, idle connecting 200 at
// a time and reading memory 2 s after the last join (load.mjs's defaults).
const PARAMS = quick
  ? { relay: { measureMs: 3000, warmupMs: 800 }, light: { measureMs: 3000, warmupMs: 500 }, idle: { connections: 2000 }, crowd: { size: 200 } }
  : { relay: { measureMs: 10_000, warmupMs: 2000 }, light: { measureMs: 10_000, warmupMs: 2000 }, idle: { connections: 10_000 }, crowd: { size: 200 } };
PARAMS.cross = PARAMS.relay;

// The bench's limits (common.mjs), and the room cap raised for the 200-peer crowd scenario, which exceeds it by design.
const SIGNALROOM_ENV = { ...BENCH_LIMITS, MAX_ROOM_CLIENTS: '1000' };
const ALL = ['relay', 'light', 'idle', 'crowd'];
const TARGETS = {
  reference: { label: 'minimal relay', command: ['bench/minimal-relay.mjs'], env: {}, load: 'bench/load.mjs', scenarios: ALL },
  signalroom: { label: 'signalroom', command: ['dist/cli.js'], env: SIGNALROOM_ENV, load: 'bench/load.mjs', scenarios: [...ALL, 'cross'], cluster: true },
  ...(baseline === undefined
    ? {}
    : {
        baseline: {
          label: 'signalroom (baseline)',
          command: [path.join(baseline, 'dist/cli.js')],
          env: SIGNALROOM_ENV,
          load: 'bench/load.mjs',
          scenarios: [...ALL, 'cross'],
          cluster: true,
        },
      }),
  // The SDK's connections: resume token, grace period and error codes (one extra frame per connection).
  extensions: { label: 'signalroom (extensions)', command: ['dist/cli.js'], env: SIGNALROOM_ENV, load: 'bench/load.mjs', urlSuffix: '/?extensions=1', scenarios: ALL },
  peerjs: { label: 'PeerJS server', command: ['bench/peers/peerjs-server.mjs'], env: {}, load: 'bench/peers/load.mjs', protocol: 'peerjs', scenarios: ['relay', 'light', 'idle'] },
  socketio: { label: 'socket.io', command: ['bench/peers/socketio-server.mjs'], env: {}, load: 'bench/peers/load.mjs', protocol: 'socketio', scenarios: ALL },
};
// `--servers a,b` measures only those (the reference always runs): an A/B of two builds need not wait for the peers.
const only = option('--servers')?.split(',');
const ORDER = ['signalroom', ...(baseline === undefined ? [] : ['baseline']), 'reference', 'extensions', 'peerjs', 'socketio'].filter(
  (name) => only === undefined || only.includes(name) || name === 'reference',
);
/** The servers of the README's table and the chart: the project's published figures, without a baseline. */
const PUBLISHED = ORDER.filter((name) => name !== 'reference' && name !== 'baseline');

/** The figures reported, how each is computed from a scenario result, and the target ratio (if any). */
const METRICS = [
  { key: 'cpuMicrosPerMessage', scenario: 'relay', label: 'relay: server CPU per delivered message (µs)', target: 0.8 },
  { key: 'messagesPerSecond', scenario: 'relay', label: 'relay: delivered messages per second', higherIsBetter: true, target: 1.15 },
  { key: 'p50Ms', scenario: 'relay', label: 'relay: latency p50 under load (ms)' },
  { key: 'p99Ms', scenario: 'relay', label: 'relay: latency p99 under load (ms)', target: 0.9 },
  { key: 'cpuMicrosPerMessage', scenario: 'light', label: 'light load: CPU per message (µs)', target: 1.0 },
  { key: 'rssBytesPerConnection', scenario: 'idle', label: 'idle: memory per connection (KiB)', scale: 1 / 1024, target: 0.95 },
  { key: 'cpuMicrosPerConnectJoin', scenario: 'idle', label: 'idle: server CPU per connect + join (µs)', target: 1.0 },
  { key: 'cpuMicrosPerNotification', scenario: 'crowd', label: 'fanout: CPU per join notification (µs)', target: 1.0 },
  // Two signalroom nodes on one Redis, every pair split across them, against the single-node relay.
  { key: 'messagesPerSecond', scenario: 'cross', label: 'cross-node: delivered messages per second', higherIsBetter: true },
  { key: 'p99Ms', scenario: 'cross', label: 'cross-node: latency p99 (ms)' },
  { key: 'cpuMicrosPerMessage', scenario: 'cross', label: 'cross-node: CPU per message, both nodes (µs)' },
];

/**
 * Node flags per scenario, the same for both servers. For the memory reading the young generation is pinned to
 * 1 MiB: V8 grows it (up to 32 MiB) with the allocation history of the connect phase, which would swamp a few
 * hundred bytes per connection with megabytes of noise.
 */
const NODE_FLAGS = {
  relay: [],
  light: [],
  idle: ['--max-semi-space-size=1'],
  crowd: [],
  cross: [],
};

let profiles = 0;
function startServer(target, scenario) {
  const flags = ['--expose-gc', '-r', './bench/gc-hook.cjs', ...NODE_FLAGS[scenario]];
  if (cpuProfDir !== undefined) {
    const name = `${scenario}-${target.label.replace(/[^a-z0-9]+/gi, '-')}-${++profiles}.cpuprofile`;
    flags.push('--cpu-prof', '--cpu-prof-dir', cpuProfDir, '--cpu-prof-name', name);
  }
  return startProcess({ script: target.command[0], flags, env: target.env, cwd: root, label: target.label });
}

function runLoad(load, config) {
  const child = spawn(process.execPath, [load, JSON.stringify(config)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(output.trim().split('\n').pop()));
      else reject(new Error(`load generator failed (${code}) for ${JSON.stringify(config)}: ${output}`));
    });
  });
}

async function measure(scenario, target) {
  // Cross-node: two signalroom nodes on Redis (the reference is always one process: there is no cluster to it).
  const cluster = scenario === 'cross' && target.cluster === true;
  const prefix = `signalroom-bench:${Date.now()}:`;
  const nodeTarget = cluster ? { ...target, env: { ...target.env, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, CLUSTER_HEARTBEAT_INTERVAL: '1000' } } : target;
  const servers = [];
  try {
    for (let i = 0; i < (cluster ? 2 : 1); i++) servers.push(await startServer(nodeTarget, scenario));
    const urls = servers.map(({ port }) => `ws://127.0.0.1:${port}${target.urlSuffix ?? ''}`);
    return await runLoad(target.load, {
      scenario,
      protocol: target.protocol,
      url: urls[0],
      pid: servers[0].child.pid,
      urls,
      pids: servers.map(({ child }) => child.pid),
      ...PARAMS[scenario],
    });
  } finally {
    for (const { child } of servers) {
      const exited = new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
      // A profiled server writes its profile on a clean exit; 10 s for that, then it is killed all the same.
      child.kill(cpuProfDir === undefined ? 'SIGKILL' : 'SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main() {
  const results = Object.fromEntries(ORDER.map((name) => [name, {}]));
  const started = Date.now();
  const maxRounds = Math.max(...scenarios.map(roundsOf));
  for (let round = 0; round < maxRounds; round++) {
    for (const scenario of scenarios) {
      if (round >= roundsOf(scenario)) continue;
      // The order of the servers turns by one each round, so no server always runs first (or last) in a round.
      const order = ORDER.map((_, i) => ORDER[(i + round) % ORDER.length]).filter((name) => TARGETS[name].scenarios.includes(scenario));
      if (!order.includes('reference')) order.push('reference');
      for (const name of order) {
        const result = await measure(scenario, TARGETS[name]);
        (results[name][scenario] ??= []).push(result);
        process.stderr.write(`round ${round + 1}/${roundsOf(scenario)} ${scenario.padEnd(5)} ${TARGETS[name].label.padEnd(24)} ${JSON.stringify(result)}\n`);
      }
    }
  }

  const compared = ORDER.filter((name) => name !== 'reference');
  const rows = METRICS.filter((metric) => scenarios.includes(metric.scenario)).map((metric) => {
    const value = (name) => {
      const runs = results[name][metric.scenario];
      return runs === undefined ? undefined : median(runs.map((r) => r[metric.key])) * (metric.scale ?? 1);
    };
    const reference = value('reference');
    const ratios = Object.fromEntries(compared.map((name) => [name, value(name) === undefined ? undefined : value(name) / reference]));
    const ratio = ratios.signalroom;
    const pass = metric.target === undefined ? undefined : metric.higherIsBetter ? ratio >= metric.target : ratio <= metric.target;
    // This build against the baseline build, where there is one: below 1 is less of the figure than before.
    const versusBaseline = baseline === undefined ? undefined : value('signalroom') / value('baseline');
    return { ...metric, ours: value('signalroom'), reference, ratio, ratios, pass, ...(baseline === undefined ? {} : { baseline: value('baseline'), versusBaseline }) };
  });

  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
  const date = new Date().toISOString().slice(0, 10);
  const fmt = (n) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));
  const cell = (ratio) => (ratio === undefined ? '—' : `${ratio.toFixed(2)}×`);
  const tableOf = (columns, withBaseline) =>
    [
      `| figure | minimal relay | ${columns.map((name) => TARGETS[name].label).join(' | ')} | target (signalroom) |${withBaseline ? ' signalroom ÷ baseline |' : ''}`,
      `|---|---:|${columns.map(() => '---:').join('|')}|---:|${withBaseline ? '---:|' : ''}`,
      ...rows.map(
        (r) =>
          `| ${r.label} | ${fmt(r.reference)} | ${columns.map((name) => cell(r.ratios[name])).join(' | ')} | ${
            r.target === undefined ? '' : `${r.higherIsBetter ? '≥' : '≤'} ${r.target.toFixed(2)}× ${r.pass ? '✓' : '✗'}`
          } |${withBaseline ? ` ${cell(r.versusBaseline)} |` : ''}`,
      ),
    ].join('\n');
  const table = tableOf(compared, baseline !== undefined);
  const published = tableOf(PUBLISHED, false);
  const mode = quick ? 'quick' : 'full';
  const summary = `Measured ${date} on ${machine}; ${rounds} rounds (${mode}; ${roundsOf('light')} for light load and idle), medians, each scenario on a fresh server process; every figure but the reference's is a ratio to the minimal relay in the same rounds.`;
  const baselineNote = baseline === undefined ? '' : `\n\nsignalroom (baseline): ${baseline}/dist/cli.js; signalroom ÷ baseline below 1 is less of the figure than the baseline's.`;

  console.log(`\n${summary}${baselineNote}\n\n${table}\n`);
  console.log(`took ${((Date.now() - started) / 1000).toFixed(0)} s`);

  mkdirSync(`${root}bench/results`, { recursive: true });
  writeFileSync(`${root}bench/results/latest.json`, `${JSON.stringify({ date, machine, mode, rounds, params: PARAMS, ...(baseline === undefined ? {} : { baseline }), rows, results }, null, 2)}\n`);
  writeFileSync(`${root}bench/results/latest.md`, `${summary}${baselineNote}\n\n${table}\n`);
  const charted = rows.filter((r) => r.target !== undefined);
  const series = ['signalroom', 'peerjs', 'socketio'].map((name) => ({ name: TARGETS[name].label, key: name }));
  writeFileSync(`${root}bench/results/chart.svg`, renderChart(charted, series, `${date} · ${machine}`));
  if (!haveRedis) console.log(`(no cross-node row: no Redis at ${redisUrl})`);

  if (args.includes('--update-readme') && onlyArg < 0 && only === undefined) {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const block = `<!-- bench:start -->\n${summary}\n\n![signalroom, PeerJS and socket.io relative to a minimal relay](bench/results/chart.svg)\n\n${published}\n<!-- bench:end -->`;
    writeFileSync(`${root}README.md`, readme.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, block));
    console.log('README.md updated');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
