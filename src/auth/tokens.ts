import { createHash, timingSafeEqual } from 'node:crypto';
import type { Identity } from '../transport/upgrades.js';

/** Claims of a signalroom access token. */
export interface TokenClaims {
  /** The peer id the holder connects as (`sub`). @default a generated id */
  id?: string;
  /** The only rooms the holder may join. @default every room */
  rooms?: readonly string[];
  /** Application data, kept on the peer as `PeerInfo.data`. */
  data?: unknown;
  /** Lifetime: seconds, or a duration such as `'15m'` or `'2h'`. @default '1h' */
  expiresIn?: number | string;
  /**
   * Who the token is for (`aud`): a server with `tokenAudience` accepts only tokens meant for it.
   * @default none
   * @example audience: 'signal.example.com'
   */
  audience?: string | readonly string[];
  /**
   * Who minted the token (`iss`): a server with `tokenIssuer` accepts only tokens from it.
   * @default none
   * @example issuer: 'https://auth.example.com'
   */
  issuer?: string;
}

const ALGORITHM = 'HS256';

// jose is loaded on first use, so servers that never use tokens never load it.
const jose = () => import('jose');

/**
 * Mints an access token (an HS256 JWT) for a client to connect with `?token=`, verified by a server configured
 * with the same `tokenSecret` (env `WS_SECRET`).
 *
 * @example
 * const token = await signToken(process.env.WS_SECRET!, { id: user.id, rooms: ['standup'], expiresIn: '10m', audience: 'signal.example.com' });
 * // browser: new WebSocket(`wss://signal.example.com/?token=${token}`)
 */
export async function signToken(secret: string, claims: TokenClaims = {}): Promise<string> {
  const { SignJWT } = await jose();
  const jwt = new SignJWT({
    ...(claims.rooms === undefined ? {} : { rooms: [...claims.rooms] }),
    ...(claims.data === undefined ? {} : { data: claims.data }),
  })
    .setProtectedHeader({ alg: ALGORITHM })
    .setIssuedAt()
    .setExpirationTime(typeof claims.expiresIn === 'number' ? `${claims.expiresIn}s` : (claims.expiresIn ?? '1h'));
  if (claims.id !== undefined) jwt.setSubject(claims.id);
  if (claims.audience !== undefined) jwt.setAudience(asList(claims.audience));
  if (claims.issuer !== undefined) jwt.setIssuer(claims.issuer);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** How {@link verifyToken} judges a JWT beyond its signature. */
export interface VerifyOptions {
  /** Accept a JWT without an `exp` claim (it would never expire). @default false */
  readonly allowMissingExpiry?: boolean;
  /**
   * Accept only a JWT whose `aud` names one of these, so a token minted with the same secret for another service
   * does not open this one. The shared secret itself is not a JWT and still passes. A non-empty string or a
   * non-empty list of them (anything else throws a TypeError).
   * @default undefined (`aud` is not checked)
   */
  readonly audience?: string | readonly string[] | undefined;
  /** Accept only a JWT whose `iss` is one of these (as `audience`). @default undefined (`iss` is not checked) */
  readonly issuer?: string | readonly string[] | undefined;
}

/**
 * Checks a token: the shared secret itself (as the hardened original server accepts), or a JWT signed with it
 * and unexpired (and, when asked, for this audience and from this issuer). Fails closed: a JWT without `exp`
 * (unless allowed), without the audience or issuer asked for, or with a `sub`, `rooms` or `data` claim of the
 * wrong shape, grants nothing, rather than being read as "no limit". Returns the identity it grants, or
 * `undefined`.
 *
 * @example
 * const identity = await verifyToken(secret, token, { audience: 'signal.example.com' });
 * if (identity === undefined) return reply.code(401).send();
 */
export async function verifyToken(
  secret: string,
  token: string | null | undefined,
  options: VerifyOptions = {},
): Promise<Identity | undefined> {
  for (const [name, value] of [['audience', options.audience], ['issuer', options.issuer]] as const) {
    if (value !== undefined && !isClaimList(value)) {
      throw new TypeError(`verifyToken: options.${name} must be a non-empty string or a non-empty array of them`);
    }
  }
  if (typeof token !== 'string' || token === '' || token.length > 8192) return undefined;
  if (sameSecret(token, secret)) return {};
  const { jwtVerify } = await jose();
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: [ALGORITHM],
      ...(options.allowMissingExpiry === true ? {} : { requiredClaims: ['exp'] }),
      ...(options.audience === undefined ? {} : { audience: asList(options.audience) }),
      ...(options.issuer === undefined ? {} : { issuer: asList(options.issuer) }),
    }));
  } catch {
    return undefined;
  }
  const { sub, rooms } = payload;
  if (sub !== undefined && (typeof sub !== 'string' || sub === '')) return undefined;
  if (rooms !== undefined && !(Array.isArray(rooms) && rooms.every((room) => typeof room === 'string'))) return undefined;
  return {
    ...(sub === undefined ? {} : { id: sub }),
    ...(rooms === undefined ? {} : { rooms: rooms as string[] }),
    ...(payload.data === undefined ? {} : { data: payload.data }),
  };
}

function asList(value: string | readonly string[]): string | string[] {
  return typeof value === 'string' ? value : [...value];
}

/** A non-empty string, or a non-empty array of non-empty strings: what an `aud` or `iss` check may be. */
export function isClaimList(value: unknown): value is string | readonly string[] {
  if (typeof value === 'string') return value !== '';
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && item !== '');
}

/**
 * The token a request carries: `Authorization: Bearer <token>` (kept out of URLs, and so out of access logs),
 * else `?token=`.
 */
export function tokenOf(authorization: string | undefined, query: URLSearchParams | undefined): string | undefined {
  if (authorization !== undefined) {
    const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(authorization);
    if (match !== null) return match[1];
  }
  return query?.get('token') ?? undefined;
}

/** Constant-time comparison of two strings of any length. */
export function sameSecret(given: string, secret: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(secret));
}
