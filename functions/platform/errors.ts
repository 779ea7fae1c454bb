/**
 * The error taxonomy. Step Functions matches a failed Lambda on the error's `name`, so these names are an
 * API: `statemachines/*.asl.json` retries and catches them, and a test checks every `ErrorEquals` there is
 * one of `ERROR_NAMES` (or a `States.*` / `Lambda.*` name).
 */
export abstract class AppError extends Error {
  abstract override readonly name: string;
  /** Whether trying the same thing again later may succeed. */
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Throttling, timeouts, a database resuming from pause, 5xx: retry with backoff. */
export class TransientError extends AppError {
  override readonly name = 'TransientError';
  readonly retryable = true;
}

/** The source refused us (access denied, missing role, expired credentials): fail the category, no retry. */
export class SourceAccessError extends AppError {
  override readonly name = 'SourceAccessError';
  readonly retryable = false;
}

/** The source rejected a request for a reason that retrying will not fix (a 4xx that is not access). */
export class SourceRequestError extends AppError {
  override readonly name = 'SourceRequestError';
  readonly retryable = false;
}

/** The service is not enabled, not subscribed, or the region is not opted in: a SKIPPED outcome. */
export class ServiceNotEnabledError extends AppError {
  override readonly name = 'ServiceNotEnabledError';
  readonly retryable = false;
}

/** Data does not have the shape we rely on (a source response, a snapshot part). */
export class DataContractError extends AppError {
  override readonly name = 'DataContractError';
  readonly retryable = false;
}

/** The input of a use case (state machine input, CLI argument) is wrong. */
export class InvalidInputError extends AppError {
  override readonly name = 'InvalidInputError';
  readonly retryable = false;
}

/** Configuration (environment, settings) is missing or invalid. */
export class ConfigError extends AppError {
  override readonly name = 'ConfigError';
  readonly retryable = false;
}

/** A load into PostgreSQL failed for a reason other than a transient one (constraint, SQL error). */
export class LoadError extends AppError {
  override readonly name = 'LoadError';
  readonly retryable = false;
}

export const ERROR_NAMES = [
  'TransientError',
  'SourceAccessError',
  'SourceRequestError',
  'ServiceNotEnabledError',
  'DataContractError',
  'InvalidInputError',
  'ConfigError',
  'LoadError',
] as const;

export type ErrorName = (typeof ERROR_NAMES)[number];

/** Narrows an unknown thrown value to an Error, wrapping anything else. */
export function asError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}

/** A one-line description of an error for ledgers and terminals: the name and the message. */
export function describeError(value: unknown): { name: string; message: string } {
  const error = asError(value);
  return { name: error.name, message: error.message.split('\n')[0] ?? '' };
}
