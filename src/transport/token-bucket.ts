/**
 * A token bucket: `burst` tokens at most, refilled at `rate` per second. Time is passed in, so the bucket keeps
 * no timer and costs two numbers per connection.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.#tokens = burst;
    this.#last = now;
  }

  /** Takes one token if there is one. `now` is in milliseconds. */
  take(now: number): boolean {
    const refilled = this.#tokens + ((now - this.#last) * this.rate) / 1000;
    this.#tokens = refilled > this.burst ? this.burst : refilled;
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
