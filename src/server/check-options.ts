import { assertKnownKeys, assertMethods, assertSecretGiven, describeValue } from '../core/option-checks.js';

/**
 * The checks on the options as given, before defaults are filled in: unknown keys (against the keys of the
 * defaults object, so options added later are covered), a secret or a token check given as `undefined`, a logger
 * or backplane that is not one.
 */
export function checkGivenOptions(options: object, defaults: object): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`options must be an object, got ${describeValue(options)}`);
  }
  assertKnownKeys(options, Object.keys(defaults));
  assertSecretGiven(options, 'tokenSecret');
  assertSecretGiven(options, 'tokenAudience', 'an audience', "not to check a token's aud claim");
  assertSecretGiven(options, 'tokenIssuer', 'an issuer', "not to check a token's iss claim");
  const { logger, backplane } = options as { logger?: unknown; backplane?: unknown };
  assertMethods('logger', logger, ['debug', 'info', 'warn', 'error'], "a logger with pino's interface (debug, info, warn and error methods)");
  if (backplane !== undefined && (typeof backplane !== 'object' || backplane === null)) {
    const example = typeof backplane === 'string' ? `redisBackplane({ url: ${JSON.stringify(backplane)} })` : 'redisBackplane({ url })';
    throw new TypeError(`options.backplane must be a Backplane such as ${example} from 'signalroom/redis', got ${describeValue(backplane)}`);
  }
}
