import type { CloudtrailPayload } from '../collectors/cloudtrail.ts';
import type { Window } from '../platform/period.ts';
import type { CategoryLoader } from './types.ts';
import { markUnseenRemoved, type UpsertSpec, upsertRows } from './upsert.ts';

const trails: UpsertSpec = {
  table: 'cloudtrail_logs',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'name', type: 'text' },
    { name: 'arn', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'home_region', type: 'text' },
    { name: 'is_logging', type: 'boolean' },
    { name: 'is_multi_region', type: 'boolean' },
    { name: 'include_global_events', type: 'boolean' },
    { name: 'is_organization_trail', type: 'boolean' },
    { name: 's3_bucket', type: 'text' },
    { name: 'kms_key_id', type: 'text' },
    { name: 'log_file_validation', type: 'boolean' },
    { name: 'management_events', type: 'boolean' },
    { name: 'data_events', type: 'boolean' },
    { name: 'recent_events_count', type: 'integer' },
    { name: 'recent_events_count_capped', type: 'boolean' },
    { name: 'events_window_start', type: 'date' },
    { name: 'events_window_end', type: 'date' },
    { name: 'latest_delivery_time', type: 'timestamptz' },
    { name: 'latest_delivery_error', type: 'text' },
    { name: 'start_logging_time', type: 'timestamptz' },
    { name: 'stop_logging_time', type: 'timestamptz' },
  ],
  key: ['account_id', 'arn'],
  tracking: 'current-state',
  updatedAt: true,
};

/** Rows of `cloudtrail_logs` for one payload (pure). */
export function cloudtrailRows(payload: CloudtrailPayload, accountId: string, window: Window) {
  return payload.cloudtrail.map((trail) => ({
    account_id: accountId,
    ...trail,
    events_window_start: window.start,
    events_window_end: window.end,
  }));
}

/** The event counts of the account's trails that are of a later window than the one being loaded. */
const LATER_EVENT_COUNTS = `SELECT arn, recent_events_count, recent_events_count_capped,
    CAST(events_window_start AS text) AS events_window_start, CAST(events_window_end AS text) AS events_window_end
  FROM cloudtrail_logs
  WHERE account_id = :account_id AND events_window_end > CAST(:window_end AS date)`;

type EventCounts = Pick<
  ReturnType<typeof cloudtrailRows>[number],
  'recent_events_count' | 'recent_events_count_capped' | 'events_window_start' | 'events_window_end'
>;

/**
 * A trail's configuration is current state, but its event count belongs to a window: a backfill of an older
 * window (collected now) updates the trail and keeps the count of the later window already loaded.
 */
export const cloudtrailLoader: CategoryLoader<CloudtrailPayload> = {
  async load(tx, payload, ctx) {
    const later = new Map(
      (
        await tx.query<EventCounts & { arn: string }>(LATER_EVENT_COUNTS, {
          account_id: ctx.accountId,
          window_end: ctx.window.end,
        })
      ).map(({ arn, ...counts }) => [arn, counts]),
    );
    const rows = cloudtrailRows(payload, ctx.accountId, ctx.window).map((row) => {
      const counts = later.get(row.arn);
      return counts ? { ...row, ...counts } : row;
    });
    const written = await upsertRows(tx, trails, rows, ctx.seenAt);
    await markUnseenRemoved(tx, {
      table: trails.table,
      category: 'cloudtrail',
      accountId: ctx.accountId,
      seenAt: ctx.seenAt,
      regions: ctx.completeRegions,
    });
    return written;
  },
};
