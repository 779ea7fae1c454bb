import {
  AppError,
  DataContractError,
  ServiceNotEnabledError,
  SourceAccessError,
  SourceRequestError,
  TransientError,
} from '../platform/errors.ts';

/** The subset of an SDK v3 service exception we read. */
interface SdkErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
  /** Set by the client factory's middleware: `Service.Operation (region)`. */
  operation?: string;
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'AuthorizationErrorException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
]);

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'LimitExceededException',
  'ProvisionedThroughputExceededException',
  'EC2ThrottledException',
  'BandwidthLimitExceeded',
  'PriorRequestNotComplete',
]);

const TRANSIENT = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Errors that mean "this account or region does not have the service", whatever the service. */
const NOT_ENABLED = new Set(['OptInRequired', 'SubscriptionRequiredException']);

export function isThrottling(error: unknown): boolean {
  const e = error as SdkErrorLike;
  return (
    THROTTLING.has(e?.name ?? '') ||
    e?.$retryable?.throttling === true ||
    e?.$metadata?.httpStatusCode === 429
  );
}

/** Server faults, timeouts and network failures: the same request may well succeed later. */
export function isTransientFailure(error: unknown): boolean {
  const e = (error ?? {}) as SdkErrorLike;
  const status = e.$metadata?.httpStatusCode ?? 0;
  return TRANSIENT.has(e.name ?? '') || TRANSIENT.has(e.code ?? '') || e.$fault === 'server' || status >= 500;
}

/** A matcher for a service's own "not enabled" errors (by name, optionally by message). */
export type NotEnabledMatcher = (error: { name: string; message: string }) => boolean;

/**
 * Maps an SDK error to the taxonomy, keeping the original as `cause` and its name in the message so the
 * ledger says what AWS said (`SecurityHub.GetFindings (eu-west-1): InvalidAccessException: ...`).
 */
export function classifyAwsError(error: unknown, isNotEnabled?: NotEnabledMatcher): AppError {
  if (error instanceof AppError) return error;
  const e = (error ?? {}) as SdkErrorLike;
  const name = e.name ?? 'Error';
  const message = e.message ?? String(error);
  const where = e.operation ? `${e.operation}: ` : '';
  const text = `${where}${name}: ${message}`;
  const options = { cause: error };
  if (NOT_ENABLED.has(name) || isNotEnabled?.({ name, message })) {
    return new ServiceNotEnabledError(text, options);
  }
  if (isThrottling(error)) return new TransientError(text, options);
  if (ACCESS_DENIED.has(name) || e.$metadata?.httpStatusCode === 403 || e.$metadata?.httpStatusCode === 401) {
    return new SourceAccessError(text, options);
  }
  if (isTransientFailure(error)) return new TransientError(text, options);
  return new SourceRequestError(text, options);
}

/**
 * Reads a field that the API reference marks as always present, failing with the path when a response
 * lacks it (a `malformed` response, or an API change).
 */
export function required<T>(value: T | undefined | null, path: string): T {
  if (value === undefined || value === null) {
    throw new DataContractError(`response is missing ${path}`);
  }
  return value;
}
