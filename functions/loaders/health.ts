import type { HealthPayload } from '../collectors/health.ts';
import type { CategoryLoader } from './types.ts';
import { markUnseenRemoved, type UpsertSpec, upsertRows } from './upsert.ts';

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

export const healthLoader: CategoryLoader<HealthPayload> = {
  async load(tx, payload, ctx) {
    const written = await upsertRows(tx, events, healthRows(payload, ctx.accountId), ctx.seenAt);
    // A global category is loaded only when its one collection succeeded: completeRegions is then `all`.
    await markUnseenRemoved(tx, {
      table: events.table,
      accountId: ctx.accountId,
      seenAt: ctx.seenAt,
      regions: ctx.completeRegions,
    });
    return written;
  },
};
