import type { LogLevel } from '../store/records.js';
import { currentScope } from './scope.js';

function write(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
  const scope = currentScope();
  if (scope) {
    scope.session.log(level, message, fields, scope.checkpointId);
    return;
  }
  // Outside a flow there is no execution to attach the line to; the console still shows it.
  const line = fields ? `${message} ${JSON.stringify(fields)}` : message;
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

/**
 * Log lines of the current execution, tied to the current checkpoint and kept in the store.
 *
 * @example
 * ```ts
 * log.info('found articles', { count: hits.length });
 * ```
 */
export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => write('debug', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write('info', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write('warn', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write('error', message, fields),
};
