/**
 * What nodes of one cluster share: a message bus (every node hears every event; one node can be sent a message)
 * and a small store of per-node state snapshots that expire unless refreshed. Redis provides it in production
 * (`signalroom/redis`); {@link MemoryBackplane} provides it inside one process.
 */
export interface Backplane {
  /** Whether the bus and store can be used right now. */
  readonly connected: boolean;
  /** Starts listening: `onEvent` gets every broadcast, `onDirect` every message sent to `nodeId`. */
  start(nodeId: string, handlers: BackplaneHandlers): Promise<void>;
  /** Sends an event to every node (this one included). Resolves false when it could not be sent. */
  broadcast(message: string): boolean;
  /** Sends a message to one node. Returns false when it could not be sent (the backplane is down). */
  send(nodeId: string, message: string): boolean;
  /** Stores this node's snapshot, expiring after `ttlMs` unless stored again. */
  saveState(nodeId: string, state: string, ttlMs: number): Promise<void>;
  /** Every live node's snapshot. */
  loadStates(): Promise<Map<string, string>>;
  /** Removes this node's snapshot (graceful shutdown). */
  removeState(nodeId: string): Promise<void>;
  /** Stops listening and releases connections it opened. */
  close(): Promise<void>;
}

export interface BackplaneHandlers {
  onEvent(message: string): void;
  onDirect(message: string): void;
  /** The backplane came back after an outage (resubscribed): time to re-announce. */
  onReconnect(): void;
  /** The backplane went away. */
  onDisconnect(): void;
}
