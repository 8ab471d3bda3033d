import { onTestFinished } from 'vitest';
import { createStandaloneServer, type StandaloneOptions, type StandaloneServer } from '../../src/standalone.js';

export interface RunningServer extends StandaloneServer {
  /** `ws://127.0.0.1:<port>` */
  readonly url: string;
  readonly httpUrl: string;
}

/** Starts the standalone server on a free loopback port; it is closed when the test ends. */
export async function startServer(options: StandaloneOptions = {}): Promise<RunningServer> {
  const standalone = createStandaloneServer(options);
  const { port } = await standalone.listen(0, '127.0.0.1');
  onTestFinished(() => standalone.close());
  return { ...standalone, url: `ws://127.0.0.1:${port}`, httpUrl: `http://127.0.0.1:${port}` };
}

/** GETs a JSON document from the server. */
export async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  return response.json();
}
