import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * Private, unforgeable resume tokens: `<id, base64url>.<expiry, base36 ms>.<HMAC-SHA256, base64url>`. They name
 * the peer id only to the server that signed them; peers learn each other's ids, never these.
 */
export class ResumeTokens {
  /** A KeyObject made once: handing createHmac raw bytes would import the key again on every connect. */
  readonly #key: KeyObject;

  constructor(
    secret: string | undefined,
    private readonly ttlMs: number,
  ) {
    this.#key = createSecretKey(secret === undefined ? randomBytes(32) : Buffer.from(secret));
  }

  issue(peerId: string, now: number = Date.now()): string {
    const body = `${Buffer.from(peerId).toString('base64url')}.${(now + this.ttlMs).toString(36)}`;
    return `${body}.${this.#sign(body)}`;
  }

  /** The peer id a valid, unexpired token names, or `undefined`. */
  verify(token: unknown, now: number = Date.now()): string | undefined {
    if (typeof token !== 'string' || token.length > 1024) return undefined;
    const signatureAt = token.lastIndexOf('.');
    const body = token.slice(0, signatureAt);
    const given = Buffer.from(token.slice(signatureAt + 1), 'base64url');
    const expected = Buffer.from(this.#sign(body), 'base64url');
    if (signatureAt < 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const [id, expiry] = body.split('.');
    if (id === undefined || expiry === undefined || parseInt(expiry, 36) <= now) return undefined;
    return Buffer.from(id, 'base64url').toString();
  }

  #sign(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url');
  }
}
