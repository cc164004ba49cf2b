/**
 * Structured logs (pino): one JSON object per line for a log collector (journald, Loki …), or
 * pino-pretty's readable lines for a person at a terminal (`--log-format pretty`).
 */
import { type DestinationStream, type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'json' | 'pretty';
export type { Logger };

export interface LoggerOptions {
  format: LogFormat;
  level?: 'debug' | 'info' | 'warn' | 'error';
  /** Where lines go (default: standard error). */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = (options.destination ?? process.stderr) as DestinationStream;
  const level = options.level ?? 'info';
  if (options.format === 'pretty') {
    // In this thread (not pino's transport worker): one process, and lines keep their order.
    const stream = pretty({ destination, sync: true, colorize: false, ignore: 'pid,hostname' });
    return pino({ level, base: { name: 'orrery' } }, stream);
  }
  return pino({ level, base: { name: 'orrery' } }, destination);
}
