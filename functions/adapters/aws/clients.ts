import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  FinalizeHandler,
  FinalizeHandlerArguments,
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  MetadataBearer,
  Pluggable,
  RetryStrategyV2,
} from '@smithy/types';
import { isThrottling } from '../../collectors/aws-errors.ts';
import { costAndUsageFingerprint, type PrefetchedResponses } from '../../collectors/cost-explorer.ts';
import type { CallStats, ClientFactory, SdkClientClass } from '../../collectors/types.ts';

/** Who a set of clients collects for; the sample organization also keys its faults on it. */
export interface CollectionScope {
  readonly accountId: string;
  readonly category: string;
  readonly runId: string;
}

export interface ClientFactoryOptions {
  /** Credentials for an account (the hub assumes the member role); `undefined` means the default chain. */
  readonly credentials?: (
    accountId: string,
  ) => AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined;
  /**
   * Extra middleware: called once per factory (one collection attempt), then once per client with its region.
   * Locally, the sample organization answers below the SDK this way.
   */
  readonly plugins?: (
    scope: CollectionScope,
  ) => (region: string) => ReadonlyArray<Pluggable<object, MetadataBearer>>;
  /** Replaces the adaptive retry mode (the sample organization uses short fixed delays). */
  readonly retryStrategy?: RetryStrategyV2;
  readonly maxAttempts?: number;
  readonly requestTimeoutMs?: number;
}

interface SmithyClient {
  middlewareStack: {
    add(middleware: unknown, options: Record<string, unknown>): void;
    use(plugin: Pluggable<object, MetadataBearer>): void;
  };
}

const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * One factory per account x category x attempt: clients are cached per class and region, and every call they
 * make is counted (API calls and throttled calls) into `stats`.
 */
export function createClientFactory(
  options: ClientFactoryOptions,
  scope: CollectionScope,
  stats: CallStats,
  prefetched?: PrefetchedResponses,
): ClientFactory {
  const cache = new Map<unknown, Map<string, object>>();
  const credentials = options.credentials?.(scope.accountId);
  const pluginsFor = options.plugins?.(scope);
  return {
    client<C extends object>(clientClass: SdkClientClass<C>, region: string): C {
      let byRegion = cache.get(clientClass);
      if (!byRegion) {
        byRegion = new Map();
        cache.set(clientClass, byRegion);
      }
      const cached = byRegion.get(region);
      if (cached) return cached as C;
      const config = {
        region,
        ...(credentials ? { credentials } : {}),
        ...(options.retryStrategy
          ? { retryStrategy: options.retryStrategy }
          : { retryMode: 'adaptive', maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS }),
        requestHandler: { connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs ?? 30_000 },
      };
      const client = new clientClass(config);
      const stack = (client as unknown as SmithyClient).middlewareStack;
      stack.add(callStatsMiddleware(stats, region), {
        step: 'finalizeRequest',
        priority: 'low',
        name: 'a360CallStats',
      });
      if (prefetched) {
        stack.add(prefetchedAnswerMiddleware(prefetched), {
          step: 'initialize',
          priority: 'high',
          name: 'a360PrefetchedCostExplorer',
        });
      }
      for (const plugin of pluginsFor?.(region) ?? []) stack.use(plugin);
      byRegion.set(region, client);
      return client;
    },
  };
}

/**
 * Answers a GetCostAndUsage request that `orchestrate` already asked the management account for, before it is
 * signed or sent: no call, nothing billed, nothing counted.
 */
function prefetchedAnswerMiddleware(prefetched: PrefetchedResponses) {
  return (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
    async (args: InitializeHandlerArguments<object>) => {
      if (context.clientName === 'CostExplorerClient' && context.commandName === 'GetCostAndUsageCommand') {
        const answer = prefetched[costAndUsageFingerprint(args.input)];
        if (answer) return { output: structuredClone({ ...answer, $metadata: {} }), response: undefined };
      }
      return next(args);
    };
}

/** Runs once per attempt (inside the retry middleware), so retried calls count as the calls they are. */
function callStatsMiddleware(stats: CallStats, region: string) {
  return (next: FinalizeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
    async (args: FinalizeHandlerArguments<object>) => {
      stats.apiCalls += 1;
      if (context.clientName === 'CostExplorerClient') {
        stats.costExplorerCalls = (stats.costExplorerCalls ?? 0) + 1;
      }
      try {
        return await next(args);
      } catch (error) {
        if (isThrottling(error)) stats.throttled += 1;
        if (error && typeof error === 'object' && !('operation' in error)) {
          Object.defineProperty(error, 'operation', {
            value: operationName(context, region),
            enumerable: false,
          });
        }
        throw error;
      }
    };
}

export function operationName(context: HandlerExecutionContext, region: string): string {
  const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
  const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
  return `${service}.${operation} (${region})`;
}
