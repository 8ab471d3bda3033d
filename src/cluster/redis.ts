import type { Redis as RedisClient, RedisOptions } from 'ioredis';
import { requireOptionalPeer } from '../optional-peer.js';
import type { StatusReport } from '../core/types.js';
import type { Backplane, BackplaneHandlers, BackplaneEndResult, BackplaneJoinResult, PeerEntry, RoomSnapshot } from './backplane.js';
import { SCRIPTS, scriptSource } from './redis-scripts.js';

/** Options of {@link redisBackplane}. */
export interface RedisBackplaneOptions {
  /** A Redis URL, e.g. `redis://127.0.0.1:6379`. Ignored when `client` is given. @default 'redis://127.0.0.1:6379' */
  url?: string;
  /** Your own ioredis client for commands and publishing (it is duplicated for subscribing). */
  client?: RedisClient;
  /** Prefix of every key and channel, so several clusters can share one Redis. @default 'signalroom:' */
  prefix?: string;
  /**
   * Sharded pub/sub (`SSUBSCRIBE`/`SPUBLISH`, Redis 7+) or plain pub/sub. `'auto'` asks the server's version.
   * @default 'auto'
   */
  pubsub?: 'auto' | 'sharded' | 'plain';
}

// ioredis is an optional peer dependency: without it, importing signalroom/redis says what to install.
const { Redis } = requireOptionalPeer<typeof import('ioredis')>('ioredis', 'signalroom/redis');

/** How many of a dead node's peers one reaping step removes (so Redis is never blocked for long). */
const REAP_BATCH = 500;

type ScriptCall = (key: string, ...args: Array<string | number>) => Promise<unknown>;
type ScriptedRedis = RedisClient & Record<keyof typeof SCRIPTS, ScriptCall>;

/**
 * The cluster's shared state in Redis (through ioredis, an optional peer dependency). Redis holds the peer
 * directory, the rooms with their members in join order and the node leases; each change is one Lua script that
 * also publishes it on the room's channel. A node subscribes to its own channel and to the channels of the rooms
 * its peers are in, and to nothing else. Every key and channel shares one hash tag (`{prefix}`), so the scripts
 * also run on Redis Cluster, where the state then lives on one shard.
 *
 * Commands are never queued while Redis is away (bounded memory): they fail at once, the node decides locally,
 * and it writes its state back when ioredis has reconnected and resubscribed.
 *
 * @example
 * import { attachSignaling } from 'signalroom';
 * import { redisBackplane } from 'signalroom/redis';
 * attachSignaling(server, { backplane: redisBackplane({ url: process.env.REDIS_URL }) });
 */
export function redisBackplane(options: RedisBackplaneOptions = {}): Backplane {
  const base = `{${options.prefix ?? 'signalroom:'}}`;
  const routingKey = `${base}order`;
  const connection: RedisOptions = {
    // While Redis is away, fail commands at once instead of buffering them without bound.
    enableOfflineQueue: false,
    // No auto-pipelining. It was blamed for signals between standalone nodes answered "0 receivers"; that was the
    // subscriber handshake race below (with it on and the race fixed, 0 of 20 relay rounds failed). Turning it
    // on again is a throughput question for bench/.
    enableAutoPipelining: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1_000),
  };
  const ownsClient = options.client === undefined;
  const redis = (options.client ?? new Redis(options.url ?? 'redis://127.0.0.1:6379', connection)) as ScriptedRedis;
  for (const [name, body] of Object.entries(SCRIPTS)) redis.defineCommand(name, { numberOfKeys: 1, lua: scriptSource(body) });
  // The subscriber keeps its queue: subscriptions must survive a reconnect (ioredis resubscribes).
  const subscriber = redis.duplicate({ ...connection, enableOfflineQueue: true, maxRetriesPerRequest: null });
  // Errors are reported through readiness (and the node's own checks); an unhandled 'error' must not crash.
  redis.on('error', () => {});
  subscriber.on('error', () => {});
  const ready = () => redis.status === 'ready' && subscriber.status === 'ready';
  const roomChannel = (roomId: string) => `${base}chan:${roomId}`;
  const nodeChannel = (nodeId: string) => `${base}node:${nodeId}`;
  const roomPrefix = `${base}chan:`;
  let sharded = options.pubsub === 'sharded';
  let publish = 'SPUBLISH';
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
  for (const client of [redis, subscriber]) {
    client.on('ready', onReady);
    client.on('close', onDown);
  }
  /** Runs a script with the key base and the publish command in front of its own arguments. */
  const run = (name: keyof typeof SCRIPTS, ...args: Array<string | number>) => redis[name](routingKey, base, publish, ...args);
  // ioredis 5 writes a (S)SUBSCRIBE given while a connection's handshake is under way (status 'connect') at once:
  // its reply puts the connection in subscriber mode, the handshake's INFO is then refused, and the reconnect that
  // follows does not resubscribe, since the connection never was ready (redis/ioredis#2037). The node was left
  // deaf to its own channel for good (every signal to its peers answered "0 receivers") and briefly disconnected
  // (joins decided locally). So subscriber commands wait for the handshake to end, and go out in call order.
  let subscriberTurn: Promise<void> = Promise.resolve();
  const onSubscriber = <T>(command: () => Promise<T>): Promise<T> => {
    const turn = subscriberTurn.then(subscriberHandshake);
    subscriberTurn = turn;
    return turn.then(command);
  };
  const subscriberHandshake = (): Promise<void> | undefined => {
    // 'ready': written now; 'connecting' or 'reconnecting': queued, and sent once ready (after ioredis resubscribed).
    if (subscriber.status !== 'connect') return undefined;
    return new Promise((resolve) => {
      const done = () => {
        subscriber.off('ready', done);
        subscriber.off('close', done);
        resolve();
      };
      subscriber.on('ready', done);
      subscriber.on('close', done);
    });
  };
  const subscribe = (channel: string) =>
    onSubscriber(() => (sharded ? subscriber.ssubscribe(channel) : subscriber.subscribe(channel)));
  const unsubscribe = (channel: string) =>
    onSubscriber(() => (sharded ? subscriber.sunsubscribe(channel) : subscriber.unsubscribe(channel)));
  const transfer = (yes: boolean) => (yes ? '1' : '0');

  return {
    get connected() {
      return ready();
    },
    async start(nodeId, given) {
      // Started means usable: the command connection is ready too (and answers the version question).
      if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
      if (options.pubsub === undefined || options.pubsub === 'auto') {
        const version = /redis_version:(\d+)/.exec(await redis.info('server'))?.[1];
        sharded = Number(version) >= 7;
      }
      publish = sharded ? 'SPUBLISH' : 'PUBLISH';
      handlers = given;
      const onMessage = (channel: string, message: string) => {
        if (channel.startsWith(roomPrefix)) given.onRoomMessage(channel.slice(roomPrefix.length), message);
        else given.onNodeMessage(message);
      };
      subscriber.on(sharded ? 'smessage' : 'message', onMessage);
      await subscribe(nodeChannel(nodeId));
    },
    async close() {
      handlers = undefined;
      subscriber.disconnect();
      if (ownsClient) redis.disconnect();
    },

    async renewLease(nodeId, ttlMs) {
      return (await run('srRenewLease', nodeId, ttlMs)) === 1 ? 'renewed' : 'lost';
    },
    async reapDeadNodes(selfId, lockMs) {
      for (const nodeId of await redis.smembers(`${base}nodes`)) {
        if (nodeId === selfId || (await redis.exists(`${base}lease:${nodeId}`)) === 1) continue;
        // One survivor reaps each dead node: whoever takes its lock.
        if ((await redis.set(`${base}reap:${nodeId}`, selfId, 'PX', lockMs, 'NX')) !== 'OK') continue;
        while ((await run('srReap', nodeId, REAP_BATCH)) === 1);
      }
    },
    async removeNode(nodeId) {
      await redis.del(`${base}lease:${nodeId}`);
      while ((await run('srReap', nodeId, REAP_BATCH)) === 1);
    },

    async claimPeer(peer, mode) {
      const [existed, ...rooms] = (await run('srClaim', ...entryArgs(peer), mode, peer.credential ?? '')) as [number, ...string[]];
      return { existed: existed === 1, rooms };
    },
    async lookupPeer(peerId) {
      const [node, credential] = await redis.hmget(`${base}peer:${peerId}`, 'node', 'cred');
      return node === null ? undefined : { credential: credential ?? undefined };
    },
    async watchPeer(peerId, nodeId, ttlMs) {
      return (await run('srWatchPeer', peerId, nodeId, ttlMs)) === 1;
    },
    async removePeer(peerId, incarnation) {
      await run('srRemovePeer', peerId, incarnation);
    },
    async forgetPeer(peerId, nodeId) {
      await run('srForgetPeer', peerId, nodeId);
    },
    async restorePeer(peer, memberships, transferOwnership) {
      const result = await run(
        'srRestorePeer',
        ...entryArgs(peer),
        transfer(transferOwnership),
        // cjson turns an empty table into an object: the script only iterates it, so either shape works.
        JSON.stringify(memberships.map((m) => ({ ...m, owner: m.owner ?? '' }))),
        peer.credential ?? '',
      );
      return result === 1;
    },
    nodePeers: (nodeId) => redis.smembers(`${base}nodepeers:${nodeId}`),

    async subscribeRoom(roomId) {
      await subscribe(roomChannel(roomId));
    },
    async unsubscribeRoom(roomId) {
      await unsubscribe(roomChannel(roomId));
    },
    async roomSnapshot(roomId) {
      const text = (await run('srSnapshot', roomId)) as string | null;
      return text === null ? undefined : parseSnapshot(text);
    },
    async join(request): Promise<BackplaneJoinResult> {
      const [code, value] = (await run(
        'srJoin',
        request.peer.id,
        request.peer.incarnation,
        request.room,
        request.mode,
        request.name,
        request.capacity,
        transfer(request.transferOwnership),
      )) as [string, number | undefined];
      if (code === 'ok') return { ok: true, version: value as number };
      return value === undefined ? { ok: false, code: code as never } : { ok: false, code: code as never, limit: value };
    },
    async leave(request) {
      const result = await run(
        'srLeave',
        request.peer,
        request.incarnation ?? '',
        request.room,
        request.reason,
      );
      return result === 1;
    },
    async end(roomId, by): Promise<BackplaneEndResult> {
      const [code, snapshot] = (await run('srEnd', roomId, by ?? '')) as [string, string | undefined];
      if (code === 'ok') return { ok: true, room: parseSnapshot(snapshot as string) };
      return { ok: false, code: code as 'room-not-found' | 'not-room-owner' };
    },
    async createRoom(room) {
      return (await run('srCreateRoom', room.id, room.name, room.owner ?? '', room.capacity, transfer(room.transferOwnership))) === 1;
    },

    async sendToNode(nodeId, message) {
      const channel = nodeChannel(nodeId);
      const heard = (await (sharded ? redis.spublish(channel, message) : redis.publish(channel, message))) as number;
      return heard > 0;
    },
    async sendToPeer(peerId, message) {
      return ((await run('srSendToPeer', peerId, message)) as number) > 0;
    },
    publishToRoom(roomId, message) {
      if (!ready()) return;
      const channel = roomChannel(roomId);
      (sharded ? redis.spublish(channel, message) : redis.publish(channel, message)).catch(() => {});
    },

    async status(): Promise<StatusReport> {
      const [clients, roomIds] = await Promise.all([redis.zrange(`${base}clients`, 0, -1), redis.zrange(`${base}roomlist`, 0, -1)]);
      const pipeline = redis.pipeline();
      for (const roomId of roomIds) pipeline.zrange(`${base}members:${roomId}`, 0, -1);
      const members = roomIds.length === 0 ? [] : ((await pipeline.exec()) ?? []);
      // A null-prototype object, so a room named `__proto__` is an ordinary key.
      const rooms: Record<string, string[]> = Object.create(null);
      roomIds.forEach((roomId, i) => {
        const ids = members[i]?.[1] as string[] | undefined;
        if (ids !== undefined && ids.length > 0) rooms[roomId] = ids;
      });
      return { totalClients: clients.length, clients, rooms };
    },
    async summary() {
      const [peers, rooms, nodes] = await Promise.all([
        redis.zcard(`${base}clients`),
        redis.zcard(`${base}roomlist`),
        redis.smembers(`${base}nodes`),
      ]);
      const pipeline = redis.pipeline();
      for (const nodeId of nodes) pipeline.exists(`${base}lease:${nodeId}`);
      const leases = nodes.length === 0 ? [] : ((await pipeline.exec()) ?? []);
      return { peers, rooms, nodes: leases.filter(([, live]) => live === 1).length };
    },
  };
}

/** A directory entry as the claim and restore scripts take it: id, node, inc, dialect, scope, sw. */
function entryArgs(peer: PeerEntry): string[] {
  return [peer.id, peer.node, peer.incarnation, peer.dialect, peer.scope, peer.switchRooms ? '1' : '0'];
}

/** A snapshot as the script encodes it; cjson writes an empty member list as `{}`. */
function parseSnapshot(text: string): RoomSnapshot {
  const room = JSON.parse(text) as RoomSnapshot;
  return Array.isArray(room.members) ? room : { ...room, members: [] };
}
