import http from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { expressSignaling } from '../../src/adapters/express.js';
import signalroom from '../../src/adapters/fastify.js';
import { attachSignaling, SIGNALING_DEFAULTS, SignalingServer } from '../../src/index.js';
import { createStandaloneServer } from '../../src/standalone.js';

const server = () => http.createServer();

describe('options that make no sense are refused at once, with a TypeError that says what to fix', () => {
  it.each([
    [{ maxPeerPerRoom: 8 }, 'options.maxPeerPerRoom is not an option; did you mean maxPeersPerRoom?'],
    [{ heartbeatinterval: 0 }, 'options.heartbeatinterval is not an option; did you mean heartbeatInterval?'],
    [{ tokensecret: 's' }, 'options.tokensecret is not an option; did you mean tokenSecret?'],
    [{ paht: '/signal' }, 'options.paht is not an option; did you mean path?'],
    [{ maxPeersPerRoom: '8' }, 'options.maxPeersPerRoom must be an integer >= 1, got "8" (string)'],
    [{ logger: {} }, "options.logger must be a logger with pino's interface (debug, info, warn and error methods), got an object without debug, info, warn, error"],
    [{ logger: console.log }, "options.logger must be a logger with pino's interface (debug, info, warn and error methods), got a function"],
    [{ backplane: 'redis://x' }, `options.backplane must be a Backplane such as redisBackplane({ url: "redis://x" }) from 'signalroom/redis', got "redis://x" (string)`],
    [{ tokenSecret: 42 }, 'options.tokenSecret must be a non-empty string, got 42'],
  ])('attachSignaling(server, %j)', (options, message) => {
    expect(() => attachSignaling(server(), options as never)).toThrow(new TypeError(message));
  });

  it('lists the options when a key is nothing like any of them', () => {
    expect(() => attachSignaling(server(), { zzzzzzzzzzzz: 1 } as never)).toThrow(/^options\.zzzzzzzzzzzz is not an option \(the options are: .*maxPeersPerRoom.*\)$/);
  });

  it('knows every key of SIGNALING_DEFAULTS, so options added there later are accepted without touching the check', async () => {
    for (const key of Object.keys(SIGNALING_DEFAULTS)) {
      // Given as undefined these are refused on purpose (below, and test/hardening/tokens.test.ts).
      if (key === 'tokenSecret' || key === 'tokenAudience' || key === 'tokenIssuer') continue;
      const signaling = new SignalingServer({ [key]: undefined });
      await signaling.close();
    }
  });

  it('attachSignaling({}) and attachSignaling(app) name the server argument', () => {
    const message = 'attachSignaling(server, options): server must be an http.Server or https.Server (what http.createServer() or app.listen() returns), got an object';
    expect(() => attachSignaling({} as never)).toThrow(new TypeError(message));
    expect(() => attachSignaling(undefined as never)).toThrow(new TypeError(message.replace('an object', 'undefined')));
  });

  it('expressSignaling(server) and expressSignaling(app) say which argument is wrong', () => {
    const app = express();
    expect(() => (expressSignaling as (...args: unknown[]) => unknown)(server())).toThrow(
      new TypeError('expressSignaling(app, server, options): app must be the Express app, got an http.Server: pass the app first, then its server'),
    );
    expect(() => (expressSignaling as (...args: unknown[]) => unknown)(app)).toThrow(
      new TypeError(
        'expressSignaling(app, server, options): server must be an http.Server or https.Server (what http.createServer() or app.listen() returns), got undefined',
      ),
    );
    expect(() => expressSignaling(app, server(), { statuspath: '/status' } as never)).toThrow(
      new TypeError('options.statuspath is not an option; did you mean statusPath?'),
    );
  });

  it('the Fastify plugin refuses unknown keys but takes Fastify\'s own register options', async () => {
    const app = Fastify();
    await expect(app.register(signalroom, { maxPeerPerRoom: 3 } as never)).rejects.toThrow('options.maxPeerPerRoom is not an option; did you mean maxPeersPerRoom?');
    const ok = Fastify();
    await ok.register(signalroom, { prefix: '/ignored', maxPeersPerRoom: 3 } as never);
    expect(ok.signaling.options.maxPeersPerRoom).toBe(3);
    await ok.close();
  });

  it('createStandaloneServer refuses unknown keys too', () => {
    expect(() => createStandaloneServer({ dashbord: false } as never)).toThrow(new TypeError('options.dashbord is not an option; did you mean dashboard?'));
  });

  it('accepts a logger with the four methods', async () => {
    const logger = { debug() {}, info() {}, warn() {}, error() {} };
    const signaling = attachSignaling(server(), { logger });
    await signaling.close();
  });
});

describe('tokenSecret given but empty does not turn authentication off', () => {
  it.each([
    ['undefined (tokenSecret: process.env.WS_SECRET with the variable unset)', undefined, 'undefined'],
    ['an empty string (WS_SECRET=)', '', 'an empty string'],
  ])('refuses %s', (_case, tokenSecret, what) => {
    expect(() => attachSignaling(server(), { tokenSecret })).toThrow(
      new TypeError(
        `options.tokenSecret is ${what}: a secret was given but has no value (is its environment variable unset?). Set it, or leave the key out to accept clients without a token.`,
      ),
    );
  });

  it('leaving the key out means no tokens, as before', async () => {
    const signaling = attachSignaling(server(), {});
    expect(signaling.options.tokenSecret).toBeUndefined();
    await signaling.close();
  });
});
