import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth/index.js';
import { refusedStatus, TestClient } from '../helpers/client.js';
import { startServer } from '../helpers/server.js';

const secret = 'correct horse battery staple';
const key = new TextEncoder().encode(secret);
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

/** An HS256 JWT with exactly these claims, signed with the server's secret. */
const jwt = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(key);

describe('tokens fail closed', () => {
  it.each([
    ['a rooms claim that is a string', { sub: 'eve', rooms: 'standup' }],
    ['a rooms claim holding a non-string', { sub: 'eve', rooms: ['standup', 7] }],
    ['a rooms claim that is an object', { sub: 'eve', rooms: { standup: true } }],
    ['a sub that is not a string', { sub: 42 }],
    ['an empty sub', { sub: '' }],
  ])('refuses %s with 401, rather than allowing every room', async (_, claims) => {
    const { url, signaling } = await startServer({ tokenSecret: secret });
    expect(await refusedStatus(`${url}/?token=${await jwt({ ...claims, exp: inAnHour() })}`)).toBe(401);
    expect(signaling.peerCount).toBe(0);
  });

  it('refuses a signed token without exp unless allowTokensWithoutExpiry is set', async () => {
    const forever = await jwt({ sub: 'eve' });
    const strict = await startServer({ tokenSecret: secret });
    expect(await refusedStatus(`${strict.url}/?token=${forever}`)).toBe(401);
    const lenient = await startServer({ tokenSecret: secret, allowTokensWithoutExpiry: true });
    expect((await TestClient.open(`${lenient.url}/?token=${forever}`)).id).toBe('eve');
  });

  it('accepts the token in an Authorization: Bearer header, a JWT or the shared secret', async () => {
    const { url } = await startServer({ tokenSecret: secret });
    const token = await signToken(secret, { id: 'bob', expiresIn: '5m' });
    const bob = await TestClient.open(url, { ws: { headers: { authorization: `Bearer ${token}` } } });
    expect(bob.id).toBe('bob');
    const plain = await startServer({ tokenSecret: 'no-spaces-secret' });
    await TestClient.open(plain.url, { ws: { headers: { authorization: 'bearer no-spaces-secret' } } });
    expect(await refusedStatus(url, { authorization: `Bearer ${token}x` })).toBe(401);
    expect(await refusedStatus(url, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` })).toBe(401);
  });

  it('rejects a non-boolean allowTokensWithoutExpiry', async () => {
    await expect(startServer({ allowTokensWithoutExpiry: 'yes' as never })).rejects.toThrow(
      new TypeError('options.allowTokensWithoutExpiry must be a boolean, got "yes" (string)'),
    );
  });

  it('with tokenAudience and tokenIssuer, refuses a JWT minted for another service with the same secret', async () => {
    const { url, signaling } = await startServer({ tokenSecret: secret, tokenAudience: 'signal', tokenIssuer: 'https://auth.example' });
    const forBilling = await signToken(secret, { id: 'eve', audience: 'billing', issuer: 'https://auth.example' });
    expect(await refusedStatus(`${url}/?token=${forBilling}`)).toBe(401);
    const unbound = await signToken(secret, { id: 'eve' });
    expect(await refusedStatus(`${url}/?token=${unbound}`)).toBe(401);
    const fromElsewhere = await signToken(secret, { id: 'eve', audience: 'signal', issuer: 'https://other.example' });
    expect(await refusedStatus(`${url}/?token=${fromElsewhere}`)).toBe(401);
    expect(signaling.peerCount).toBe(0);
    const ours = await signToken(secret, { id: 'ada', audience: 'signal', issuer: 'https://auth.example' });
    expect((await TestClient.open(`${url}/?token=${ours}`)).id).toBe('ada');
    // The secret itself is no JWT: it still connects (the hardened original's clients), as documented.
    await TestClient.open(`${url}/?token=${encodeURIComponent(secret)}`);
    expect(signaling.peerCount).toBe(2);
  });

  it.each([
    [
      { tokenSecret: secret, tokenAudience: '' },
      "options.tokenAudience is an empty string: an audience was given but has no value (is its environment variable unset?). Set it, or leave the key out not to check a token's aud claim.",
    ],
    [{ tokenSecret: secret, tokenIssuer: [] }, 'options.tokenIssuer must be a non-empty string or a non-empty array of them, got an array'],
    [{ tokenSecret: secret, tokenAudience: ['signal', 7] }, 'options.tokenAudience must be a non-empty string or a non-empty array of them, got an array'],
    [{ tokenAudience: 'signal' }, 'options.tokenAudience checks the JWTs of options.tokenSecret, which is not set'],
    [{ tokenIssuer: ['https://auth.example'] }, 'options.tokenIssuer checks the JWTs of options.tokenSecret, which is not set'],
    [
      { tokenSecret: secret, tokenAudience: undefined },
      "options.tokenAudience is undefined: an audience was given but has no value (is its environment variable unset?). Set it, or leave the key out not to check a token's aud claim.",
    ],
  ])('refuses tokenAudience or tokenIssuer that cannot work: %j', async (options, message) => {
    await expect(startServer(options as never)).rejects.toThrow(new TypeError(message));
  });
});
