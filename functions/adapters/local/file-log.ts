import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Log } from '../../ports.ts';

/**
 * JSON lines into a file (`.a360/a360.log`): the terminal shows progress, the log keeps the detail. Writes are
 * synchronous so a crash does not lose the lines that explain it.
 */
export function createFileLog(path: string, base: Record<string, unknown> = {}): Log {
  mkdirSync(dirname(path), { recursive: true });
  const write = (level: string, message: string, fields?: Record<string, unknown>) =>
    appendFileSync(
      path,
      `${JSON.stringify({ timestamp: new Date().toISOString(), level, message, ...base, ...fields })}\n`,
    );
  return {
    debug: (message, fields) => write('DEBUG', message, fields),
    info: (message, fields) => write('INFO', message, fields),
    warn: (message, fields) => write('WARN', message, fields),
    error: (message, fields) => write('ERROR', message, fields),
  };
}
