import { CORE_DEFAULTS, assertInteger, resolveCoreOptions, withoutUndefined, type CoreOptions } from '../core/options.js';
import type { RoutingScope } from '../core/types.js';
import type { DialectName } from '../protocol/dialect.js';

/**
 * Options of a signaling server ({@link attachSignaling}, the adapters and the standalone server).
 * Everything is optional; {@link SIGNALING_DEFAULTS} holds the defaults.
 *
 * @example
 * attachSignaling(server, { path: '/signal', maxPeersPerRoom: 8, dialects: { '/p2p': 'connector' } });
 */
export interface SignalingOptions extends CoreOptions {
  /**
   * Largest frame accepted, in bytes. A bigger frame closes that socket with 1009; other peers are unaffected.
   * @default 65536
   */
  maxMessageSize?: number;
  /**
   * Deepest nesting of objects and arrays in a frame; deeper frames get `invalid-message`.
   * @default 32
   */
  maxDepth?: number;
  /**
   * The dialect of a connection that neither offers a known subprotocol nor comes in on a path of `dialects`.
   * @default 'console'
   */
  dialect?: DialectName;
  /**
   * Upgrade paths mapped to the dialect spoken there, for clients that cannot offer a subprotocol.
   * @default {}
   */
  dialects?: Readonly<Record<string, DialectName>>;
  /**
   * Routing scope: `'room'` (sender and target share a room) or `'open'` (any id), for every dialect or per
   * dialect. Unset dialects keep their spec's scope (`console` → `'room'`, `connector` → `'open'`).
   * @default { console: 'room', connector: 'open' }
   */
  scope?: RoutingScope | Readonly<Partial<Record<DialectName, RoutingScope>>>;
}

/** The defaults of {@link SignalingOptions}, in one place. */
export const SIGNALING_DEFAULTS = {
  ...CORE_DEFAULTS,
  maxMessageSize: 64 * 1024,
  maxDepth: 32,
  dialect: 'console' as DialectName,
  dialects: {} as Readonly<Record<string, DialectName>>,
  scope: { console: 'room', connector: 'open' } as Readonly<Record<DialectName, RoutingScope>>,
};

export type ResolvedSignalingOptions = Omit<Required<SignalingOptions>, 'scope'> & {
  readonly scope: Readonly<Record<DialectName, RoutingScope>>;
};

const DIALECTS: readonly DialectName[] = ['console', 'connector'];
const SCOPES: readonly RoutingScope[] = ['room', 'open'];

/** Fills in defaults and checks every value; invalid options throw `TypeError` with an exact message. */
export function resolveSignalingOptions(options: SignalingOptions = {}): ResolvedSignalingOptions {
  const given = withoutUndefined(options);
  const resolved = { ...SIGNALING_DEFAULTS, ...given, ...resolveCoreOptions(options) };
  assertInteger('maxMessageSize', resolved.maxMessageSize, 1);
  assertInteger('maxDepth', resolved.maxDepth, 1);
  assertDialect('dialect', resolved.dialect);
  for (const [path, dialect] of Object.entries(resolved.dialects)) {
    if (!path.startsWith('/')) throw new TypeError(`options.dialects keys must be paths starting with "/", got "${path}"`);
    assertDialect(`dialects["${path}"]`, dialect);
  }
  return { ...resolved, scope: resolveScope(given.scope) };
}

function resolveScope(scope: SignalingOptions['scope']): Readonly<Record<DialectName, RoutingScope>> {
  if (scope === undefined) return SIGNALING_DEFAULTS.scope;
  if (typeof scope === 'string') {
    assertScope('scope', scope);
    return { console: scope, connector: scope };
  }
  const merged = { ...SIGNALING_DEFAULTS.scope, ...withoutUndefined(scope) };
  for (const dialect of DIALECTS) assertScope(`scope.${dialect}`, merged[dialect]);
  return merged;
}

function assertDialect(name: string, value: unknown): asserts value is DialectName {
  if (!DIALECTS.includes(value as DialectName)) {
    throw new TypeError(`options.${name} must be one of ${DIALECTS.map((d) => `'${d}'`).join(', ')}, got ${String(value)}`);
  }
}

function assertScope(name: string, value: unknown): asserts value is RoutingScope {
  if (!SCOPES.includes(value as RoutingScope)) {
    throw new TypeError(`options.${name} must be 'room' or 'open', got ${String(value)}`);
  }
}
