import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { Log } from '../ports.ts';
import { createLogger, logOf } from './observability.ts';

/** The keys every log line of an invocation carries, when the input has them. */
const LOG_KEYS = ['runId', 'accountId', 'category', 'executionId', 'snapshotKey'] as const;

/**
 * A thin Lambda entry: builds its dependencies once (at the first invocation), tags the logger with the
 * invocation's keys, and lets errors through unchanged: Step Functions matches their `name`.
 */
export function lambdaHandler<D, O>(
  name: string,
  build: (log: Log, context: Context) => D,
  run: (deps: D, input: unknown) => Promise<O> | O,
): (input: unknown, context: Context) => Promise<O> {
  let logger: Logger | undefined;
  let deps: D | undefined;
  return async (input, context) => {
    logger ??= createLogger();
    logger.resetKeys();
    logger.addContext(context);
    const keys = Object.fromEntries(
      LOG_KEYS.flatMap((key) => {
        const value = (input as Record<string, unknown> | null)?.[key];
        return typeof value === 'string' ? [[key, value]] : [];
      }),
    );
    logger.appendKeys({ handler: name, ...keys });
    deps ??= build(logOf(logger), context);
    try {
      return await run(deps, input);
    } catch (error) {
      logger.error('invocation failed', { error });
      throw error;
    }
  };
}
