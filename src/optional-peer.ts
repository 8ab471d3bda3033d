import { createRequire } from 'node:module';

// Resolved from the installed package (dist/), so a peer is found in the user's node_modules as `require` finds it.
const load = createRequire(import.meta.url);

/** The `code` of the error {@link requireOptionalPeer} throws when a package is not installed. */
export const MISSING_PEER = 'ERR_SIGNALROOM_MISSING_PEER';

/**
 * Loads an optional peer dependency by name, or throws an `Error` that names the package, what needs it and the
 * command that installs it, instead of Node's bare "Cannot find package". Errors the package itself throws
 * while loading (or a dependency of it that is missing) pass through unchanged.
 *
 * @param name the package, e.g. `'ioredis'`
 * @param neededBy what needs it, for the message, e.g. `'signalroom/redis'`
 * @example
 * const { Redis } = requireOptionalPeer<typeof import('ioredis')>('ioredis', 'signalroom/redis');
 */
export function requireOptionalPeer<T>(name: string, neededBy: string): T {
  try {
    return load(name) as T;
  } catch (error) {
    if (!isNotFound(error, name)) throw error;
    const missing = new Error(`${neededBy} needs the package "${name}", which is not installed. Install it: npm install ${name}`, {
      cause: error,
    });
    (missing as Error & { code: string }).code = MISSING_PEER;
    throw missing;
  }
}

function isNotFound(error: unknown, name: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  // Node names the module it could not find in quotes: only the peer itself counts, not a dependency of it.
  return (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && error.message.includes(`'${name}'`);
}
