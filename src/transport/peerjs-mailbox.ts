import type { Signal } from '../core/types.js';

/** One message waiting for its destination. */
export interface HeldMessage {
  readonly from: string;
  readonly signal: Signal;
  readonly bytes: number;
}

interface Queue {
  readonly messages: HeldMessage[];
  readonly timer: NodeJS.Timeout;
}

/** What the mailbox asks of the PeerJS endpoint. */
export interface MailboxHost {
  /** The queue for `to` waited `expireMs`: tell each of its senders (once) that `to` never came. */
  expired(to: string, senders: readonly string[]): void;
}

/**
 * Messages for PeerJS ids that are not connected yet, kept on the node of their senders (see docs/protocols.md,
 * the peerjs dialect, for why here). A destination's queue is handed back in arrival order when it connects; if it
 * has not after `expireMs` from its first message, every sender in it is told once and the queue is dropped, as
 * the original's `messagesExpire` does. What one sender may keep waiting is bounded by `maxBytesPerSender`.
 */
export class PeerjsMailbox {
  readonly #queues = new Map<string, Queue>();
  readonly #bytesBySender = new Map<string, number>();

  constructor(
    private readonly host: MailboxHost,
    private readonly expireMs: number,
    private readonly maxBytesPerSender: number,
  ) {}

  /**
   * Keeps a message for `to`. Returns false, keeping nothing, when its sender already has `maxBytesPerSender`
   * waiting. `first` is true when this starts the queue for `to` (the caller may ask the cluster to watch for it).
   */
  hold(to: string, message: HeldMessage): { held: boolean; first: boolean } {
    const used = this.#bytesBySender.get(message.from) ?? 0;
    if (used + message.bytes > this.maxBytesPerSender) return { held: false, first: false };
    this.#bytesBySender.set(message.from, used + message.bytes);
    const queue = this.#queues.get(to);
    if (queue !== undefined) {
      queue.messages.push(message);
      return { held: true, first: false };
    }
    const timer = setTimeout(() => this.#expire(to), this.expireMs);
    timer.unref();
    this.#queues.set(to, { messages: [message], timer });
    return { held: true, first: true };
  }

  /** Whether anything waits for `to`. */
  has(to: string): boolean {
    return this.#queues.has(to);
  }

  /** Hands over (and forgets) what waits for `to`, in arrival order. */
  take(to: string): HeldMessage[] {
    const queue = this.#queues.get(to);
    if (queue === undefined) return [];
    clearTimeout(queue.timer);
    this.#queues.delete(to);
    for (const message of queue.messages) this.#release(message);
    return queue.messages;
  }

  /** How many messages wait, over every destination. */
  get size(): number {
    let count = 0;
    for (const queue of this.#queues.values()) count += queue.messages.length;
    return count;
  }

  /** Drops everything (the server is closing). */
  clear(): void {
    for (const queue of this.#queues.values()) clearTimeout(queue.timer);
    this.#queues.clear();
    this.#bytesBySender.clear();
  }

  #expire(to: string): void {
    const senders = [...new Set(this.take(to).map((message) => message.from))];
    this.host.expired(to, senders);
  }

  #release(message: HeldMessage): void {
    const left = (this.#bytesBySender.get(message.from) ?? 0) - message.bytes;
    if (left <= 0) this.#bytesBySender.delete(message.from);
    else this.#bytesBySender.set(message.from, left);
  }
}
