import { optionsFromEnv } from './env.js';
import { jsonLogger, type Logger } from './ops/logger.js';
import { createStandaloneServer, type StandaloneServer } from './standalone.js';

/** The standalone server: `npx signalroom`. Configured by environment variables (see README); logs JSON lines. */
async function main(): Promise<void> {
  const { port, host, logLevel, redisUrl, redisPrefix, options } = optionsFromEnv(process.env);
  const logger = jsonLogger(logLevel);
  // ioredis is an optional peer dependency: loaded only for a cluster.
  const backplane = redisUrl === undefined ? undefined : (await import('./cluster/redis.js')).redisBackplane({ url: redisUrl, prefix: redisPrefix });
  const standalone = createStandaloneServer({ ...options, logger, backplane });
  // Handlers first, so a signal that arrives while starting up still ends in a clean exit.
  process.once('SIGTERM', () => shutdown(standalone, logger, 'SIGTERM'));
  process.once('SIGINT', () => shutdown(standalone, logger, 'SIGINT'));
  const address = await standalone.listen(port, host);
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `ws://${shown}:${address.port}`;
  // Said even at LOG_LEVEL=warn: where the server is matters more than how chatty it is.
  jsonLogger(logLevel === 'silent' ? 'silent' : 'info').info(
    { event: 'listening', url, node: standalone.signaling.nodeId },
    `signalroom listening on ${url}${redisUrl === undefined ? '' : ` (cluster node ${standalone.signaling.nodeId} on Redis at ${new URL(redisUrl).host})`}`,
  );
  if ((await standalone.metrics) === undefined && options.metrics !== false) {
    logger.warn({ event: 'metrics-off' }, 'GET /metrics is off: install prom-client to turn it on');
  }
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

main().catch((error: unknown) => {
  console.error(`signalroom: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
