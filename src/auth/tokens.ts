import { createHash, timingSafeEqual } from 'node:crypto';
import type { Identity } from '../transport/options.js';

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
}

const ALGORITHM = 'HS256';

// jose is loaded on first use, so servers that never use tokens never load it.
const jose = () => import('jose');

/**
 * Mints an access token (an HS256 JWT) for a client to connect with `?token=`, verified by a server configured
 * with the same `tokenSecret` (env `WS_SECRET`).
 *
 * @example
 * const token = await signToken(process.env.WS_SECRET!, { id: user.id, rooms: ['standup'], expiresIn: '10m' });
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
  return jwt.sign(new TextEncoder().encode(secret));
}

/**
 * Checks a `?token=`: the shared secret itself (as the hardened original server accepts), or a JWT signed with it
 * and unexpired. Returns the identity it grants, or `undefined`.
 */
export async function verifyToken(secret: string, token: string | null | undefined): Promise<Identity | undefined> {
  if (typeof token !== 'string' || token === '' || token.length > 8192) return undefined;
  if (sameSecret(token, secret)) return {};
  const { jwtVerify } = await jose();
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: [ALGORITHM] });
    const rooms = Array.isArray(payload.rooms) && payload.rooms.every((r) => typeof r === 'string') ? payload.rooms : undefined;
    return {
      ...(typeof payload.sub === 'string' && payload.sub !== '' ? { id: payload.sub } : {}),
      ...(rooms === undefined ? {} : { rooms }),
      ...(payload.data === undefined ? {} : { data: payload.data }),
    };
  } catch {
    return undefined;
  }
}

/** Constant-time comparison of two strings of any length. */
function sameSecret(given: string, secret: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(secret));
}
