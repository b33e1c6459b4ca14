import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { Environment } from './environment';

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/** The levels LOG_LEVEL lets through: it and every level above it. */
export function logLevelsOf(level: Environment['LOG_LEVEL']): LogLevel[] {
  return LEVELS.slice(0, LEVELS.indexOf(level) + 1);
}

/**
 * Nest's own logger, as text for people or, with LOG_FORMAT=json, one JSON object per line
 * (level, time, context, message, pid) for log collectors (Loki, Elasticsearch, journald).
 */
export function loggerFor(env: Pick<Environment, 'LOG_LEVEL' | 'LOG_FORMAT'>, context?: string): ConsoleLogger {
  const options = { logLevels: logLevelsOf(env.LOG_LEVEL), json: env.LOG_FORMAT === 'json' };
  return context ? new ConsoleLogger(context, options) : new ConsoleLogger(options);
}
