import type { LogLevel } from './ops/logger.js';
import { SIGNALING_DEFAULTS } from './server/options.js';
import { PEERJS_DEFAULTS } from './transport/peerjs-options.js';
import type { StandaloneOptions } from './standalone.js';

/** How the standalone server prints its log lines. */
export type LogFormat = 'json' | 'pretty';

/** What the standalone server reads from its environment. */
export interface StandaloneConfig {
  port: number;
  host: string;
  logLevel: LogLevel;
  /** `LOG_FORMAT`; `undefined`: pretty on a terminal, JSON otherwise. */
  logFormat: LogFormat | undefined;
  /** `REDIS_URL`: join the cluster on this Redis. */
  redisUrl: string | undefined;
  /** `REDIS_PREFIX`: prefix of the cluster's keys and channels, so clusters can share a Redis. */
  redisPrefix: string | undefined;
  options: StandaloneOptions;
}

/** One environment variable of the standalone server: `--help` and the README table are made from this list. */
export interface EnvVar {
  readonly name: string;
  /** The default, as text. */
  readonly default: string;
  readonly meaning: string;
}

const ms = (value: number) => String(value);

/** Every variable the standalone server reads, with its default. Defaults of options come from the options' own. */
export const ENV_VARS: readonly EnvVar[] = [
  { name: 'PORT', default: '3000', meaning: 'port to listen on (0: any free port, printed at start)' },
  { name: 'HOST', default: '0.0.0.0', meaning: 'address to listen on (0.0.0.0: every interface; 127.0.0.1: this machine only)' },
  { name: 'SIGNALROOM_DIALECT', default: SIGNALING_DEFAULTS.dialect, meaning: 'the default dialect: console, connector, peerjs or ywebrtc' },
  { name: 'PEERJS_PATH', default: 'none (no PeerJS server)', meaning: 'serve PeerJS (as peerjs --path): HTTP API under it, WebSocket at <path>/peerjs' },
  { name: 'PEERJS_KEY', default: PEERJS_DEFAULTS.key, meaning: 'the PeerJS key (setting it serves PeerJS, at / unless PEERJS_PATH)' },
  { name: 'PEERJS_DISCOVERY', default: 'off', meaning: 'allow_discovery: GET <path>/<key>/peers lists the ids: on or off' },
  { name: 'YWEBRTC_PATH', default: 'none', meaning: 'serve y-webrtc signaling on this path, e.g. /yjs' },
  { name: 'MAX_PAYLOAD', default: String(SIGNALING_DEFAULTS.maxMessageSize), meaning: 'maxMessageSize: bytes per frame' },
  { name: 'MAX_CLIENTS', default: String(SIGNALING_DEFAULTS.maxConnections), meaning: 'maxConnections' },
  { name: 'MAX_ROOM_CLIENTS', default: String(SIGNALING_DEFAULTS.maxPeersPerRoom), meaning: 'maxPeersPerRoom' },
  { name: 'MESSAGE_RATE_PER_SEC', default: String(SIGNALING_DEFAULTS.messageRate), meaning: 'messageRate: sustained messages per second per connection' },
  { name: 'MESSAGE_BURST', default: String(SIGNALING_DEFAULTS.messageBurst), meaning: 'messageBurst' },
  { name: 'RELAY_BYTE_RATE', default: String(SIGNALING_DEFAULTS.relayByteRate), meaning: 'relayByteRate: bytes per second a sender may put in front of its receivers' },
  { name: 'RELAY_BYTE_BURST', default: String(SIGNALING_DEFAULTS.relayByteBurst), meaning: 'relayByteBurst' },
  { name: 'HEARTBEAT_INTERVAL', default: ms(SIGNALING_DEFAULTS.heartbeatInterval), meaning: 'heartbeatInterval, in ms (0: off)' },
  { name: 'HEARTBEAT_TIMEOUT', default: ms(SIGNALING_DEFAULTS.heartbeatTimeout), meaning: 'heartbeatTimeout: ms without a pong after a ping before a peer is cut' },
  { name: 'WS_SECRET', default: 'none', meaning: 'tokenSecret: clients connect with ?token=' },
  { name: 'WS_TOKEN_AUDIENCE', default: 'not checked', meaning: 'comma-separated tokenAudience: a JWT\'s aud must name one (needs WS_SECRET)' },
  { name: 'WS_TOKEN_ISSUER', default: 'not checked', meaning: 'comma-separated tokenIssuer: a JWT\'s iss must be one (needs WS_SECRET)' },
  { name: 'ALLOWED_ORIGINS', default: 'every origin', meaning: 'comma-separated allowedOrigins' },
  { name: 'RESUME', default: 'on', meaning: 'resume: on or off (resume tokens for clients that ask for extensions)' },
  { name: 'RESUME_GRACE_PERIOD', default: ms(SIGNALING_DEFAULTS.resumeGracePeriod), meaning: 'resumeGracePeriod, in ms (0: a dropped peer leaves at once)' },
  { name: 'RESUME_SECRET', default: 'random', meaning: 'resumeSecret (set the same on every node)' },
  { name: 'TURN_SECRET', default: 'none', meaning: 'TURN REST credentials (coturn use-auth-secret): the shared secret' },
  { name: 'TURN_URLS', default: 'none', meaning: 'comma-separated turn: URLs (needed with TURN_SECRET)' },
  { name: 'TURN_TTL', default: '86400', meaning: 'seconds a TURN credential is valid' },
  { name: 'STATUS', default: 'on', meaning: 'GET /status (every peer id and room): on or off' },
  { name: 'DASHBOARD', default: 'on', meaning: 'GET /dashboard (shows every peer id): on or off' },
  { name: 'METRICS', default: 'on', meaning: 'GET /metrics (Prometheus, when prom-client is installed): on or off' },
  { name: 'LOG_LEVEL', default: 'info', meaning: 'debug, info, warn, error or silent' },
  { name: 'LOG_FORMAT', default: 'pretty on a terminal, else json', meaning: 'json (one JSON object a line) or pretty' },
  { name: 'REDIS_URL', default: 'none (one node)', meaning: 'join the cluster on this Redis, e.g. redis://10.0.0.5:6379 (needs ioredis)' },
  { name: 'REDIS_PREFIX', default: 'signalroom:', meaning: 'prefix of keys and channels, so clusters can share a Redis' },
  {
    name: 'CLUSTER_HEARTBEAT_INTERVAL',
    default: ms(SIGNALING_DEFAULTS.clusterHeartbeatInterval),
    meaning: 'ms between a node\'s lease renewals and its checks for dead nodes',
  },
  { name: 'CLUSTER_NODE_TIMEOUT', default: ms(SIGNALING_DEFAULTS.clusterNodeTimeout), meaning: 'ms a node\'s lease lasts: a node that has not renewed it by then is dead' },
];

/**
 * Reads the standalone server's configuration from environment variables. Unset variables keep the defaults;
 * a malformed one throws with the variable's name, so the server refuses to start rather than guess.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv): StandaloneConfig {
  return {
    port: integer(env, 'PORT', 0, 65535) ?? 3000,
    host: env.HOST || '0.0.0.0',
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'] as const) ?? 'info',
    logFormat: oneOf(env, 'LOG_FORMAT', ['json', 'pretty'] as const),
    redisUrl: redisUrl(env),
    redisPrefix: env.REDIS_PREFIX || undefined,
    // Unset variables leave their option out entirely: an option given as `undefined` can mean a mistake
    // (tokenSecret: process.env.WS_SECRET with the variable unset is refused, not read as "no auth").
    options: definedOnly({
      dialect: oneOf(env, 'SIGNALROOM_DIALECT', ['console', 'connector', 'peerjs', 'ywebrtc'] as const),
      peerjs: peerjs(env),
      dialects: path(env, 'YWEBRTC_PATH') === undefined ? undefined : { [path(env, 'YWEBRTC_PATH') as string]: 'ywebrtc' as const },
      maxMessageSize: integer(env, 'MAX_PAYLOAD', 1, 2 ** 31),
      maxConnections: integer(env, 'MAX_CLIENTS', 1, 2 ** 31),
      maxPeersPerRoom: integer(env, 'MAX_ROOM_CLIENTS', 1, 2 ** 31),
      messageRate: number(env, 'MESSAGE_RATE_PER_SEC'),
      messageBurst: integer(env, 'MESSAGE_BURST', 1, 2 ** 31),
      relayByteRate: integer(env, 'RELAY_BYTE_RATE', 1, 2 ** 52),
      relayByteBurst: integer(env, 'RELAY_BYTE_BURST', 1, 2 ** 52),
      heartbeatInterval: integer(env, 'HEARTBEAT_INTERVAL', 0, 2 ** 31),
      heartbeatTimeout: integer(env, 'HEARTBEAT_TIMEOUT', 1, 2 ** 31),
      tokenSecret: env.WS_SECRET || undefined,
      tokenAudience: tokenCheck(env, 'WS_TOKEN_AUDIENCE', 'audiences'),
      tokenIssuer: tokenCheck(env, 'WS_TOKEN_ISSUER', 'issuers'),
      allowedOrigins: list(env, 'ALLOWED_ORIGINS'),
      resume: onOff(env, 'RESUME'),
      resumeSecret: env.RESUME_SECRET || undefined,
      resumeGracePeriod: integer(env, 'RESUME_GRACE_PERIOD', 0, 2 ** 31),
      turn: turn(env),
      statusPath: onOff(env, 'STATUS') === false ? false : undefined,
      dashboard: onOff(env, 'DASHBOARD'),
      metrics: onOff(env, 'METRICS'),
      clusterHeartbeatInterval: integer(env, 'CLUSTER_HEARTBEAT_INTERVAL', 1, 2 ** 31),
      clusterNodeTimeout: integer(env, 'CLUSTER_NODE_TIMEOUT', 1, 2 ** 31),
    }),
  };
}

function definedOnly<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}

/** `REDIS_URL`: a redis:// or rediss:// URL; anything else stops the server with the variable's name. */
function redisUrl(env: NodeJS.ProcessEnv): string | undefined {
  const text = env.REDIS_URL;
  if (text === undefined || text === '') return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(text).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw new Error(`REDIS_URL must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379, got "${text}"`);
  }
  return text;
}

/** Any of `PEERJS_PATH`, `PEERJS_KEY`, `PEERJS_DISCOVERY` serves PeerJS, with PeerServer's defaults for the rest. */
function peerjs(env: NodeJS.ProcessEnv): StandaloneOptions['peerjs'] {
  const at = path(env, 'PEERJS_PATH');
  const key = env.PEERJS_KEY || undefined;
  const discovery = onOff(env, 'PEERJS_DISCOVERY');
  if (at === undefined && key === undefined && discovery === undefined) return undefined;
  return definedOnly({ path: at, key, allow_discovery: discovery });
}

/** A URL path such as `/myapp`. */
function path(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  if (!text.startsWith('/')) throw new Error(`${name} must be a path starting with "/", got "${text}"`);
  return text;
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

/** `WS_TOKEN_AUDIENCE` / `WS_TOKEN_ISSUER`: a list that checks the JWTs of `WS_SECRET`, so both must be there. */
function tokenCheck(env: NodeJS.ProcessEnv, name: string, what: string): string[] | undefined {
  const items = list(env, name);
  if (items === undefined) return undefined;
  if (items.length === 0) throw new Error(`${name} must be a comma-separated list of ${what}, got "${env[name]}"`);
  if (!env.WS_SECRET) throw new Error(`${name} checks the tokens of WS_SECRET, which is not set`);
  return items;
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
