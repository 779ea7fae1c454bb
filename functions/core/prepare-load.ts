import { z } from 'zod';
import { InvalidInputError } from '../platform/errors.ts';
import type { Window } from '../platform/period.ts';
import type { BlobStore, Clock, Log, Sql } from '../ports.ts';
import { loadedKey, parseSnapshot, type Snapshot } from '../snapshot/snapshot.ts';
import { parseInput } from './input.ts';
import { recordCategory, upsertRun } from './ledger.ts';
import { ensureSchema } from './migrate.ts';

export interface LoadDeps {
  readonly blobs: BlobStore;
  readonly sql: Sql;
  readonly clock: Clock;
  readonly log: Log;
}

export const loadInputSchema = z.object({
  snapshotKey: z.string().min(1),
  /** Only these categories (a reload); default: every category of the snapshot. */
  categories: z.array(z.string()).min(1).optional(),
  /** The run the load is recorded under; default: the run that last wrote the snapshot. */
  runId: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,80}$/)
    .optional(),
  trigger: z.string().optional(),
});

export interface LoadPlan {
  readonly runId: string;
  readonly trigger: string;
  readonly accountId: string;
  readonly snapshotKey: string;
  readonly window: Window;
  /** What the Map loads: categories collected SUCCEEDED, PARTIAL or SKIPPED. */
  readonly items: ReadonlyArray<{ readonly category: string }>;
  /** Categories whose collection FAILED: nothing to load, but the run is incomplete. */
  readonly collectFailed: readonly string[];
}

/** Reads a snapshot from `data/` or, for a reload, `loaded/`. */
export async function readSnapshot(
  blobs: BlobStore,
  key: string,
): Promise<{ snapshot: Snapshot; key: string }> {
  for (const candidate of key.startsWith('loaded/') ? [key] : [key, loadedKey(key)]) {
    const text = await blobs.get(candidate);
    if (text !== undefined) return { snapshot: parseSnapshot(text, candidate), key: candidate };
  }
  throw new InvalidInputError(`no snapshot at ${blobs.location}/${key}`);
}

export function windowOf(snapshot: Snapshot): Window {
  return { period: snapshot.period, start: snapshot.window.start, end: snapshot.window.end };
}

/**
 * The first state of `load`: validates the snapshot envelope (account, window, version), brings the schema up
 * to date, registers the run and the account, and records the collection outcome of each category in the
 * ledger (the collectors have no database access; the snapshot header carries what they measured).
 */
export async function prepareLoad(deps: LoadDeps, input: unknown): Promise<LoadPlan> {
  const request = parseInput(loadInputSchema, input, 'load');
  const { snapshot, key } = await readSnapshot(deps.blobs, request.snapshotKey);
  const present = Object.keys(snapshot.categories);
  const requested = request.categories ?? present;
  const missing = requested.filter((c) => !present.includes(c));
  if (missing.length > 0) {
    throw new InvalidInputError(
      `snapshot ${key} has no ${missing.join(', ')}; it holds ${present.join(', ')}`,
    );
  }
  await ensureSchema(deps.sql);
  const window = windowOf(snapshot);
  const runId = request.runId ?? snapshot.run_id;
  const trigger = request.trigger ?? snapshot.trigger;

  await deps.sql.transaction(async (tx) => {
    await tx.execute(
      `INSERT INTO accounts (id, account_name) VALUES (:id, :name) ON CONFLICT (id) DO NOTHING`,
      { id: snapshot.account_id, name: snapshot.account_id },
    );
    const collectRuns = new Map<string, Date>();
    for (const category of requested) {
      const header = snapshot.categories[category];
      if (!header) continue;
      const at = new Date(header.collected_at);
      const earliest = collectRuns.get(header.run_id);
      if (!earliest || at < earliest) collectRuns.set(header.run_id, at);
    }
    if (!collectRuns.has(runId)) collectRuns.set(runId, deps.clock.now());
    for (const [id, startedAt] of collectRuns) {
      await upsertRun(tx, {
        runId: id,
        trigger: id === runId ? trigger : snapshot.trigger,
        window,
        startedAt,
      });
    }
    for (const category of requested) {
      const header = snapshot.categories[category];
      if (!header) continue;
      const collectedAt = new Date(header.collected_at);
      await recordCategory(tx, {
        runId: header.run_id,
        accountId: snapshot.account_id,
        category,
        phase: 'collect',
        status: header.status,
        rows: header.rows,
        apiCalls: header.api_calls,
        throttled: header.throttled,
        costExplorerCalls: header.cost_explorer_calls ?? 0,
        durationMs: header.duration_ms,
        error:
          header.error ?? (header.reason ? { name: 'ServiceNotEnabledError', message: header.reason } : null),
        attempt: header.attempt,
        snapshotKey: key,
        ...(header.regions ? { regions: header.regions } : {}),
        startedAt: collectedAt,
        finishedAt: new Date(collectedAt.getTime() + header.duration_ms),
      });
    }
  });

  return {
    runId,
    trigger,
    accountId: snapshot.account_id,
    snapshotKey: key,
    window,
    items: requested
      .filter((c) => snapshot.categories[c]?.status !== 'FAILED')
      .map((category) => ({ category })),
    collectFailed: requested.filter((c) => snapshot.categories[c]?.status === 'FAILED'),
  };
}
