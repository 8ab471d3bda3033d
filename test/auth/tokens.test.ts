import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sameSecret, signToken, tokenOf, verifyToken } from '../../src/auth/tokens.js';

const SECRET = 'correct horse battery staple';
const KEY = new TextEncoder().encode(SECRET);
/** A whole second, so the JWT's second-resolution times line up with it exactly. */
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** Pins `Date` (what jose reads for iat, exp and nbf) to `ms`; timers stay real. */
function pinTime(ms: number): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(ms);
}

afterEach(() => {
  vi.useRealTimers();
});

/** A JWT with exactly these claims and header, signed with `key` (the server's secret unless given). */
function jwt(claims: Record<string, unknown>, alg = 'HS256', key: Uint8Array = KEY): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg }).sign(key);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

describe('signToken', () => {
  it('mints an HS256 JWT with the id as sub, the rooms and data claims, issued now', async () => {
    pinTime(T0);
    const token = await signToken(SECRET, { id: 'ada', rooms: ['standup', 'retro'], data: { team: 'core' }, expiresIn: '15m' });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256' });
    expect(decodeJwt(token)).toEqual({
      sub: 'ada',
      rooms: ['standup', 'retro'],
      data: { team: 'core' },
      iat: T0 / 1000,
      exp: T0 / 1000 + 15 * 60,
    });
  });

  it('lives an hour by default, and expiresIn counts seconds when it is a number', async () => {
    pinTime(T0);
    const plain = decodeJwt(await signToken(SECRET));
    expect(plain).toEqual({ iat: T0 / 1000, exp: T0 / 1000 + 3600 });
    expect(decodeJwt(await signToken(SECRET, { expiresIn: 90 })).exp).toBe(T0 / 1000 + 90);
    expect(decodeJwt(await signToken(SECRET, { expiresIn: '2h' })).exp).toBe(T0 / 1000 + 7200);
  });
});

describe('verifyToken', () => {
  it('grants what a signed token says: id, rooms, data', async () => {
    const token = await signToken(SECRET, { id: 'ada', rooms: ['standup'], data: { n: 1 } });
    expect(await verifyToken(SECRET, token)).toEqual({ id: 'ada', rooms: ['standup'], data: { n: 1 } });
    expect(await verifyToken(SECRET, await signToken(SECRET))).toEqual({});
    // An empty rooms claim is no room at all, not every room.
    expect(await verifyToken(SECRET, await signToken(SECRET, { rooms: [] }))).toEqual({ rooms: [] });
  });

  it('accepts a token until its exp, and not in the second it expires', async () => {
    pinTime(T0);
    const token = await signToken(SECRET, { id: 'ada', expiresIn: 60 });
    vi.setSystemTime(T0 + 59_999);
    expect(await verifyToken(SECRET, token)).toEqual({ id: 'ada' });
    vi.setSystemTime(T0 + 60_000);
    expect(await verifyToken(SECRET, token)).toBeUndefined();
  });

  it('refuses a token before its nbf', async () => {
    pinTime(T0);
    const token = await jwt({ sub: 'ada', nbf: T0 / 1000 + 60, exp: T0 / 1000 + 3600 });
    expect(await verifyToken(SECRET, token)).toBeUndefined();
    vi.setSystemTime(T0 + 60_000);
    expect(await verifyToken(SECRET, token)).toEqual({ id: 'ada' });
  });

  it('refuses a token without exp unless allowMissingExpiry is set', async () => {
    const forever = await jwt({ sub: 'ada' });
    expect(await verifyToken(SECRET, forever)).toBeUndefined();
    expect(await verifyToken(SECRET, forever, { allowMissingExpiry: true })).toEqual({ id: 'ada' });
  });

  it('refuses a token signed with another secret, or changed after signing', async () => {
    expect(await verifyToken(SECRET, await signToken('another secret', { id: 'ada' }))).toBeUndefined();
    const [header, , signature] = (await signToken(SECRET, { id: 'ada' })).split('.');
    const promoted = `${header}.${b64({ sub: 'admin', exp: inAnHour() })}.${signature}`;
    expect(await verifyToken(SECRET, promoted)).toBeUndefined();
  });

  it('accepts HS256 only: no alg none, no other HMAC, no header swapped on a valid signature', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'ada', exp: inAnHour() })}.`;
    expect(await verifyToken(SECRET, unsigned)).toBeUndefined();
    for (const alg of ['HS384', 'HS512']) expect(await verifyToken(SECRET, await jwt({ sub: 'ada', exp: inAnHour() }, alg))).toBeUndefined();
    const [, payload, signature] = (await jwt({ sub: 'ada', exp: inAnHour() })).split('.');
    for (const alg of ['HS512', 'RS256', 'none']) expect(await verifyToken(SECRET, `${b64({ alg })}.${payload}.${signature}`)).toBeUndefined();
  });

  it('checks no audience or issuer unless asked: then only a token for this audience, from this issuer, passes', async () => {
    const elsewhere = await jwt({ sub: 'ada', aud: 'billing', iss: 'https://billing.example', exp: inAnHour() });
    expect(await verifyToken(SECRET, elsewhere)).toEqual({ id: 'ada' });
    expect(await verifyToken(SECRET, elsewhere, { audience: 'signal' })).toBeUndefined();
    expect(await verifyToken(SECRET, elsewhere, { issuer: 'https://auth.example' })).toBeUndefined();
    const unbound = await jwt({ sub: 'ada', exp: inAnHour() });
    expect(await verifyToken(SECRET, unbound, { audience: 'signal' })).toBeUndefined();
    expect(await verifyToken(SECRET, unbound, { issuer: 'https://auth.example' })).toBeUndefined();
    const ours = await signToken(SECRET, { id: 'ada', audience: ['signal', 'chat'], issuer: 'https://auth.example' });
    expect(decodeJwt(ours)).toMatchObject({ aud: ['signal', 'chat'], iss: 'https://auth.example' });
    expect(await verifyToken(SECRET, ours, { audience: 'chat', issuer: 'https://auth.example' })).toEqual({ id: 'ada' });
    // A list is "any of these": a server known by two names, or an issuer being replaced.
    const single = await signToken(SECRET, { id: 'ada', audience: 'signal', issuer: 'https://old.example' });
    expect(decodeJwt(single)).toMatchObject({ aud: 'signal', iss: 'https://old.example' });
    const options = { audience: ['signal.example.com', 'signal'], issuer: ['https://auth.example', 'https://old.example'] };
    expect(await verifyToken(SECRET, single, options)).toEqual({ id: 'ada' });
  });

  it('binds no shared-secret token to an audience: the secret itself is not a JWT', async () => {
    expect(await verifyToken(SECRET, SECRET, { audience: 'signal', issuer: 'https://auth.example' })).toEqual({});
  });

  it('refuses an audience or issuer check that could match nothing or anything: empty, or not strings', async () => {
    const token = await signToken(SECRET, { audience: 'signal' });
    for (const audience of ['', [], [''], ['signal', 7]]) {
      await expect(verifyToken(SECRET, token, { audience: audience as never })).rejects.toThrow(
        new TypeError('verifyToken: options.audience must be a non-empty string or a non-empty array of them'),
      );
    }
    await expect(verifyToken(SECRET, token, { issuer: [] })).rejects.toThrow(/options\.issuer must be/);
  });

  it.each([
    ['a rooms claim that is a string', { rooms: 'standup' }],
    ['a rooms claim holding a non-string', { rooms: ['standup', 7] }],
    ['a rooms claim that is an object', { rooms: { standup: true } }],
    ['a null rooms claim', { rooms: null }],
    ['a sub that is not a string', { sub: 42 }],
    ['an empty sub', { sub: '' }],
  ])('fails closed on %s, rather than granting every room or a made-up id', async (_, claims) => {
    expect(await verifyToken(SECRET, await jwt({ ...claims, exp: inAnHour() }))).toBeUndefined();
  });

  it('accepts the shared secret itself (as the original server does), and nothing else that is not a JWT', async () => {
    expect(await verifyToken(SECRET, SECRET)).toEqual({});
    for (const bad of [undefined, null, '', `${SECRET} `, SECRET.slice(1), 'a.b.c', 'x'.repeat(8193)]) {
      expect(await verifyToken(SECRET, bad)).toBeUndefined();
    }
  });
});

describe('tokenOf', () => {
  it('takes a Bearer token from the Authorization header first, else ?token=', () => {
    const query = new URLSearchParams('token=from-query');
    expect(tokenOf('Bearer abc.def', query)).toBe('abc.def');
    expect(tokenOf('bearer\tabc  ', query)).toBe('abc');
    expect(tokenOf('Basic YTpi', query)).toBe('from-query');
    expect(tokenOf('Bearer two words', query)).toBe('from-query');
    expect(tokenOf(undefined, query)).toBe('from-query');
    expect(tokenOf(undefined, undefined)).toBeUndefined();
    expect(tokenOf(undefined, new URLSearchParams())).toBeUndefined();
  });
});

describe('sameSecret', () => {
  it('compares strings of any length', () => {
    expect(sameSecret(SECRET, SECRET)).toBe(true);
    expect(sameSecret(`${SECRET}x`, SECRET)).toBe(false);
    expect(sameSecret('', SECRET)).toBe(false);
    expect(sameSecret('', '')).toBe(true);
  });
});
