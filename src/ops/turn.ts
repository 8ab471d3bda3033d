import { createHmac } from 'node:crypto';

/** TURN REST credentials, coturn's `use-auth-secret` scheme. */
export interface TurnOptions {
  /** The `static-auth-secret` shared with coturn. */
  secret: string;
  /** TURN (and STUN) URLs, e.g. `['turn:turn.example.com:3478?transport=udp']`. */
  urls: readonly string[];
  /** Seconds a credential stays valid. @default 86400 */
  ttl?: number;
}

/** One entry of RTCPeerConnection's `iceServers`. */
export interface IceServer {
  urls: string[];
  username: string;
  credential: string;
}

/**
 * A time-limited credential bound to `peerId`: username `<expiry unix seconds>:<peerId>`, credential
 * `base64(HMAC-SHA1(secret, username))`, exactly what coturn checks.
 */
export function turnCredentials(options: TurnOptions, peerId: string, now: number = Date.now()): IceServer {
  const expiry = Math.floor(now / 1000) + (options.ttl ?? 86_400);
  const username = `${expiry}:${peerId}`;
  const credential = createHmac('sha1', options.secret).update(username).digest('base64');
  return { urls: [...options.urls], username, credential };
}
