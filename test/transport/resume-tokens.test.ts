import { describe, expect, it } from 'vitest';
import { ResumeTokens } from '../../src/transport/resume-tokens.js';

const SECRET = 'resume secret for the tests';
const TTL = 60_000;
/** The time every test starts at: the tokens take the time as an argument, so none of them waits. */
const T0 = 1_700_000_000_000;

/** Replaces the part at `index` of a token (`id.expiry.instance.nonce.signature`). */
function withPart(token: string, index: number, value: string): string {
  const parts = token.split('.');
  parts[index] = value;
  return parts.join('.');
}

describe('ResumeTokens', () => {
  it('gives the peer id back once: a token is single-use', () => {
    const tokens = new ResumeTokens(SECRET, TTL, 0, T0);
    const token = tokens.issue('alice', T0);
    expect(tokens.has('alice')).toBe(true);
    expect(tokens.take(token, false, T0 + 1)).toEqual({ peerId: 'alice', local: true });
    expect(tokens.has('alice')).toBe(false);
    expect(tokens.take(token, false, T0 + 2)).toBeUndefined();
    expect(tokens.take(token, true, T0 + 2)).toBeUndefined();
  });

  it('is valid until its TTL and not a millisecond longer', () => {
    const tokens = new ResumeTokens(SECRET, TTL, 0, T0);
    expect(tokens.take(tokens.issue('alice', T0), false, T0 + TTL - 1)).toEqual({ peerId: 'alice', local: true });
    expect(tokens.take(tokens.issue('bob', T0), false, T0 + TTL)).toBeUndefined();
    // The TTL runs from each issue, not from the instance's start.
    expect(tokens.take(tokens.issue('carol', T0 + 5 * TTL), false, T0 + 6 * TTL - 1)).toEqual({ peerId: 'carol', local: true });
  });

  it('keeps one live token per peer: a new one retires the old, and revoke retires it', () => {
    const tokens = new ResumeTokens(SECRET, TTL, 0, T0);
    const first = tokens.issue('alice', T0);
    const second = tokens.issue('alice', T0);
    expect(tokens.take(first, false, T0)).toBeUndefined();
    expect(tokens.take(second, false, T0)).toEqual({ peerId: 'alice', local: true });
    const third = tokens.issue('alice', T0);
    tokens.revoke('alice');
    expect(tokens.has('alice')).toBe(false);
    expect(tokens.take(third, false, T0)).toBeUndefined();
    tokens.revoke('nobody'); // nothing to revoke: no error
    // Other peers' tokens are their own.
    const bob = tokens.issue('bob', T0);
    tokens.issue('alice', T0);
    expect(tokens.take(bob, false, T0)).toEqual({ peerId: 'bob', local: true });
  });

  it('refuses every tampered token: id, expiry, instance, nonce or signature changed, or cut short', () => {
    const tokens = new ResumeTokens(SECRET, TTL, 0, T0);
    const token = tokens.issue('alice', T0);
    const parts = token.split('.');
    expect(parts).toHaveLength(5);
    const forged = [
      withPart(token, 0, Buffer.from('mallory').toString('base64url')),
      withPart(token, 1, (T0 + 100 * TTL).toString(36)),
      withPart(token, 2, 'otherinstance'),
      withPart(token, 3, 'AAAAAAAAAAAAAAAA'),
      // The first character: the last one of a base64url digest carries unused bits, so changing it may change nothing.
      withPart(token, 4, `${(parts[4] as string).startsWith('A') ? 'B' : 'A'}${(parts[4] as string).slice(1)}`),
      withPart(token, 4, ''),
      token.slice(0, token.lastIndexOf('.')),
      `${token}.extra`,
    ];
    for (const bad of forged) {
      expect(tokens.take(bad, false, T0)).toBeUndefined();
      expect(tokens.take(bad, true, T0)).toBeUndefined();
    }
    // The real one still works: a refused forgery spends nothing.
    expect(tokens.take(token, false, T0)).toEqual({ peerId: 'alice', local: true });
  });

  it('refuses what is not a token at all', () => {
    const tokens = new ResumeTokens(SECRET, TTL, 0, T0);
    for (const bad of [undefined, null, 42, {}, ['a.b.c.d.e'], '', 'no-dots', '....', 'x'.repeat(2_000)]) {
      expect(tokens.take(bad, true, T0)).toBeUndefined();
    }
  });

  it('carries any peer id, dots and all', () => {
    const tokens = new ResumeTokens(SECRET, TTL, 0, T0);
    for (const id of ['a.b.c', 'ünïcødé 🎉', '__proto__', 'x'.repeat(200)]) {
      expect(tokens.take(tokens.issue(id, T0), false, T0)).toEqual({ peerId: id, local: true });
    }
  });

  it('refuses tokens signed with another secret, and a server without a secret trusts only its own', () => {
    const mine = new ResumeTokens(SECRET, TTL, 60_000, T0);
    const theirs = new ResumeTokens('another secret', TTL, 60_000, T0);
    expect(mine.take(theirs.issue('alice', T0), true, T0)).toBeUndefined();
    const random = new ResumeTokens(undefined, TTL, 60_000, T0);
    const alsoRandom = new ResumeTokens(undefined, TTL, 60_000, T0);
    expect(random.take(alsoRandom.issue('alice', T0), true, T0)).toBeUndefined();
    expect(random.take(random.issue('alice', T0), false, T0)).toEqual({ peerId: 'alice', local: true });
  });

  it('accepts another instance\'s token once, in a cluster, and only while it has not expired', () => {
    const nodeA = new ResumeTokens(SECRET, TTL, 0, T0);
    const nodeB = new ResumeTokens(SECRET, TTL, 0, T0);
    const token = nodeA.issue('alice', T0);
    // Alone (no cluster) and with no restart window, another instance's token is nothing.
    expect(nodeB.take(token, false, T0)).toBeUndefined();
    expect(nodeB.take(token, true, T0)).toEqual({ peerId: 'alice', local: false });
    expect(nodeB.take(token, true, T0)).toBeUndefined();
    expect(nodeB.take(nodeA.issue('bob', T0), true, T0 + TTL)).toBeUndefined();
  });

  it('accepts the token of the process before a restart within restartWindowMs of its start, and not after', () => {
    const before = new ResumeTokens(SECRET, TTL, 10_000, T0);
    const early = before.issue('alice', T0);
    const late = before.issue('bob', T0);
    const restarted = new ResumeTokens(SECRET, TTL, 10_000, T0 + 1_000);
    expect(restarted.take(early, false, T0 + 1_000 + 10_000)).toEqual({ peerId: 'alice', local: false });
    expect(restarted.take(early, false, T0 + 1_000 + 10_000)).toBeUndefined(); // once
    expect(restarted.take(late, false, T0 + 1_000 + 10_001)).toBeUndefined();
    // Its own tokens are not bound by the window, only by their TTL.
    expect(restarted.take(restarted.issue('carol', T0 + 30_000), false, T0 + 30_000)).toEqual({ peerId: 'carol', local: true });
  });
});
