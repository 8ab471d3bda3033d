import { Redis, type RedisOptions } from 'ioredis';
import type { Backplane, BackplaneHandlers } from './backplane.js';

/** Options of {@link redisBackplane}. */
export interface RedisBackplaneOptions {
  /** A Redis URL, e.g. `redis://127.0.0.1:6379`. Ignored when `client` is given. @default 'redis://127.0.0.1:6379' */
  url?: string;
  /** Your own ioredis client for commands and publishing (it is duplicated for subscribing). */
  client?: Redis;
  /** Prefix of every key and channel, so several clusters can share one Redis. @default 'signalroom:' */
  prefix?: string;
}

/**
 * A backplane on Redis (through ioredis, an optional peer dependency): pub/sub carries events and signals, and
 * each node's snapshot is a key that expires unless its heartbeat refreshes it. Commands are never queued while
 * Redis is away (bounded memory): sends fail at once and the sender is told; ioredis reconnects and resubscribes,
 * and the node re-announces itself.
 *
 * @example
 * import { attachSignaling } from 'signalroom';
 * import { redisBackplane } from 'signalroom/redis';
 * attachSignaling(server, { backplane: redisBackplane({ url: process.env.REDIS_URL }) });
 */
export function redisBackplane(options: RedisBackplaneOptions = {}): Backplane {
  const prefix = options.prefix ?? 'signalroom:';
  const connection: RedisOptions = {
    // While Redis is away, fail commands at once instead of buffering them without bound.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1_000),
  };
  const ownsClient = options.client === undefined;
  const publisher = options.client ?? new Redis(options.url ?? 'redis://127.0.0.1:6379', connection);
  // The subscriber keeps its queue: SUBSCRIBE must survive a reconnect (ioredis resubscribes).
  const subscriber = publisher.duplicate({ ...connection, enableOfflineQueue: true, maxRetriesPerRequest: null });
  // Errors are reported through readiness (and the node's own checks); an unhandled 'error' must not crash.
  publisher.on('error', () => {});
  subscriber.on('error', () => {});
  const events = `${prefix}events`;
  const nodes = `${prefix}nodes`;
  const stateKey = (nodeId: string) => `${prefix}state:${nodeId}`;
  const nodeChannel = (nodeId: string) => `${prefix}node:${nodeId}`;
  const ready = () => publisher.status === 'ready' && subscriber.status === 'ready';
  let handlers: BackplaneHandlers | undefined;
  let wasDown = false;

  const onReady = () => {
    if (!ready() || handlers === undefined) return;
    if (wasDown) handlers.onReconnect();
    wasDown = false;
  };
  const onDown = () => {
    if (wasDown) return;
    wasDown = true;
    handlers?.onDisconnect();
  };
  for (const client of [publisher, subscriber]) {
    client.on('ready', onReady);
    client.on('close', onDown);
  }

  return {
    get connected() {
      return ready();
    },
    async start(nodeId, given) {
      handlers = given;
      subscriber.on('message', (channel: string, message: string) => {
        if (channel === events) given.onEvent(message);
        else given.onDirect(message);
      });
      await subscriber.subscribe(events, nodeChannel(nodeId));
    },
    broadcast(message) {
      if (!ready()) return false;
      publisher.publish(events, message).catch(() => {});
      return true;
    },
    send(nodeId, message) {
      if (!ready()) return false;
      publisher.publish(nodeChannel(nodeId), message).catch(() => {});
      return true;
    },
    async saveState(nodeId, state, ttlMs) {
      await publisher.multi().set(stateKey(nodeId), state, 'PX', ttlMs).sadd(nodes, nodeId).exec();
    },
    async loadStates() {
      const ids = await publisher.smembers(nodes);
      const states = new Map<string, string>();
      if (ids.length === 0) return states;
      const values = await publisher.mget(ids.map(stateKey));
      const gone: string[] = [];
      ids.forEach((id, i) => {
        const value = values[i];
        if (value === null || value === undefined) gone.push(id);
        else states.set(id, value);
      });
      // Nodes whose snapshot expired are dead: forget them, so the set does not grow forever.
      if (gone.length > 0) await publisher.srem(nodes, ...gone);
      return states;
    },
    async removeState(nodeId) {
      await publisher.multi().del(stateKey(nodeId)).srem(nodes, nodeId).exec();
    },
    async close() {
      handlers = undefined;
      subscriber.disconnect();
      if (ownsClient) publisher.disconnect();
    },
  };
}
