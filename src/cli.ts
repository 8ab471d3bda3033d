import { optionsFromEnv } from './env.js';
import { createStandaloneServer, type StandaloneServer } from './standalone.js';

/** The standalone server: `npx signalroom`. Configured by environment variables (see README). */
async function main(): Promise<void> {
  const { port, host, options } = optionsFromEnv(process.env);
  const standalone = createStandaloneServer(options);
  // Handlers first, so a signal that arrives while starting up still ends in a clean exit.
  process.once('SIGTERM', () => shutdown(standalone, 'SIGTERM'));
  process.once('SIGINT', () => shutdown(standalone, 'SIGINT'));
  const address = await standalone.listen(port, host);
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  console.log(`signalroom listening on ws://${shown}:${address.port} (status: http://${shown}:${address.port}/status)`);
}

function shutdown(standalone: StandaloneServer, signal: string): void {
  console.log(`signalroom: ${signal} received, closing peers with 1001`);
  standalone.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('signalroom: shutdown failed', error);
      process.exit(1);
    },
  );
}

main().catch((error: unknown) => {
  console.error(`signalroom: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
