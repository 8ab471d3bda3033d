import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { ENV_VARS, optionsFromEnv, type LogFormat } from './env.js';
import { jsonLogger, type Logger, type LogLevel } from './ops/logger.js';
import { prettyLogger } from './ops/pretty-logger.js';
import { requireOptionalPeer } from './optional-peer.js';
import { createStandaloneServer, type StandaloneServer } from './standalone.js';
import type { SignalingServer } from './server/signaling-server.js';

/** A mistake on the command line: exit code 2, as POSIX tools do. */
class UsageError extends Error {}

/** The standalone server: `npx signalroom`. Configured by environment variables (`--help` lists them). */
async function main(args: readonly string[]): Promise<void> {
  const command = parseArgs(args);
  if (command === 'help') return void process.stdout.write(help());
  if (command === 'version') return void process.stdout.write(`${version()}\n`);

  const { port, host, logLevel, logFormat, redisUrl, redisPrefix, options } = optionsFromEnv(process.env);
  const logger = makeLogger(logLevel, logFormat);
  let backplane;
  if (redisUrl !== undefined) {
    // ioredis is an optional peer dependency, loaded only for a cluster: say so plainly when it is missing.
    requireOptionalPeer('ioredis', 'REDIS_URL is set: the Redis backplane');
    backplane = (await import('./cluster/redis.js')).redisBackplane({ url: redisUrl, prefix: redisPrefix });
  }
  const standalone = createStandaloneServer({ ...options, logger, backplane });
  // Handlers first, so a signal that arrives while starting up still ends in a clean exit.
  process.once('SIGTERM', () => shutdown(standalone, logger, 'SIGTERM'));
  process.once('SIGINT', () => shutdown(standalone, logger, 'SIGINT'));
  const address = await standalone.listen(port, host);
  const redisHost = redisUrl === undefined ? undefined : new URL(redisUrl).host;
  // Said even at LOG_LEVEL=warn: where the server is matters more than how chatty it is.
  announce(makeLogger(logLevel === 'silent' ? 'silent' : 'info', logFormat), standalone, address, {
    status: options.statusPath !== false,
    dashboard: options.dashboard !== false,
    redisHost,
  });
  if (redisHost !== undefined) watchBackplane(standalone.signaling, logger, redisHost);
  if (options.metrics !== false && (await standalone.metrics) === undefined) {
    logger.warn({ event: 'metrics-off' }, 'GET /metrics is off: install prom-client to turn it on (METRICS=off silences this)');
  }
}

function parseArgs(args: readonly string[]): 'help' | 'version' | 'run' {
  const [first, ...rest] = args;
  if (first === undefined) return 'run';
  if (rest.length > 0 || !['--help', '-h', '--version', '-v'].includes(first)) {
    throw new UsageError(`unknown argument "${args.find((a) => !['--help', '-h', '--version', '-v'].includes(a)) ?? rest[0]}"`);
  }
  return first === '--help' || first === '-h' ? 'help' : 'version';
}

function version(): string {
  // dist/cli.js sits one level below the package root.
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}

function help(): string {
  const width = Math.max(...ENV_VARS.map((v) => v.name.length)) + 2;
  const defaultWidth = Math.max(...ENV_VARS.map((v) => v.default.length)) + 2;
  const rows = ENV_VARS.map((v) => `  ${v.name.padEnd(width)}${v.default.padEnd(defaultWidth)}${v.meaning}`);
  return [
    `signalroom ${version()}: a WebRTC signaling server (console and connector dialects) on every path.`,
    '',
    'Usage: signalroom            start the server',
    '       signalroom --help     this text (-h)',
    '       signalroom --version  the version (-v)',
    '',
    'Configured by environment variables:',
    '',
    `  ${'variable'.padEnd(width)}${'default'.padEnd(defaultWidth)}meaning`,
    ...rows,
    '',
    'Example: PORT=8080 HOST=127.0.0.1 DASHBOARD=off npx signalroom',
    '',
  ].join('\n');
}

function makeLogger(level: LogLevel, format: LogFormat | undefined): Logger {
  const tty = process.stdout.isTTY === true;
  if ((format ?? (tty ? 'pretty' : 'json')) === 'json') return jsonLogger(level);
  return prettyLogger(level, undefined, tty && process.env.NO_COLOR === undefined);
}

/** The ready line, with a URL one can paste: a wildcard bind address is reached through the loopback. */
function announce(
  logger: Logger,
  standalone: StandaloneServer,
  address: AddressInfo,
  shown: { status: boolean; dashboard: boolean; redisHost: string | undefined },
): void {
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? 'localhost' : address.address;
  const authority = `${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  const url = `ws://${authority}`;
  const status = shown.status ? `http://${authority}/status` : undefined;
  const dashboard = shown.dashboard ? `http://${authority}/dashboard` : undefined;
  const parts = [
    `signalroom listening on ${url}`,
    wildcard ? `(bound to ${address.address}: every interface; HOST=127.0.0.1 keeps it to this machine)` : undefined,
    status === undefined ? undefined : `status ${status}`,
    dashboard === undefined ? undefined : `dashboard ${dashboard}`,
    shown.redisHost === undefined ? undefined : `cluster node ${standalone.signaling.nodeId} on Redis at ${shown.redisHost}`,
  ];
  logger.info(
    { event: 'listening', url, bound: `${address.address}:${address.port}`, status, dashboard, node: standalone.signaling.nodeId },
    parts.filter((part) => part !== undefined).join(' · '),
  );
}

/**
 * Tells the log when the Redis backplane is unreachable, and when it is back. The server keeps running meanwhile
 * (peers on this node keep signalling; `/readyz` answers 503), so a line in the log is the only way to hear of it.
 */
function watchBackplane(signaling: SignalingServer, logger: Logger, redisHost: string): void {
  let ready: boolean | undefined;
  const timer = setInterval(() => {
    if (signaling.closed) return clearInterval(timer);
    const now = signaling.ready;
    if (now === ready) return;
    ready = now;
    if (now) logger.info({ event: 'backplane-up', redis: redisHost }, `connected to Redis at ${redisHost}`);
    else {
      logger.warn(
        { event: 'backplane-down', redis: redisHost },
        `Redis at ${redisHost} (REDIS_URL) does not answer: /readyz says 503 and peers on other nodes are out of reach until it does`,
      );
    }
  }, 1_000);
  timer.unref();
}

function shutdown(standalone: StandaloneServer, logger: Logger, signal: string): void {
  logger.info({ event: 'shutdown', signal }, 'closing every peer with 1001');
  standalone.close().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ event: 'shutdown-failed', err: String(error) }, 'shutdown failed');
      process.exit(1);
    },
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`signalroom: ${error instanceof Error ? error.message : String(error)}`);
  if (error instanceof UsageError) console.error('Run `signalroom --help` for the usage and every environment variable.');
  process.exit(error instanceof UsageError ? 2 : 1);
});
