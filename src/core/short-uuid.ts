/** The base57 alphabet of shortuuid: digits and letters without the look-alikes 0, 1, I, O and l. */
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
/** 57^22 > 2^128: 22 digits hold any UUID. */
const LENGTH = 22;
const BASE = BigInt(ALPHABET.length);

/**
 * A random UUID v4 written in base57 with 22 characters, most significant digit first: the shape of the ids of
 * the original Peer2Peer Connector (Go's lithammer/shortuuid), e.g. `7KjNqESrhhTkEfXgFuaGWJ`.
 */
export function shortUuid(): string {
  let value = BigInt(`0x${globalThis.crypto.randomUUID().replace(/-/g, '')}`);
  const digits = new Array<string>(LENGTH);
  for (let at = LENGTH - 1; at >= 0; at--) {
    digits[at] = ALPHABET[Number(value % BASE)] as string;
    value /= BASE;
  }
  return digits.join('');
}
