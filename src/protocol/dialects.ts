import { connectorDialect } from './connector.js';
import { consoleDialect } from './console.js';
import type { DecodeLimits, Dialect, DialectName } from './dialect.js';

/** One codec per dialect, configured with the server's decode limits. */
export function createDialects(limits: DecodeLimits): ReadonlyMap<DialectName, Dialect> {
  return new Map<DialectName, Dialect>([
    ['console', consoleDialect(limits)],
    ['connector', connectorDialect(limits)],
  ]);
}
