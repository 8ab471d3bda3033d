import type { SignalingEvents } from '../core/types.js';
import type { TransportEvents } from '../transport/events.js';

type ServerEvents = SignalingEvents & TransportEvents;

/** The subset of pino's interface signalroom logs through; pino, bunyan-style loggers and {@link jsonLogger} fit. */
export interface Logger {
  debug(object: Record<string, unknown>, message?: string): void;
  info(object: Record<string, unknown>, message?: string): void;
  warn(object: Record<string, unknown>, message?: string): void;
  error(object: Record<string, unknown>, message?: string): void;
  /** pino's level check; when present, events below the level are not even listened to. */
  isLevelEnabled?(level: string): boolean;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
/** pino's numeric levels. */
export const RANK: Readonly<Record<LogLevel, number>> = { debug: 20, info: 30, warn: 40, error: 50, silent: 100 };

/**
 * A minimal JSON-lines logger in pino's format (`{"level":30,"time":...,"msg":...}`), for the standalone server.
 *
 * @example const logger = jsonLogger('info'); logger.info({ peer: 'abc' }, 'peer connected');
 */
export function jsonLogger(level: LogLevel = 'info', write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  const threshold = RANK[level];
  const at = (name: Exclude<LogLevel, 'silent'>) => (object: Record<string, unknown>, message?: string) => {
    if (RANK[name] < threshold) return;
    write(`${JSON.stringify({ level: RANK[name], time: Date.now(), ...object, ...(message === undefined ? {} : { msg: message }) })}\n`);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    isLevelEnabled: (name) => (RANK[name as LogLevel] ?? 0) >= threshold,
  };
}

/** What {@link logEvents} listens to: a signaling server. */
export interface EventSource {
  on<E extends keyof ServerEvents>(event: E, listener: ServerEvents[E]): unknown;
  off<E extends keyof ServerEvents>(event: E, listener: ServerEvents[E]): unknown;
}

/** Logs one line per connection event of a server (and its errors). Returns a function that stops it. */
export function logEvents(core: EventSource, logger: Logger): () => void {
  // Listening costs a snapshot of the peer and room per event: listen only at levels that print.
  const enabled = (level: string) => logger.isLevelEnabled?.(level) ?? true;
  const levelOf: Record<string, string> = {
    'peer:connect': 'info',
    'peer:disconnect': 'info',
    'peer:suspend': 'info',
    'peer:resume': 'info',
    'room:join': 'debug',
    'room:leave': 'debug',
    'peer:error': 'debug',
    error: 'error',
  };
  const all: Partial<ServerEvents> = {
    'peer:connect': ({ peer }) => logger.info({ event: 'peer:connect', peer: peer.id, dialect: peer.dialect }, 'peer connected'),
    'peer:disconnect': ({ peer, reason }) =>
      logger.info({ event: 'peer:disconnect', peer: peer.id, reason, rooms: peer.rooms }, 'peer disconnected'),
    'peer:suspend': ({ peer, reason }) => logger.info({ event: 'peer:suspend', peer: peer.id, reason }, 'peer connection lost; keeping it for resume'),
    'peer:resume': ({ peer }) => logger.info({ event: 'peer:resume', peer: peer.id }, 'peer resumed'),
    'room:join': ({ room, peer }) => logger.debug({ event: 'room:join', room: room.id, peer: peer.id }, 'peer joined room'),
    'room:leave': ({ room, peer, reason }) => logger.debug({ event: 'room:leave', room: room.id, peer: peer.id, reason }, 'peer left room'),
    'peer:error': ({ peer, error }) => logger.debug({ event: 'peer:error', peer: peer.id, code: error.code }, 'answered a client error'),
    error: (error) => logger.error({ event: 'error', err: { message: error.message, stack: error.stack } }, 'signalroom error'),
  };
  const listeners = Object.fromEntries(Object.entries(all).filter(([event]) => enabled(levelOf[event] ?? 'info')));
  for (const [event, listener] of Object.entries(listeners)) core.on(event as never, listener as never);
  return () => {
    for (const [event, listener] of Object.entries(listeners)) core.off(event as never, listener as never);
  };
}
