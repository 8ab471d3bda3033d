import type { OpaqueFrame, Signal } from '../core/types.js';
import type { DialectName } from './dialect.js';
import type { JsonObject } from './json.js';

/**
 * What a codec keeps of the frame a signal came in: its dialect, the frame parsed, and its text, so a receiver
 * of the same dialect gets the sender's frame back without writing it again. The core carries it as an
 * {@link OpaqueFrame}; only `protocol/` looks inside.
 */
export interface WireFrame {
  readonly dialect: DialectName;
  readonly message: JsonObject;
  readonly raw: string;
}

/** Wraps a decoded frame for the core. */
export function opaque(frame: WireFrame): OpaqueFrame {
  return frame as unknown as OpaqueFrame;
}

/** The frame a signal was decoded from. */
export function wireFrame(signal: Signal): WireFrame {
  return signal.frame as unknown as WireFrame;
}

/** The text a signal was sent as: what it costs to hold, and what travels to another node. */
export function frameText(signal: Signal): string {
  return wireFrame(signal).raw;
}

/** The dialect a signal was sent in. */
export function frameDialect(signal: Signal): DialectName {
  return wireFrame(signal).dialect;
}
