import type { StandaloneOptions } from './standalone.js';

/** What the standalone server reads from its environment. */
export interface StandaloneConfig {
  port: number;
  host: string;
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
    options: {
      dialect: oneOf(env, 'SIGNALROOM_DIALECT', ['console', 'connector'] as const),
      maxMessageSize: integer(env, 'MAX_PAYLOAD', 1, 2 ** 31),
      maxPeersPerRoom: integer(env, 'MAX_ROOM_CLIENTS', 1, 2 ** 31),
    },
  };
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
