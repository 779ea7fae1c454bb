import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { HttpResponse } from '@smithy/core/transport';
import type {
  DeserializeHandler,
  DeserializeHandlerArguments,
  HandlerExecutionContext,
  MetadataBearer,
  Pluggable,
  RetryStrategyV2,
  StandardRetryToken,
} from '@smithy/types';
import { InvalidInputError } from '../../../platform/errors.ts';
import { type Clock, systemClock } from '../../../ports.ts';
import type { ClientFactoryOptions, CollectionScope } from '../../aws/clients.ts';
import { isRegionEnabled, type SampleAccount, sampleAccounts } from './accounts.ts';
import { awsError, type SampleCall, type ServiceSimulator } from './simulator.ts';

export const FAULT_KINDS = [
  'throttle',
  'throttle-always',
  'access-denied',
  'not-enabled',
  'malformed',
  'timeout',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  readonly category: string;
  readonly kind: FaultKind;
}

/** Parses `--faults <category>=<kind>[,<category>=<kind>...]`. */
export function parseFaults(text: string | undefined, knownCategories: readonly string[]): Fault[] {
  if (!text) return [];
  return text.split(',').map((part) => {
    const [category, kind, extra] = part.trim().split('=');
    if (!category || !kind || extra !== undefined) {
      throw new InvalidInputError(`--faults entries look like <category>=<kind>, got "${part}"`);
    }
    if (!knownCategories.includes(category)) {
      throw new InvalidInputError(
        `--faults names unknown category "${category}"; known: ${knownCategories.join(', ')}`,
      );
    }
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw new InvalidInputError(`--faults kind "${kind}" is not one of ${FAULT_KINDS.join(', ')}`);
    }
    return { category, kind: kind as FaultKind };
  });
}

/** The SDK attempts per call in sample mode; a `throttle` fault throttles a whole first collection attempt. */
export const SAMPLE_MAX_ATTEMPTS = 3;

export interface SampleOrganizationOptions {
  readonly accounts: number;
  readonly regions: readonly string[];
  readonly simulators: readonly ServiceSimulator[];
  readonly faults?: readonly Fault[];
  readonly clock?: Clock;
  readonly seed?: string;
}

/**
 * A deterministic organization of N accounts that answers the SDK calls of every implemented category. It is
 * plugged in below the SDK clients (a middleware in the deserialize step, inside retries and call counting),
 * so the collectors' real code runs: request building, pagination, retries, error classification.
 */
export class SampleOrganization {
  readonly accounts: readonly SampleAccount[];
  readonly regions: readonly string[];
  private readonly byId: ReadonlyMap<string, SampleAccount>;
  private readonly simulators: ReadonlyMap<string, ServiceSimulator>;
  private readonly faults: ReadonlyMap<string, FaultKind>;
  private readonly clock: Clock;
  private readonly attempts = new Map<string, number>();

  constructor(options: SampleOrganizationOptions) {
    if (!Number.isInteger(options.accounts) || options.accounts < 1) {
      throw new InvalidInputError(
        `a sample organization needs at least one account, got ${options.accounts}`,
      );
    }
    this.accounts = sampleAccounts(options.accounts, options.regions, options.seed);
    this.regions = options.regions;
    this.byId = new Map(this.accounts.map((a) => [a.id, a]));
    this.simulators = new Map(options.simulators.map((s) => [s.service, s]));
    this.faults = new Map((options.faults ?? []).map((f) => [f.category, f.kind]));
    this.clock = options.clock ?? systemClock;
  }

  account(id: string): SampleAccount | undefined {
    return this.byId.get(id);
  }

  /** Client factory options that put this organization below every SDK client. */
  clientOptions(): ClientFactoryOptions {
    return {
      credentials: () => ({ accessKeyId: 'SAMPLEACCESSKEY', secretAccessKey: 'sample-secret-key' }),
      retryStrategy: sampleRetryStrategy(),
      plugins: (scope) => {
        const attemptKey = `${scope.runId}|${scope.accountId}|${scope.category}`;
        const attempt = (this.attempts.get(attemptKey) ?? 0) + 1;
        this.attempts.set(attemptKey, attempt);
        return (region) => [this.plugin(scope, region, attempt)];
      },
    };
  }

  private plugin(scope: CollectionScope, region: string, attempt: number): Pluggable<object, MetadataBearer> {
    const middleware =
      (_next: DeserializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
      async (args: DeserializeHandlerArguments<object>) => {
        const output = this.answer(scope, region, attempt, context, args.input);
        return {
          output: { ...output, $metadata: { httpStatusCode: 200, requestId: 'sample-request', attempts: 1 } },
          response: new HttpResponse({ statusCode: 200, headers: {} }),
        };
      };
    return {
      applyToStack: (stack) => {
        stack.add(middleware as never, {
          step: 'deserialize',
          priority: 'high',
          name: 'a360SampleOrganization',
        });
      },
    };
  }

  private answer(
    scope: CollectionScope,
    region: string,
    attempt: number,
    context: HandlerExecutionContext,
    input: unknown,
  ): object {
    const service = (context.clientName ?? '').replace(/Client$/, '');
    const operation = (context.commandName ?? '').replace(/Command$/, '');
    const account = this.byId.get(scope.accountId);
    if (!account) {
      throw awsError('AccessDenied', `not authorized to assume a role in account ${scope.accountId}`, {
        status: 403,
      });
    }
    const simulator = this.simulators.get(service);
    const handler = simulator?.operations[operation];
    if (!simulator || !handler) {
      throw new Error(`the sample organization does not answer ${service}.${operation}`);
    }
    const call: SampleCall = {
      account,
      region,
      service,
      operation,
      input,
      now: this.clock.now(),
      accounts: this.accounts,
      regions: this.regions,
    };
    if (!isRegionEnabled(account, region)) {
      throw awsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    const fault = this.faults.get(scope.category);
    switch (fault) {
      case 'throttle':
        if (attempt === 1) throw throttled();
        break;
      case 'throttle-always':
        throw throttled();
      case 'access-denied':
        throw awsError(
          'AccessDeniedException',
          `User: arn:aws:sts::${account.id}:assumed-role/a360-member-read/a360 is not authorized to perform: ${service.toLowerCase()}:${operation} on resource: *`,
          { status: 403 },
        );
      case 'not-enabled':
        throw simulator.notEnabled(call);
      case 'timeout':
        throw Object.assign(
          new Error(`Connection timed out after 30000 ms calling ${service}.${operation}`),
          {
            name: 'TimeoutError',
          },
        );
      default:
        break;
    }
    const output = handler(call);
    return fault === 'malformed' ? simulator.malform(operation, output) : output;
  }
}

/**
 * Short fixed SDK retry delays for the sample organization. The wrapper passes a scope to every token request:
 * the Resilience Hub client is an older SDK build whose retry middleware asks without one.
 */
function sampleRetryStrategy(): RetryStrategyV2 {
  const strategy = new ConfiguredRetryStrategy(SAMPLE_MAX_ATTEMPTS, () => 5);
  return {
    acquireInitialRetryToken: (scope) => strategy.acquireInitialRetryToken(scope ?? ''),
    refreshRetryTokenForRetry: (token, error) =>
      strategy.refreshRetryTokenForRetry(token as StandardRetryToken, error),
    recordSuccess: (token) => strategy.recordSuccess(token as StandardRetryToken),
  };
}

function throttled(): Error {
  return awsError('ThrottlingException', 'Rate exceeded', { status: 400, throttling: true });
}
