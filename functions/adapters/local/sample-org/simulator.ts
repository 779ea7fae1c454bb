import { ServiceException } from '@smithy/core/client';
import type { SampleAccount } from './accounts.ts';

/** One SDK call as the sample organization sees it. */
export interface SampleCall {
  readonly account: SampleAccount;
  readonly region: string;
  /** The SDK client name without `Client`, e.g. `CostExplorer`. */
  readonly service: string;
  /** The command name without `Command`, e.g. `GetCostAndUsage`. */
  readonly operation: string;
  // biome-ignore lint/suspicious/noExplicitAny: inputs are the SDK commands' own input shapes
  readonly input: any;
  /** The organization's clock: current-state data (findings, ACLs) is what exists at this instant. */
  readonly now: Date;
  /** Every account of the organization (Organizations answers about the others). */
  readonly accounts: readonly SampleAccount[];
  /** The configured regions of this organization. */
  readonly regions: readonly string[];
}

/**
 * Answers one AWS service's operations with AWS-shaped output (the SDK's deserialised shape: Date objects
 * where the SDK gives Dates). Operations it does not answer are a programming error, reported loudly.
 */
export interface ServiceSimulator {
  /** The SDK client name without `Client`. */
  readonly service: string;
  readonly operations: Readonly<Record<string, (call: SampleCall) => object>>;
  /** The error this service returns when it is not enabled / not subscribed for the account. */
  notEnabled(call: SampleCall): Error;
  /** The same output with a field that the API reference marks as required removed. */
  malform(operation: string, output: object): object;
}

/** An AWS service error as the SDK deserialises it. */
export function awsError(
  name: string,
  message: string,
  options: { status?: number; fault?: 'client' | 'server'; throttling?: boolean } = {},
): Error {
  const error = new ServiceException({
    name,
    message,
    $fault: options.fault ?? 'client',
    $metadata: { httpStatusCode: options.status ?? 400, requestId: 'sample-request', attempts: 1 },
  });
  if (options.throttling) Object.assign(error, { $retryable: { throttling: true } });
  return error;
}

export function accessDenied(call: SampleCall, action: string): Error {
  return awsError(
    'AccessDeniedException',
    `User: arn:aws:sts::${call.account.id}:assumed-role/a360-member-read/a360 is not authorized to perform: ${action}`,
    { status: 403 },
  );
}

/**
 * Serves `items` a page at a time. The token is opaque to the caller but checked here, so a collector that
 * does not hand back the token it received (or changes the request mid-way) gets an error, as from AWS.
 */
export function paginate<T>(
  items: readonly T[],
  options: {
    readonly token: string | undefined;
    readonly pageSize: number;
    /** Identifies the request the token belongs to (its filters), excluding the token itself. */
    readonly request: unknown;
    readonly invalidToken: () => Error;
  },
): { page: T[]; nextToken: string | undefined } {
  const fingerprint = JSON.stringify(options.request);
  let offset = 0;
  if (options.token !== undefined) {
    try {
      const decoded = JSON.parse(Buffer.from(options.token, 'base64url').toString('utf8')) as {
        o: number;
        f: string;
      };
      if (decoded.f !== fingerprint || !Number.isInteger(decoded.o) || decoded.o < 0)
        throw new Error('mismatch');
      offset = decoded.o;
    } catch {
      throw options.invalidToken();
    }
  }
  const end = offset + Math.max(1, options.pageSize);
  const nextToken =
    end < items.length
      ? Buffer.from(JSON.stringify({ o: end, f: fingerprint })).toString('base64url')
      : undefined;
  return { page: items.slice(offset, end), nextToken };
}

const DAY_MS = 86_400_000;
const SAMPLE_EPOCH = Date.UTC(2026, 0, 1);

/**
 * When a sample item exists: a creation day and, for some, a removal day, as absolute days around a fixed
 * epoch. The same item is therefore present or absent on a given day whatever day the run happens.
 */
export function lifetime(
  random: { int(min: number, max: number): number; chance(p: number): boolean },
  options: { readonly removedShare: number; readonly spanDays?: number },
): { createdAt: Date; removedAt: Date | null } {
  const span = options.spanDays ?? 900;
  const createdDay = random.int(-span, span);
  const removed = random.chance(options.removedShare);
  const removedDay = removed ? createdDay + random.int(1, 120) : null;
  return {
    createdAt: new Date(SAMPLE_EPOCH + createdDay * DAY_MS + random.int(0, DAY_MS / 1000 - 1) * 1000),
    removedAt: removedDay === null ? null : new Date(SAMPLE_EPOCH + removedDay * DAY_MS),
  };
}

/** Whether an item with this lifetime exists at `now`. */
export function existsAt(item: { createdAt: Date; removedAt: Date | null }, now: Date): boolean {
  return item.createdAt <= now && (item.removedAt === null || item.removedAt > now);
}
