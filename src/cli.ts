import { createStandaloneServer } from './standalone.js';
import { optionsFromEnv } from './env.js';

/** The standalone server: `npx signalroom`. Configured by environment variables (see README). */
async function main(): Promise<void> {
  const { port, host, options } = optionsFromEnv(process.env);
  const standalone = createStandaloneServer(options);
  const address = await standalone.listen(port, host);
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  console.log(`signalroom listening on ws://${shown}:${address.port} (status: http://${shown}:${address.port}/status)`);

  const shutdown = (signal: string): void => {
    console.log(`signalroom: ${signal} received, closing peers with 1001`);
    standalone.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('signalroom: shutdown failed', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(`signalroom: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
