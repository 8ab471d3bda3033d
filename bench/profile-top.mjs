// node bench/profile-top.mjs FILE.cpuprofile [N] [--by-url]
//
// Summarises a V8 CPU profile (from `node --cpu-prof`, e.g. `npm run bench -- --cpu-prof DIR`): the N functions
// (default 30) with the most self time, as a share of the samples that were not idle, with where each is defined;
// `--by-url` sums self time by file instead (how much is ws, node internals, signalroom, GC).
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
if (file === undefined) {
  console.error('usage: node bench/profile-top.mjs FILE.cpuprofile [N] [--by-url]');
  process.exit(2);
}
const top = Number(args.find((a) => /^\d+$/.test(a)) ?? 30);
const byUrl = args.includes('--by-url');
const profile = JSON.parse(readFileSync(file, 'utf8'));

// Sample counts per node id, weighted by the time each sample stands for.
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const deltas = profile.timeDeltas ?? [];
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0)));

const short = (url) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(/^.*\/(dist|src|bench)\//, '$1/');
const totals = new Map();
let busy = 0;
let idle = 0;
for (const [id, micros] of self) {
  const { callFrame } = nodes.get(id);
  if (callFrame.functionName === '(idle)') {
    idle += micros;
    continue;
  }
  busy += micros;
  const key = byUrl
    ? callFrame.url === '' ? callFrame.functionName : short(callFrame.url)
    : `${callFrame.functionName || '(anonymous)'}  ${callFrame.url === '' ? '' : `${short(callFrame.url)}:${callFrame.lineNumber + 1}`}`;
  totals.set(key, (totals.get(key) ?? 0) + micros);
}
console.log(`${file}: ${(busy / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle`);
for (const [key, micros] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${((100 * micros) / busy).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(1).padStart(8)} ms  ${key}`);
}
