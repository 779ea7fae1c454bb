import { z } from 'zod';
import { getCategory } from '../collectors/registry.ts';
import { AppError, DataContractError, describeError, LoadError } from '../platform/errors.ts';
import type { MetricsSink } from '../ports.ts';
import { formatIssues } from '../snapshot/snapshot.ts';
import { parseInput } from './input.ts';
import { nextLoadAttempt, recordCategory } from './ledger.ts';
import { type LoadDeps, readSnapshot, windowOf } from './prepare-load.ts';

const loadCategoryInputSchema = z.object({
  runId: z.string().min(1),
  snapshotKey: z.string().min(1),
  category: z.string().min(1),
});

export interface LoadCategoryOutput {
  readonly category: string;
  readonly status: 'SUCCEEDED' | 'SKIPPED';
  readonly rows: number;
}

/**
 * Loads one category of a snapshot in one transaction, ledger row included: either all of the category's rows
 * and its SUCCEEDED row are committed, or none are and a FAILED row says why. The payload is validated against
 * the category's schema first, so a bad category is rejected naming the field while the others load.
 */
export async function loadCategory(
  deps: LoadDeps & { readonly metrics: MetricsSink },
  input: unknown,
): Promise<LoadCategoryOutput> {
  const request = parseInput(loadCategoryInputSchema, input, 'load-category');
  const started = deps.clock.now();
  const { snapshot, key } = await readSnapshot(deps.blobs, request.snapshotKey);
  const accountId = snapshot.account_id;
  const attempt = await nextLoadAttempt(deps.sql, request.runId, accountId, request.category);
  const entry = {
    runId: request.runId,
    accountId,
    category: request.category,
    phase: 'load' as const,
    attempt,
    snapshotKey: key,
  };
  const elapsed = () => deps.clock.now().getTime() - started.getTime();
  try {
    const { collector, loader } = getCategory(request.category);
    const header = snapshot.categories[request.category];
    if (!header) throw new DataContractError(`snapshot ${key} has no category ${request.category}`);
    if (header.status === 'FAILED') {
      throw new DataContractError(
        `${request.category} was not collected (${header.error?.name ?? 'FAILED'}); collect it again`,
      );
    }
    if (header.status === 'SKIPPED') {
      await recordCategory(deps.sql, {
        ...entry,
        status: 'SKIPPED',
        durationMs: elapsed(),
        startedAt: started,
        finishedAt: deps.clock.now(),
      });
      return { category: request.category, status: 'SKIPPED', rows: 0 };
    }
    const checked = collector.schema.safeParse(snapshot.data[request.category]);
    if (!checked.success) {
      throw new DataContractError(
        `${request.category} in ${key} is invalid: ${formatIssues(checked.error.issues, `data.${request.category}`)}`,
      );
    }
    const completeRegions =
      header.status === 'SUCCEEDED'
        ? 'all'
        : Object.entries(header.regions ?? {})
            .filter(([, outcome]) => outcome.status === 'SUCCEEDED')
            .map(([region]) => region);
    const rows = await deps.sql.transaction(async (tx) => {
      const written = await loader.load(tx, checked.data, {
        accountId,
        window: windowOf(snapshot),
        runId: request.runId,
        seenAt: new Date(header.collected_at),
        completeRegions,
      });
      await recordCategory(tx, {
        ...entry,
        status: 'SUCCEEDED',
        rows: written,
        durationMs: elapsed(),
        startedAt: started,
        finishedAt: deps.clock.now(),
      });
      return written;
    });
    deps.metrics.record(request.category, { LoadDurationMs: elapsed(), RowsLoaded: rows, CategoryFailed: 0 });
    return { category: request.category, status: 'SUCCEEDED', rows };
  } catch (thrown) {
    const error =
      thrown instanceof AppError ? thrown : new LoadError(describeError(thrown).message, { cause: thrown });
    await recordCategory(deps.sql, {
      ...entry,
      status: 'FAILED',
      error: describeError(error),
      durationMs: elapsed(),
      startedAt: started,
      finishedAt: deps.clock.now(),
    }).catch((ledgerError: unknown) =>
      deps.log.error('could not record the failed load in the ledger', { error: describeError(ledgerError) }),
    );
    deps.metrics.record(request.category, { LoadDurationMs: elapsed(), RowsLoaded: 0, CategoryFailed: 1 });
    deps.log.warn('category load failed', {
      category: request.category,
      accountId,
      runId: request.runId,
      error: describeError(error),
    });
    throw error;
  }
}
