import { z } from 'zod';
import { DataContractError, InvalidInputError } from '../platform/errors.ts';
import { PERIODS, type Period, type Window } from '../platform/period.ts';

/**
 * The snapshot: one JSON document per account and window, `data/<account>/<start>_<PERIOD>.json`.
 * Version 1 is documented in README.md ("Snapshot format"). Bump SNAPSHOT_SCHEMA_VERSION on any change a
 * version-1 reader could misread.
 */
export const SNAPSHOT_FORMAT = 'a360.snapshot';
export const SNAPSHOT_SCHEMA_VERSION = 1;

export const CATEGORY_STATUSES = ['SUCCEEDED', 'PARTIAL', 'SKIPPED', 'FAILED'] as const;
export type CategoryStatus = (typeof CATEGORY_STATUSES)[number];

const accountIdSchema = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
const daySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const errorSchema = z.object({ name: z.string(), message: z.string() });

export const regionOutcomeSchema = z.object({
  status: z.enum(['SUCCEEDED', 'SKIPPED', 'FAILED']),
  error: errorSchema.optional(),
});

export const categoryHeaderSchema = z.object({
  status: z.enum(CATEGORY_STATUSES),
  run_id: z.string().min(1),
  attempt: z.number().int().positive(),
  rows: z.number().int().nonnegative(),
  duration_ms: z.number().int().nonnegative(),
  api_calls: z.number().int().nonnegative(),
  throttled: z.number().int().nonnegative(),
  /** Of the API calls, those to Cost Explorer (billed per request); absent in older snapshots. */
  cost_explorer_calls: z.number().int().nonnegative().optional(),
  collected_at: z.iso.datetime(),
  error: errorSchema.nullable(),
  /** Why a SKIPPED category was skipped. */
  reason: z.string().nullable(),
  regions: z.record(z.string(), regionOutcomeSchema).optional(),
});
export type CategoryHeader = z.infer<typeof categoryHeaderSchema>;

export const snapshotSchema = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  schema_version: z.literal(SNAPSHOT_SCHEMA_VERSION),
  account_id: accountIdSchema,
  period: z.enum(PERIODS),
  window: z.object({ start: daySchema, end: daySchema }),
  /** The run that last wrote this snapshot. */
  run_id: z.string().min(1),
  trigger: z.string().min(1),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  categories: z.record(z.string(), categoryHeaderSchema),
  /** Category payloads by category id; each is validated against its category's schema when loaded. */
  data: z.record(z.string(), z.unknown()),
});
export type Snapshot = z.infer<typeof snapshotSchema>;

export function snapshotKey(accountId: string, window: Window): string {
  return `data/${accountId}/${window.start}_${window.period}.json`;
}

export function loadedKey(key: string): string {
  return key.replace(/^data\//, 'loaded/');
}

/** Account first, so a sender's permissions can be scoped to `staging/<its account>/`. */
export function stagingKey(runId: string, accountId: string, category: string): string {
  return `staging/${accountId}/${runId}/${category}.json`;
}

const KEY_RE = /^(data|loaded)\/(\d{12})\/(\d{4}-\d{2}-\d{2})_(DAILY|MONTHLY)\.json$/;

/** The account and window a snapshot key names; senders may only write their own account's keys. */
export function parseSnapshotKey(key: string): { accountId: string; start: string; period: Period } {
  const match = KEY_RE.exec(key);
  if (!match) {
    throw new InvalidInputError(
      `snapshot key must look like data/<12-digit account>/<YYYY-MM-DD>_<DAILY|MONTHLY>.json, got "${key}"`,
    );
  }
  return { accountId: match[2] as string, start: match[3] as string, period: match[4] as Period };
}

/** Formats zod issues as `path: message` lines, naming the field that is wrong. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const path = [prefix, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))]
        .filter(Boolean)
        .join('.')
        .replace(/\.\[/g, '[');
      return `${path || '(root)'}: ${issue.message}`;
    })
    .join('; ')
    .concat(issues.length > 5 ? `; and ${issues.length - 5} more` : '');
}

/** Parses and validates a snapshot document and checks it is stored under its own account and window. */
export function parseSnapshot(text: string, key: string): Snapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DataContractError(`snapshot ${key} is not valid JSON: ${(error as Error).message}`);
  }
  const version = (raw as { schema_version?: unknown } | null)?.schema_version;
  if (version !== undefined && version !== SNAPSHOT_SCHEMA_VERSION) {
    throw new DataContractError(
      `snapshot ${key} has schema_version ${JSON.stringify(version)}; this a360 reads version ${SNAPSHOT_SCHEMA_VERSION}`,
    );
  }
  const parsed = snapshotSchema.safeParse(raw);
  if (!parsed.success) {
    throw new DataContractError(`snapshot ${key} is invalid: ${formatIssues(parsed.error.issues)}`);
  }
  const snapshot = parsed.data;
  const fromKey = parseSnapshotKey(key);
  if (fromKey.accountId !== snapshot.account_id) {
    throw new DataContractError(
      `snapshot ${key} holds account ${snapshot.account_id}, but its key names account ${fromKey.accountId}`,
    );
  }
  if (fromKey.start !== snapshot.window.start || fromKey.period !== snapshot.period) {
    throw new DataContractError(
      `snapshot ${key} holds ${snapshot.period} ${snapshot.window.start}, which does not match its key`,
    );
  }
  return snapshot;
}
