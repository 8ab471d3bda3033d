import { assertKnownKeys, describeValue } from '../core/option-checks.js';
import { SIGNALING_DEFAULTS } from '../server/options.js';
import type { UpgradableServer } from './upgrade-router.js';

/** Throws a TypeError that names the call unless `server` can take `'upgrade'` listeners like an `http.Server`. */
export function assertServer(call: string, server: unknown): asserts server is UpgradableServer {
  const candidate = server as { on?: unknown; emit?: unknown; listenerCount?: unknown } | null | undefined;
  if (typeof candidate?.on === 'function' && typeof candidate.emit === 'function' && typeof candidate.listenerCount === 'function') return;
  throw new TypeError(
    `${call}: server must be an http.Server or https.Server (what http.createServer() or app.listen() returns), got ${describeValue(server)}`,
  );
}

/** Refuses option keys that are neither signaling options nor one of the adapter's own. */
export function assertAdapterOptions(options: unknown, ownKeys: Iterable<string>): void {
  if (typeof options !== 'object' || options === null) throw new TypeError(`options must be an object, got ${describeValue(options)}`);
  assertKnownKeys(options, [...Object.keys(SIGNALING_DEFAULTS), ...ownKeys]);
}
