import { RANK, type Logger, type LogLevel } from './logger.js';

const COLORS: Record<Exclude<LogLevel, 'silent'>, string> = { debug: '\x1b[90m', info: '\x1b[36m', warn: '\x1b[33m', error: '\x1b[31m' };
const RESET = '\x1b[0m';

/**
 * A logger for people at a terminal: `12:04:05 INFO  peer connected  peer=3f2a… dialect=console`. The standalone
 * server uses it when stdout is a TTY (and {@link jsonLogger}'s JSON lines otherwise, or as `LOG_FORMAT` says).
 *
 * @example const logger = prettyLogger('info'); logger.info({ peer: 'abc' }, 'peer connected');
 */
export function prettyLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stdout.write(line),
  color = false,
): Logger {
  const threshold = RANK[level];
  const at = (name: Exclude<LogLevel, 'silent'>) => (object: Record<string, unknown>, message?: string) => {
    if (RANK[name] < threshold) return;
    const time = new Date().toTimeString().slice(0, 8);
    const label = name.toUpperCase().padEnd(5);
    const fields = Object.entries(object)
      .filter(([key, value]) => key !== 'event' && value !== undefined)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    const text = message ?? String(object.event ?? '');
    write(`${time} ${color ? `${COLORS[name]}${label}${RESET}` : label} ${text}${fields === '' ? '' : `  ${fields}`}\n`);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    isLevelEnabled: (name) => (RANK[name as LogLevel] ?? 0) >= threshold,
  };
}
