declare global {
  interface SymbolConstructor {
    /**
     * The well-known symbol of `await using` (explicit resource management). Declared here as well, so a project
     * whose `lib` predates it (ES2022 with the DOM, no @types/node) still type-checks signalroom's declarations.
     */
    readonly asyncDispose: unique symbol;
  }
}

/**
 * `Symbol.asyncDispose`, or, on a runtime that predates it (older browsers), the registered symbol TypeScript's
 * own `await using` helper falls back to, so `await using client = new SignalingClient(...)` works on both.
 */
export const asyncDispose: typeof Symbol.asyncDispose =
  (Symbol as { asyncDispose?: typeof Symbol.asyncDispose }).asyncDispose ?? (Symbol.for('Symbol.asyncDispose') as typeof Symbol.asyncDispose);
