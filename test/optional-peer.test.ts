import { describe, expect, it } from 'vitest';
import { MISSING_PEER, requireOptionalPeer } from '../src/optional-peer.js';

describe('requireOptionalPeer', () => {
  it('loads an installed package', () => {
    const ws = requireOptionalPeer<typeof import('ws')>('ws', 'a test');
    expect(typeof ws.WebSocketServer).toBe('function');
  });

  it.each(['fastify-plugin-that-is-not-installed', 'prom-client-that-is-not-installed', 'ioredis-that-is-not-installed'])(
    'names a missing package, what needs it and how to install it (%s)',
    (name) => {
      const error = (() => {
        try {
          requireOptionalPeer(name, 'signalroom/thing');
        } catch (caught) {
          return caught as Error & { code: string };
        }
        throw new Error('expected a throw');
      })();
      expect(error.message).toBe(`signalroom/thing needs the package "${name}", which is not installed. Install it: npm install ${name}`);
      expect(error.code).toBe(MISSING_PEER);
      expect((error.cause as { code: string }).code).toBe('MODULE_NOT_FOUND');
    },
  );

  it("passes on an error that is not the package's absence", () => {
    // A subpath that does not exist inside an installed package is not "ws is missing".
    expect(() => requireOptionalPeer('ws/no-such-file', 'a test')).toThrow(/Cannot find module|not defined by "exports"/);
  });
});
