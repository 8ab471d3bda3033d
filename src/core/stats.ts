import type { LeaveReason } from './types.js';

/** Signal types counted by name; any other (application) type is counted as `other`, so clients cannot
 * grow the set of labels without bound. */
const NAMED_SIGNALS = new Set(['offer', 'answer', 'candidate', 'message', 'connect']);
/** Most distinct disconnect reasons kept by name (they come from transports); the rest count as `other`. */
const MAX_REASONS = 32;

/**
 * Running totals the core keeps as plain numbers: counting costs an increment, and exporters (Prometheus, the
 * dashboard) read them whenever they like.
 */
export class CoreStats {
  connects = 0;
  joins = 0;
  readonly leaves: Record<LeaveReason, number> = { left: 0, kicked: 0, disconnected: 0, ended: 0 };
  /** Relayed signals (one per delivery request, not per receiver) by type. */
  readonly signals = new Map<string, number>();
  /** Errors answered to clients, by code. */
  readonly errors = new Map<string, number>();
  /** Disconnects by reason (`closed`, `lost`, `heartbeat`, `slow-consumer`, `rate-limit`, ...). */
  readonly disconnects = new Map<string, number>();

  signal(type: string): void {
    const key = NAMED_SIGNALS.has(type) ? type : 'other';
    this.signals.set(key, (this.signals.get(key) ?? 0) + 1);
  }

  error(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  disconnect(reason: string): void {
    const key = this.disconnects.has(reason) || this.disconnects.size < MAX_REASONS ? reason : 'other';
    this.disconnects.set(key, (this.disconnects.get(key) ?? 0) + 1);
  }

  /** Total relayed signals and answered errors, for rates. */
  get totals(): { signals: number; errors: number } {
    let signals = 0;
    let errors = 0;
    for (const n of this.signals.values()) signals += n;
    for (const n of this.errors.values()) errors += n;
    return { signals, errors };
  }
}
