import { connectorDialect } from './connector.js';
import { consoleDialect } from './console.js';
import type { CodecOptions, Dialect, DialectName } from './dialect.js';
import { peerjsDialect } from './peerjs.js';
import { ywebrtcDialect } from './ywebrtc.js';

/**
 * One codec per dialect, configured with the server's decode limits; with `extensions`, the codecs for
 * connections that asked for extensions.
 */
export function createDialects(options: CodecOptions): ReadonlyMap<DialectName, Dialect> {
  return new Map<DialectName, Dialect>([
    ['console', consoleDialect(options)],
    ['connector', connectorDialect(options)],
    ['peerjs', peerjsDialect(options)],
    ['ywebrtc', ywebrtcDialect(options)],
  ]);
}
