import type { Backplane, BackplaneHandlers } from './backplane.js';

/**
 * A backplane inside one process: several `SignalingServer`s (or cores) sharing one instance behave as one
 * cluster. For tests, and for running several endpoints in one process. Delivery is asynchronous
 * (microtasks), like a real bus.
 *
 * @example
 * const bus = new MemoryBackplane();
 * attachSignaling(serverA, { backplane: bus.node() });
 * attachSignaling(serverB, { backplane: bus.node() });
 */
export class MemoryBackplane {
  readonly #nodes = new Map<string, BackplaneHandlers>();
  readonly #states = new Map<string, { state: string; expires: number }>();
  #down = false;

  /** A backplane handle for one node. */
  node(): Backplane {
    let self: string | undefined;
    const bus = this;
    return {
      get connected() {
        return !bus.#down;
      },
      async start(nodeId, handlers) {
        self = nodeId;
        bus.#nodes.set(nodeId, handlers);
      },
      broadcast(message) {
        if (bus.#down) return false;
        for (const handlers of bus.#nodes.values()) queueMicrotask(() => handlers.onEvent(message));
        return true;
      },
      send(nodeId, message) {
        const handlers = bus.#nodes.get(nodeId);
        if (bus.#down || handlers === undefined) return false;
        queueMicrotask(() => handlers.onDirect(message));
        return true;
      },
      async saveState(nodeId, state, ttlMs) {
        if (!bus.#down) bus.#states.set(nodeId, { state, expires: Date.now() + ttlMs });
      },
      async loadStates() {
        const now = Date.now();
        const states = new Map<string, string>();
        for (const [nodeId, entry] of bus.#states) if (entry.expires > now) states.set(nodeId, entry.state);
        return states;
      },
      async removeState(nodeId) {
        bus.#states.delete(nodeId);
      },
      async close() {
        if (self !== undefined) bus.#nodes.delete(self);
      },
    };
  }

  /** Simulates an outage (`true`) and its end (`false`), telling every node. */
  setDown(down: boolean): void {
    if (this.#down === down) return;
    this.#down = down;
    for (const handlers of this.#nodes.values()) (down ? handlers.onDisconnect : handlers.onReconnect)();
  }
}
