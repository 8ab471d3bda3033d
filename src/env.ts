import type { LogLevel } from './ops/logger.js';
import type { StandaloneOptions } from './standalone.js';

/** What the standalone server reads from its environment. */
export interface StandaloneConfig {
  port: number;
  host: string;
  logLevel: LogLevel;
  /** `REDIS_URL`: join the cluster on this Redis. */
  redisUrl: string | undefined;
  /** `REDIS_PREFIX`: prefix of the cluster's keys and channels, so clusters can share a Redis. */
  redisPrefix: string | undefined;
  options: StandaloneOptions;
}

/**
 * Reads the standalone server's configuration from environment variables. Unset variables keep the defaults;
 * a malformed one throws with the variable's name, so the server refuses to start rather than guess.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv): StandaloneConfig {
  return {
    port: integer(env, 'PORT', 0, 65535) ?? 3000,
    host: env.HOST || '0.0.0.0',
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'] as const) ?? 'info',
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.REDIS_PREFIX || undefined,
    options: {
      dialect: oneOf(env, 'SIGNALROOM_DIALECT', ['console', 'connector'] as const),
      maxMessageSize: integer(env, 'MAX_PAYLOAD', 1, 2 ** 31),
      maxConnections: integer(env, 'MAX_CLIENTS', 1, 2 ** 31),
      maxPeersPerRoom: integer(env, 'MAX_ROOM_CLIENTS', 1, 2 ** 31),
      messageRate: number(env, 'MESSAGE_RATE_PER_SEC'),
      messageBurst: integer(env, 'MESSAGE_BURST', 1, 2 ** 31),
      heartbeatInterval: integer(env, 'HEARTBEAT_INTERVAL', 0, 2 ** 31),
      heartbeatTimeout: integer(env, 'HEARTBEAT_TIMEOUT', 1, 2 ** 31),
      tokenSecret: env.WS_SECRET || undefined,
      allowedOrigins: list(env, 'ALLOWED_ORIGINS'),
      resume: onOff(env, 'RESUME'),
      resumeSecret: env.RESUME_SECRET || undefined,
      resumeGracePeriod: integer(env, 'RESUME_GRACE_PERIOD', 0, 2 ** 31),
      turn: turn(env),
      clusterHeartbeatInterval: integer(env, 'CLUSTER_HEARTBEAT_INTERVAL', 1, 2 ** 31),
      clusterNodeTimeout: integer(env, 'CLUSTER_NODE_TIMEOUT', 1, 2 ** 31),
    },
  };
}

/** `TURN_SECRET` and `TURN_URLS` (comma-separated) turn TURN credentials on; `TURN_TTL` is in seconds. */
function turn(env: NodeJS.ProcessEnv): StandaloneOptions['turn'] {
  const secret = env.TURN_SECRET;
  if (secret === undefined || secret === '') return undefined;
  const urls = list(env, 'TURN_URLS');
  if (urls === undefined) throw new Error('TURN_SECRET needs TURN_URLS (comma-separated turn: URLs)');
  return { secret, urls, ttl: integer(env, 'TURN_TTL', 1, 2 ** 31) };
}

function number(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a number > 0, got "${text}"`);
  return value;
}

/** A comma-separated list, e.g. `ALLOWED_ORIGINS=https://a.example,https://b.example`. */
function list(env: NodeJS.ProcessEnv, name: string): string[] | undefined {
  const text = env[name];
  if (text === undefined || text.trim() === '') return undefined;
  return text.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

/** `on`/`off` (also `true`/`false`, `1`/`0`, any case), so a typo stops the server instead of guessing. */
function onOff(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = text.trim().toLowerCase();
  if (['on', 'true', '1'].includes(value)) return true;
  if (['off', 'false', '0'].includes(value)) return false;
  throw new Error(`${name} must be on or off, got "${text}"`);
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[]): T | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  if (!allowed.includes(text as T)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${text}"`);
  return text as T;
}

function integer(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}
