import { z } from 'zod';
import { describeError } from '../platform/errors.ts';
import { PERIODS } from '../platform/period.ts';
import type { BlobStore, Clock, Log } from '../ports.ts';
import {
  type CategoryHeader,
  type CategoryStatus,
  loadedKey,
  parseSnapshot,
  SNAPSHOT_FORMAT,
  SNAPSHOT_SCHEMA_VERSION,
  type Snapshot,
  stagingKey,
} from '../snapshot/snapshot.ts';
import { stagedPartSchema } from './collect-category.ts';
import { parseInput } from './input.ts';

export interface MergeDeps {
  readonly blobs: BlobStore;
  readonly clock: Clock;
  readonly log: Log;
}

/** A collection result as the state machine hands it over: the task's output, or what its Catch recorded. */
const resultSchema = z.object({
  category: z.string(),
  status: z.string(),
  /** Set by the Catch of a failed collection: Step Functions' `{ Error, Cause }`. */
  error: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
});

const mergeInputSchema = z.object({
  runId: z.string().min(1),
  trigger: z.string().min(1),
  accountId: z.string().regex(/^\d{12}$/),
  window: z.object({ period: z.enum(PERIODS), start: z.string(), end: z.string() }),
  snapshotKey: z.string().min(1),
  startedAt: z.string(),
  results: z.array(resultSchema),
});

export interface MergeOutput {
  readonly snapshotKey: string;
  readonly accountId: string;
  readonly runId: string;
  readonly trigger: string;
  /** The categories of this run, in run order: what the following load should load. */
  readonly categories: readonly string[];
  readonly statuses: Readonly<Record<string, CategoryStatus>>;
  readonly failed: number;
}

/**
 * Merges the staged parts of a run into the account's snapshot for the window. Categories of an earlier run
 * that this run did not collect are kept, so a rerun of one category completes the snapshot instead of
 * replacing it.
 */
export async function mergeSnapshot(deps: MergeDeps, input: unknown): Promise<MergeOutput> {
  const request = parseInput(mergeInputSchema, input, 'merge');
  const now = deps.clock.now().toISOString();
  const existing = await readExisting(deps, request.snapshotKey);
  const snapshot: Snapshot = existing ?? {
    format: SNAPSHOT_FORMAT,
    schema_version: SNAPSHOT_SCHEMA_VERSION,
    account_id: request.accountId,
    period: request.window.period,
    window: { start: request.window.start, end: request.window.end },
    run_id: request.runId,
    trigger: request.trigger,
    created_at: now,
    updated_at: now,
    categories: {},
    data: {},
  };
  snapshot.run_id = request.runId;
  snapshot.trigger = request.trigger;
  snapshot.updated_at = now;

  const statuses: Record<string, CategoryStatus> = {};
  for (const result of request.results) {
    const partKey = stagingKey(request.runId, request.accountId, result.category);
    const text = await deps.blobs.get(partKey);
    const part = text === undefined ? undefined : stagedPartSchema.safeParse(JSON.parse(text));
    let header: CategoryHeader;
    let payload: unknown = null;
    if (part?.success && part.data.header.run_id === request.runId) {
      header = part.data.header;
      payload = part.data.payload;
      // The staged part is the last attempt that got to write; a Catch after it (a timeout) overrules it.
      if (result.error && header.status !== 'FAILED') header = failedHeader(request, result.error, header);
    } else {
      header = failedHeader(request, result.error ?? { Error: 'States.TaskFailed', Cause: 'no staged part' });
    }
    snapshot.categories[result.category] = header;
    if (payload === null) delete snapshot.data[result.category];
    else snapshot.data[result.category] = payload;
    statuses[result.category] = header.status;
  }

  await deps.blobs.put(request.snapshotKey, `${JSON.stringify(snapshot)}\n`);
  for (const result of request.results) {
    await deps.blobs.delete(stagingKey(request.runId, request.accountId, result.category));
  }
  return {
    snapshotKey: request.snapshotKey,
    accountId: request.accountId,
    runId: request.runId,
    trigger: request.trigger,
    categories: request.results.map((r) => r.category),
    statuses,
    failed: Object.values(statuses).filter((s) => s === 'FAILED').length,
  };
}

function failedHeader(
  request: z.infer<typeof mergeInputSchema>,
  error: { Error: string; Cause?: string | undefined },
  staged?: CategoryHeader,
): CategoryHeader {
  return {
    status: 'FAILED',
    run_id: request.runId,
    attempt: staged?.attempt ?? 1,
    rows: 0,
    duration_ms: staged?.duration_ms ?? 0,
    api_calls: staged?.api_calls ?? 0,
    throttled: staged?.throttled ?? 0,
    collected_at: staged?.collected_at ?? request.startedAt,
    error: { name: error.Error, message: causeMessage(error.Cause) },
    reason: null,
  };
}

/** Lambda failures arrive with a JSON Cause (`{"errorType","errorMessage",...}`); keep its message. */
export function causeMessage(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // a plain-text cause
  }
  return cause;
}

/**
 * The snapshot to merge into: the pending one in `data/`, else the loaded one (a rerun after a complete load).
 * A snapshot that no longer parses is set aside under `quarantine/` rather than overwritten.
 */
async function readExisting(deps: MergeDeps, key: string): Promise<Snapshot | undefined> {
  for (const candidate of [key, loadedKey(key)]) {
    const text = await deps.blobs.get(candidate);
    if (text === undefined) continue;
    try {
      return parseSnapshot(text, candidate);
    } catch (error) {
      const quarantine = `quarantine/${candidate}.${deps.clock.now().getTime()}`;
      deps.log.warn('existing snapshot is invalid; set aside', {
        key: candidate,
        quarantine,
        error: describeError(error),
      });
      await deps.blobs.move(candidate, quarantine);
    }
  }
  return undefined;
}
