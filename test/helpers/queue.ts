/**
 * An async FIFO: producers `push`, consumers `await next()`. Tests await what they expect instead of sleeping.
 */
export class AsyncQueue<T> {
  readonly #items: T[] = [];
  readonly #waiters: Array<{ resolve: (item: T) => void; reject: (error: Error) => void }> = [];
  #failure: Error | undefined;

  push(item: T): void {
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

  /** Items received and not yet consumed. */
  get pending(): readonly T[] {
    return this.#items;
  }
}
