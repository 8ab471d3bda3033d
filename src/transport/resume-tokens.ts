import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

/** What {@link ResumeTokens.take} found in a token. */
export interface TakenToken {
  /** The peer id it names. */
  readonly peerId: string;
  /**
   * Whether this server issued it and it was still the peer's one live token (now used up). `false`: validly
   * signed but not issued here, which only a cluster may accept (the peer may live on another node).
   */
  readonly local: boolean;
}

/** Tokens of another instance remembered as spent (see {@link ResumeTokens.take}); the oldest are forgotten first. */
const MAX_SPENT_FOREIGN = 100_000;

/**
 * Private, unforgeable, single-use resume tokens:
 * `<id, base64url>.<expiry, base36 ms>.<instance>.<nonce>.<HMAC-SHA256>`.
 * They name the peer id only to the server that signed them; peers learn each other's ids, never these.
 *
 * Each peer has at most one live token: issuing a new one (every connect and every resume) retires the old
 * one, using one retires it, and {@link ResumeTokens.revoke} (the peer left: its grace period ended, it was
 * disconnected or kicked) retires it too. So a token seen later (in a log, a stolen copy, the previous tab) is
 * worth nothing here. A token signed by another instance with the same secret (the process before a restart,
 * or another node) can be checked by signature only: it is accepted once, and on a single node only within
 * `restartWindowMs` of this instance's start (the grace period the restart cut short). `ttlMs` bounds every
 * token's life.
 */
export class ResumeTokens {
  /** A KeyObject made once: handing createHmac raw bytes would import the key again on every connect. */
  readonly #key: KeyObject;
  /** peer id → the nonce of its one live token. */
  readonly #live = new Map<string, string>();
  /** Nonces of other instances' tokens already used here. */
  readonly #spentForeign = new Set<string>();
  /** Tells this instance's tokens from those of the process before a restart, or of another node. */
  readonly #instance = randomBytes(6).toString('base64url');
  readonly #startedAt: number;

  constructor(
    secret: string | undefined,
    private readonly ttlMs: number,
    private readonly restartWindowMs = 0,
    now: number = Date.now(),
  ) {
    this.#key = createSecretKey(secret === undefined ? randomBytes(32) : Buffer.from(secret));
    this.#startedAt = now;
  }

  /** A new token for `peerId`; any earlier one stops working. */
  issue(peerId: string, now: number = Date.now()): string {
    const nonce = randomBytes(12).toString('base64url');
    this.#live.set(peerId, nonce);
    const body = `${Buffer.from(peerId).toString('base64url')}.${(now + this.ttlMs).toString(36)}.${this.#instance}.${nonce}`;
    return `${body}.${this.#sign(body)}`;
  }

  /**
   * Checks a token and uses it up. `undefined` for a forged, expired, used, superseded or revoked token. One
   * signed by another instance is accepted once: in a cluster (`acceptForeign`: another node may hold the peer),
   * or within `restartWindowMs` of this instance's start (the process before a restart issued it).
   */
  take(token: unknown, acceptForeign: boolean, now: number = Date.now()): TakenToken | undefined {
    const parsed = this.#verify(token, now);
    if (parsed === undefined) return undefined;
    if (parsed.instance !== this.#instance) {
      // A window of 0 is none at all (not "the first millisecond"), so the answer never depends on timing.
      const inRestartWindow = this.restartWindowMs > 0 && now - this.#startedAt <= this.restartWindowMs;
      if (!acceptForeign && !inRestartWindow) return undefined;
      if (this.#spentForeign.has(parsed.nonce)) return undefined;
      if (this.#spentForeign.size >= MAX_SPENT_FOREIGN) this.#spentForeign.delete(this.#spentForeign.values().next().value as string);
      this.#spentForeign.add(parsed.nonce);
      return { peerId: parsed.peerId, local: false };
    }
    if (this.#live.get(parsed.peerId) !== parsed.nonce) return undefined;
    this.#live.delete(parsed.peerId);
    return { peerId: parsed.peerId, local: true };
  }

  /** Whether `peerId` holds a live token issued here. */
  has(peerId: string): boolean {
    return this.#live.has(peerId);
  }

  /** Retires the peer's token, if it has one. */
  revoke(peerId: string): void {
    this.#live.delete(peerId);
  }

  /** The peer id, instance and nonce of a validly signed, unexpired token. */
  #verify(token: unknown, now: number): { peerId: string; instance: string; nonce: string } | undefined {
    if (typeof token !== 'string' || token.length > 1024) return undefined;
    const signatureAt = token.lastIndexOf('.');
    if (signatureAt < 0) return undefined;
    const body = token.slice(0, signatureAt);
    const given = Buffer.from(token.slice(signatureAt + 1), 'base64url');
    const expected = Buffer.from(this.#sign(body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const [id, expiry, instance, nonce] = body.split('.');
    if (id === undefined || expiry === undefined || instance === undefined || nonce === undefined) return undefined;
    if (parseInt(expiry, 36) <= now) return undefined;
    return { peerId: Buffer.from(id, 'base64url').toString(), instance, nonce };
  }

  #sign(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url');
  }
}
