import type { Backplane, BackplaneHandlers } from '../../src/cluster/index.js';
import type { RunningServer } from './server.js';
import { AsyncQueue } from './queue.js';

/**
 * A node's backplane that reports what its engine did, so a test awaits the change it waits for instead of
 * asking again and again: the directory entries it wrote, the node-channel messages its node handled, and its
 * connection going down and coming back.
 */
export interface ObservedBackplane extends Backplane {
  /** Ids of peers whose directory entry the engine has written (connected, or moved to this node). */
  readonly claimed: AsyncQueue<string>;
  /** Messages on this node's own channel (takeovers, relayed signals), once the node has handled each. */
  readonly nodeMessages: AsyncQueue<string>;
  /** Each time the engine became unreachable, once the node has been told. */
  readonly disconnects: AsyncQueue<void>;
  /** Each time it came back, once the node has been told (and has started writing its state back). */
  readonly reconnects: AsyncQueue<void>;
}

/** Wraps `inner`: the node uses it as it is; the queues hear what happened. */
export function observed(inner: Backplane): ObservedBackplane {
  const plane = Object.create(inner) as ObservedBackplane & Record<string, unknown>;
  Object.defineProperty(plane, 'connected', { get: () => inner.connected });
  const queues = {
    claimed: new AsyncQueue<string>(),
    nodeMessages: new AsyncQueue<string>(),
    disconnects: new AsyncQueue<void>(),
    reconnects: new AsyncQueue<void>(),
  };
  Object.assign(plane, queues);
  plane.claimPeer = async (peer, mode) => {
    const result = await inner.claimPeer(peer, mode);
    queues.claimed.push(peer.id);
    return result;
  };
  plane.start = (nodeId: string, handlers: BackplaneHandlers) =>
    inner.start(nodeId, {
      ...handlers,
      onNodeMessage(message) {
        handlers.onNodeMessage(message);
        queues.nodeMessages.push(message);
      },
      onDisconnect() {
        handlers.onDisconnect();
        queues.disconnects.push();
      },
      onReconnect() {
        handlers.onReconnect();
        queues.reconnects.push();
      },
    });
  return plane;
}

/** The observed backplane a server was started with. */
export function observedOf(server: RunningServer): ObservedBackplane {
  const plane = server.signaling.options.backplane as Partial<ObservedBackplane> | undefined;
  if (plane?.claimed === undefined) throw new Error('this server was not started with observed(backplane)');
  return plane as ObservedBackplane;
}

/** Consumes `queue` up to and including the first item that `matches`, and resolves with it. */
export async function nextMatching<T>(queue: AsyncQueue<T>, matches: (item: T) => boolean): Promise<T> {
  for (;;) {
    const item = await queue.next();
    if (matches(item)) return item;
  }
}
