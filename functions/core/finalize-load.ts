import { z } from 'zod';
import { describeError } from '../platform/errors.ts';
import type { DeadLetter, DeadLetterQueue, MetricsSink } from '../ports.ts';
import { loadedKey, parseSnapshotKey } from '../snapshot/snapshot.ts';
import { parseInput } from './input.ts';
import { latestLoadStatuses, recordCategory, settleRun } from './ledger.ts';
import { causeMessage } from './merge-snapshot.ts';
import { type LoadDeps, readSnapshot } from './prepare-load.ts';

export interface FinalizeDeps extends LoadDeps {
  readonly deadLetters: DeadLetterQueue;
  readonly metrics: MetricsSink;
}

const caughtError = z.object({ Error: z.string(), Cause: z.string().optional() });

const finalizeInputSchema = z.object({
  runId: z.string().min(1),
  snapshotKey: z.string().min(1),
  /** One per loaded category: the task's output, or the Catch's `{ category, error }`. */
  results: z.array(
    z.object({ category: z.string(), status: z.string().optional(), error: caughtError.optional() }),
  ),
});

const rejectedInputSchema = z.object({
  snapshotKey: z.string().min(1),
  runId: z.string().optional(),
  error: caughtError,
});

export type LoadOutcome = 'SUCCEEDED' | 'PARTIAL' | 'FAILED';

export interface FinalizeOutput {
  readonly status: LoadOutcome;
  readonly snapshotKey: string;
  /** Where the snapshot is now: `loaded/...` once every category of it is loaded. */
  readonly location: string;
  readonly loaded: number;
  readonly failed: ReadonlyArray<{ category: string; phase: 'collect' | 'load'; error: string }>;
  readonly message: string;
}

/**
 * The last state of `load`. Records what a Catch saw but the task could not record (a crash, a timeout), moves
 * the snapshot to `loaded/` only when every one of its categories is loaded, settles the run's status, and
 * sends one dead letter per failed category carrying the exact input that reruns it.
 */
export async function finalizeLoad(deps: FinalizeDeps, input: unknown): Promise<FinalizeOutput> {
  const request = parseInput(finalizeInputSchema, input, 'finalize');
  const { snapshot, key } = await readSnapshot(deps.blobs, request.snapshotKey);
  const accountId = snapshot.account_id;
  const now = deps.clock.now();

  for (const result of request.results) {
    if (!result.error) continue;
    const [row] = await deps.sql.query<{ status: string }>(
      `SELECT status FROM run_categories WHERE run_id = :run_id AND account_id = :account_id
         AND category = :category AND phase = 'load'`,
      { run_id: request.runId, account_id: accountId, category: result.category },
    );
    if (row?.status !== 'FAILED') {
      await recordCategory(deps.sql, {
        runId: request.runId,
        accountId,
        category: result.category,
        phase: 'load',
        status: 'FAILED',
        error: { name: result.error.Error, message: causeMessage(result.error.Cause) },
        snapshotKey: key,
        finishedAt: now,
      });
    }
  }

  const window = { period: snapshot.period, start: snapshot.window.start, end: snapshot.window.end };
  const loadStatuses = await latestLoadStatuses(deps.sql, accountId, window);
  const failed: Array<{ category: string; phase: 'collect' | 'load'; error: string }> = [];
  const letters: DeadLetter[] = [];
  const attempted = new Set(request.results.map((r) => r.category));
  for (const [category, header] of Object.entries(snapshot.categories)) {
    if (header.status === 'FAILED' || header.status === 'PARTIAL') {
      if (header.run_id !== request.runId && !attempted.has(category)) continue;
      const error = header.error ?? { name: 'States.TaskFailed', message: '' };
      failed.push({ category, phase: 'collect', error: `${error.name}: ${error.message}` });
      letters.push({
        runId: header.run_id,
        accountId,
        category,
        phase: 'collect',
        snapshotKey: key,
        error,
        rerun: {
          stateMachine: 'collect',
          input: {
            accountId,
            period: snapshot.period,
            date: snapshot.window.start,
            categories: [category],
            trigger: 'rerun',
          },
        },
      });
    } else if (attempted.has(category) && loadStatuses.get(category) === 'FAILED') {
      const [row] = await deps.sql.query<{ error_name: string | null; error_message: string | null }>(
        `SELECT error_name, error_message FROM run_categories WHERE run_id = :run_id AND account_id = :account_id
           AND category = :category AND phase = 'load'`,
        { run_id: request.runId, account_id: accountId, category },
      );
      const error = { name: row?.error_name ?? 'LoadError', message: row?.error_message ?? '' };
      failed.push({ category, phase: 'load', error: `${error.name}: ${error.message}` });
      letters.push({
        runId: request.runId,
        accountId,
        category,
        phase: 'load',
        snapshotKey: key,
        error,
        rerun: {
          stateMachine: 'load',
          input: { snapshotKey: key.replace(/^loaded\//, 'data/'), categories: [category], trigger: 'rerun' },
        },
      });
    }
  }

  const complete = Object.entries(snapshot.categories).every(
    ([category, header]) =>
      header.status !== 'FAILED' && ['SUCCEEDED', 'SKIPPED'].includes(loadStatuses.get(category) ?? ''),
  );
  let location = key;
  if (complete && key.startsWith('data/')) {
    location = loadedKey(key);
    await deps.blobs.move(key, location);
  }
  for (const letter of letters) await deps.deadLetters.send(letter);
  await settleRun(deps.sql, request.runId, now);

  const loaded = request.results.filter((r) => !r.error).length;
  const status: LoadOutcome = failed.length === 0 ? 'SUCCEEDED' : loaded > 0 ? 'PARTIAL' : 'FAILED';
  deps.metrics.record('all', { CategoriesFailed: failed.length, CategoriesLoaded: loaded });
  const message =
    failed.length === 0
      ? `${accountId}: ${loaded} categories loaded; snapshot at ${location}`
      : `${accountId}: ${failed.length} categor${failed.length === 1 ? 'y' : 'ies'} failed (${failed
          .map((f) => `${f.category} ${f.phase}: ${f.error}`)
          .join('; ')}); snapshot kept at ${location}`;
  return { status, snapshotKey: key, location, loaded, failed, message };
}

/**
 * When `PrepareLoad` rejects a whole snapshot (unreadable, wrong account for its key, unknown version): one
 * dead letter for the snapshot, so it is not silently left behind. Nothing was loaded.
 */
export async function rejectSnapshot(
  deps: Pick<FinalizeDeps, 'deadLetters' | 'log'>,
  input: unknown,
): Promise<FinalizeOutput> {
  const request = parseInput(rejectedInputSchema, input, 'reject');
  const error = { name: request.error.Error, message: causeMessage(request.error.Cause) };
  let accountId = 'unknown';
  try {
    accountId = parseSnapshotKey(request.snapshotKey).accountId;
  } catch (keyError) {
    deps.log.warn('rejected snapshot has an invalid key', { error: describeError(keyError) });
  }
  await deps.deadLetters.send({
    runId: request.runId ?? 'unknown',
    accountId,
    category: '*',
    phase: 'load',
    snapshotKey: request.snapshotKey,
    error,
    rerun: { stateMachine: 'load', input: { snapshotKey: request.snapshotKey, trigger: 'rerun' } },
  });
  return {
    status: 'FAILED',
    snapshotKey: request.snapshotKey,
    location: request.snapshotKey,
    loaded: 0,
    failed: [{ category: '*', phase: 'load', error: `${error.name}: ${error.message}` }],
    message: `snapshot ${request.snapshotKey} rejected: ${error.name}: ${error.message}`,
  };
}

/** The finalize Lambda serves two Task states: a normal finish, and a snapshot rejected by PrepareLoad. */
export function finalizeOrReject(deps: FinalizeDeps, input: unknown): Promise<FinalizeOutput> {
  return (input as { rejected?: boolean } | null)?.rejected
    ? rejectSnapshot(deps, input)
    : finalizeLoad(deps, input);
}
