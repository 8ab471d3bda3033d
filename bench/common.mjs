// What the benchmark scripts share: starting a server process and waiting for its "listening" line, and the small
// helpers the load generators use around their measurements.
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * The standalone server's environment in every bench: every default on, except the per-connection message and
 * relay-byte rates, which the bench clients exceed by design. Logging is the operator's choice of volume, not a
 * limit: the bench keeps it at warn, like the others' none. The rates are 10^9 messages and 10^12 bytes a second,
 * the bursts a million messages and 2 MB: far above any bench client, and still budgets a session keeps as small
 * integers (a burst of 10^9 would box each connection's budgets as heap numbers, 32 bytes no configuration short
 * of that pays).
 */
export const BENCH_LIMITS = Object.freeze({
  MESSAGE_RATE_PER_SEC: '1000000000',
  MESSAGE_BURST: '1000000',
  RELAY_BYTE_RATE: '1000000000000',
  RELAY_BYTE_BURST: '2000000',
  LOG_LEVEL: 'warn',
});

/**
 * Starts `node [flags] <script>` with PORT=0 on 127.0.0.1 and resolves once it prints `listening on ws://…:PORT`,
 * with the child, its pid and the port.
 */
export function startProcess({ script, flags = [], env = {}, cwd, label }) {
  const child = spawn(process.execPath, [...flags, script], {
    cwd,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) resolve({ child, pid: child.pid, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${label} exited with ${code}: ${output}`)));
  });
}

/** Resolves when `predicate()` holds, checking every few ms, or rejects after `ms`. */
export async function until(predicate, ms, what) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

/** Lets the servers settle (flush, then full GCs through bench/gc-hook.cjs) before a reading. */
export async function settle(pids) {
  await delay(200);
  for (const pid of pids) process.kill(pid, 'SIGUSR2');
  await delay(200);
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The relay scenarios' figures, the same for every load generator: `sorted` latencies in ms, `cpu` in µs. */
export function relayFigures({ delivered, seconds, sorted, cpu }) {
  return {
    delivered,
    messagesPerSecond: delivered / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    cpuMicrosPerMessage: cpu / delivered,
  };
}
