import { z } from 'zod';
import type { CollectionScope } from '../adapters/aws/clients.ts';
import { classifyAwsError } from '../collectors/aws-errors.ts';
import type { PrefetchedResponses } from '../collectors/cost-explorer.ts';
import { getCategory } from '../collectors/registry.ts';
import type { CallStats, ClientFactory } from '../collectors/types.ts';
import { DataContractError, describeError, ServiceNotEnabledError } from '../platform/errors.ts';
import { PERIODS } from '../platform/period.ts';
import type { BlobStore, Clock, Log, MetricsSink } from '../ports.ts';
import {
  type CategoryHeader,
  type CategoryStatus,
  categoryHeaderSchema,
  formatIssues,
  stagingKey,
} from '../snapshot/snapshot.ts';
import { parseInput } from './input.ts';
import { costExplorerPrefetchKey, prefetchFileSchema } from './prefetch-cost-explorer.ts';

export interface CollectDeps {
  readonly blobs: BlobStore;
  readonly clock: Clock;
  readonly log: Log;
  readonly metrics: MetricsSink;
  readonly homeRegion: string;
  /**
   * Organization mode: orchestrate answers GetCostAndUsage requests for the organization, so a category that
   * sends them reads the account's answers (when the run has them), and Cost Explorer categories keep their
   * own requests to the minimum (see `CollectContext.costExplorer`).
   */
  readonly costExplorerPrefetch?: boolean;
  /** Clients for one collection; `prefetched` answers GetCostAndUsage requests without calling AWS. */
  readonly clientsFor: (
    scope: CollectionScope,
    stats: CallStats,
    prefetched?: PrefetchedResponses,
  ) => ClientFactory;
}

const collectInputSchema = z.object({
  runId: z.string().min(1),
  accountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
  category: z.string().min(1),
  window: z.object({ period: z.enum(PERIODS), start: z.string(), end: z.string() }),
  regions: z.array(z.string()).min(1),
});

/** A category's part of a snapshot, staged by its collector until the merge. */
export const stagedPartSchema = z.object({
  category: z.string(),
  header: categoryHeaderSchema,
  payload: z.unknown(),
});
export type StagedPart = z.infer<typeof stagedPartSchema>;

export interface CollectOutput {
  readonly category: string;
  readonly status: CategoryStatus;
  readonly rows: number;
  readonly partKey: string;
}

/**
 * Collects one category for one account and stages it. A SKIPPED category (service not enabled) is a normal
 * outcome; any other failure is staged with its error (so the merge and the ledger can say what happened) and
 * then thrown, typed, for the state machine to retry or catch. Retries accumulate into the same part: the
 * attempt number, API calls and throttled calls count every attempt.
 */
export async function collectCategory(deps: CollectDeps, input: unknown): Promise<CollectOutput> {
  const request = parseInput(collectInputSchema, input, 'collect-category');
  const { collector } = getCategory(request.category);
  const partKey = stagingKey(request.runId, request.accountId, request.category);
  const previous = await readPreviousAttempt(deps.blobs, partKey, request.runId);
  const stats: CallStats = { apiCalls: 0, throttled: 0, costExplorerCalls: 0 };
  const started = deps.clock.now();
  const prefetched =
    deps.costExplorerPrefetch && collector.costAndUsageQueries
      ? await readPrefetched(deps.blobs, request.runId, request.accountId)
      : undefined;
  const clients = deps.clientsFor(
    { accountId: request.accountId, category: request.category, runId: request.runId },
    stats,
    prefetched,
  );
  const header = (status: CategoryStatus, extra: Partial<CategoryHeader>): CategoryHeader => ({
    status,
    run_id: request.runId,
    attempt: (previous?.attempt ?? 0) + 1,
    rows: 0,
    duration_ms: (previous?.duration_ms ?? 0) + (deps.clock.now().getTime() - started.getTime()),
    api_calls: (previous?.api_calls ?? 0) + stats.apiCalls,
    throttled: (previous?.throttled ?? 0) + stats.throttled,
    cost_explorer_calls: (previous?.cost_explorer_calls ?? 0) + (stats.costExplorerCalls ?? 0),
    collected_at: started.toISOString(),
    error: null,
    reason: null,
    ...extra,
  });

  let part: StagedPart;
  try {
    const result = await collector.collect({
      accountId: request.accountId,
      window: request.window,
      regions: collector.scope === 'regional' ? request.regions : [deps.homeRegion],
      homeRegion: deps.homeRegion,
      clients,
      costExplorer: deps.costExplorerPrefetch ? 'organization' : 'per-account',
      now: started,
      log: deps.log,
    });
    const checked = collector.schema.safeParse(result.payload);
    if (!checked.success) {
      throw new DataContractError(
        `${request.category} payload is invalid: ${formatIssues(checked.error.issues, request.category)}`,
      );
    }
    const regions = result.regions ? { regions: { ...result.regions } } : {};
    if (result.skippedReason !== undefined) {
      part = {
        category: request.category,
        header: header('SKIPPED', { reason: result.skippedReason, ...regions }),
        payload: null,
      };
    } else {
      const failedRegions = Object.entries(result.regions ?? {}).filter(([, r]) => r.status === 'FAILED');
      const [firstRegion, firstOutcome] = failedRegions[0] ?? [];
      // A PARTIAL category says which region failed first and why, so the ledger row is not silent about it.
      const error =
        firstOutcome?.error === undefined
          ? null
          : {
              name: firstOutcome.error.name,
              message: `${firstRegion}: ${firstOutcome.error.message}${failedRegions.length > 1 ? ` (and ${failedRegions.length - 1} more regions)` : ''}`,
            };
      part = {
        category: request.category,
        header: header(failedRegions.length > 0 ? 'PARTIAL' : 'SUCCEEDED', {
          rows: result.rows,
          error,
          ...regions,
        }),
        payload: checked.data,
      };
    }
  } catch (thrown) {
    const error = classifyAwsError(thrown);
    if (error instanceof ServiceNotEnabledError) {
      part = {
        category: request.category,
        header: header('SKIPPED', { reason: error.message }),
        payload: null,
      };
    } else {
      const failed = {
        category: request.category,
        header: header('FAILED', { error: describeError(error) }),
        payload: null,
      };
      await deps.blobs.put(partKey, JSON.stringify(failed));
      deps.log.warn('category collection failed', {
        category: request.category,
        accountId: request.accountId,
        runId: request.runId,
        attempt: failed.header.attempt,
        error: failed.header.error,
      });
      record(deps, failed, stats, started);
      throw error;
    }
  }
  await deps.blobs.put(partKey, JSON.stringify(part));
  record(deps, part, stats, started);
  return { category: request.category, status: part.header.status, rows: part.header.rows, partKey };
}

/** Metrics of this attempt only (the staged header accumulates all attempts). */
function record(deps: CollectDeps, part: StagedPart, stats: CallStats, started: Date): void {
  deps.metrics.record(part.category, {
    CollectDurationMs: deps.clock.now().getTime() - started.getTime(),
    RowsCollected: part.header.rows,
    ApiCalls: stats.apiCalls,
    Throttles: stats.throttled,
    CategoryFailed: part.header.status === 'FAILED' ? 1 : 0,
  });
}

/** The account's answers from `orchestrate`'s organization-wide Cost Explorer requests, when it made them. */
async function readPrefetched(
  blobs: BlobStore,
  runId: string,
  accountId: string,
): Promise<PrefetchedResponses | undefined> {
  const text = await blobs.get(costExplorerPrefetchKey(runId, accountId));
  if (text === undefined) return undefined;
  const parsed = prefetchFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new DataContractError(
      `prefetched Cost Explorer answers for ${accountId} are invalid: ${formatIssues(parsed.error.issues, 'prefetch')}`,
    );
  }
  return parsed.data.responses as unknown as PrefetchedResponses;
}

async function readPreviousAttempt(
  blobs: BlobStore,
  key: string,
  runId: string,
): Promise<CategoryHeader | undefined> {
  const text = await blobs.get(key);
  if (text === undefined) return undefined;
  const parsed = stagedPartSchema.safeParse(JSON.parse(text));
  return parsed.success && parsed.data.header.run_id === runId ? parsed.data.header : undefined;
}
