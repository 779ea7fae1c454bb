import type { HealthPayload } from '../collectors/health.ts';
import type { CategoryLoader } from './types.ts';
import { markRemovedByLaterCollections, type UpsertSpec, upsertRows } from './upsert.ts';

const events: UpsertSpec = {
  table: 'health_events',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'arn', type: 'text' },
    { name: 'service', type: 'text' },
    { name: 'event_type_code', type: 'text' },
    { name: 'event_type_category', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'availability_zone', type: 'text' },
    { name: 'start_time', type: 'timestamptz' },
    { name: 'end_time', type: 'timestamptz' },
    { name: 'last_updated_time', type: 'timestamptz' },
    { name: 'status_code', type: 'text' },
    { name: 'event_scope_code', type: 'text' },
    { name: 'affected_entities_count', type: 'integer' },
    { name: 'affected_entities', type: 'jsonb' },
  ],
  key: ['account_id', 'arn'],
  tracking: 'current-state',
  updatedAt: true,
};

/** Rows of `health_events` for one payload (pure). */
export function healthRows(payload: HealthPayload, accountId: string) {
  return payload.events.map((event) => ({ account_id: accountId, ...event }));
}

/**
 * A collection lists the events open or upcoming now and those updated during its window, so an event it does
 * not list is over only if it was last updated before the window's end: one updated later (known from a later
 * window's load, when an older window is backfilled) may simply be outside this window.
 */
const MARK_UNSEEN_REMOVED = `UPDATE health_events SET removed_at = CAST(:seen_at AS timestamptz)
  WHERE account_id = :account_id AND removed_at IS NULL AND last_seen < CAST(:seen_at AS timestamptz)
    AND last_updated_time < CAST(:window_end AS timestamptz)`;

export const healthLoader: CategoryLoader<HealthPayload> = {
  async load(tx, payload, ctx) {
    const written = await upsertRows(tx, events, healthRows(payload, ctx.accountId), ctx.seenAt);
    // A global category is loaded only when its one collection succeeded: completeRegions is then `all`.
    if (ctx.completeRegions === 'all') {
      await tx.execute(MARK_UNSEEN_REMOVED, {
        account_id: ctx.accountId,
        seen_at: ctx.seenAt,
        window_end: new Date(`${ctx.window.end}T00:00:00Z`),
      });
      await markRemovedByLaterCollections(tx, {
        table: 'health_events',
        category: 'health',
        accountId: ctx.accountId,
        seenAt: ctx.seenAt,
      });
    }
    return written;
  },
};
