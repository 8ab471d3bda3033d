/**
 * An async FIFO: producers `push`, consumers `await next()`. Tests await what they expect instead of sleeping.
 */
export class AsyncQueue<T> {
  readonly #items: T[] = [];
  readonly #waiters: Array<{ resolve: (item: T) => void; reject: (error: Error) => void }> = [];
  readonly #peekers: Array<(item: T) => void> = [];
  #failure: Error | undefined;

  push(item: T): void {
    for (const peeker of this.#peekers.splice(0)) peeker(item);
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter.resolve(item);
    else this.#items.push(item);
  }

  /** Fails every present and future `next()` once no more items can come (the source closed). */
  fail(error: Error): void {
    this.#failure = error;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }

  next(): Promise<T> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift() as T);
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /**
   * Resolves with the first item once there is one, without consuming it (it stays for `next()`). Never rejects,
   * so a peek nobody awaits any more is harmless.
   */
  peek(): Promise<T> {
    if (this.#items.length > 0) return Promise.resolve(this.#items[0] as T);
    return new Promise((resolve) => this.#peekers.push(resolve));
  }

  /** Items received and not yet consumed. */
  get pending(): readonly T[] {
    return this.#items;
  }
}
