import type { ApplicationSignalsPayload } from '../collectors/application-signals.ts';
import type { CategoryLoader } from './types.ts';
import { markUnseenRemoved, type UpsertSpec, upsertRows } from './upsert.ts';

const services: UpsertSpec = {
  table: 'application_signals',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'service_name', type: 'text' },
    { name: 'environment', type: 'text' },
    { name: 'type', type: 'text' },
    { name: 'namespace', type: 'text' },
    { name: 'key_attributes', type: 'jsonb' },
    { name: 'attribute_map', type: 'jsonb' },
    { name: 'platform_type', type: 'text' },
    { name: 'metric_references', type: 'jsonb' },
    { name: 'service_level_objectives', type: 'jsonb' },
  ],
  key: ['account_id', 'region', 'service_name', 'environment'],
  tracking: 'current-state',
  updatedAt: true,
};

/** Rows of `application_signals` for one payload (pure). */
export function applicationSignalsRows(payload: ApplicationSignalsPayload, accountId: string) {
  return payload.services.map((service) => ({ account_id: accountId, ...service }));
}

export const applicationSignalsLoader: CategoryLoader<ApplicationSignalsPayload> = {
  async load(tx, payload, ctx) {
    const written = await upsertRows(
      tx,
      services,
      applicationSignalsRows(payload, ctx.accountId),
      ctx.seenAt,
    );
    await markUnseenRemoved(tx, {
      table: services.table,
      category: 'application-signals',
      accountId: ctx.accountId,
      seenAt: ctx.seenAt,
      regions: ctx.completeRegions,
    });
    return written;
  },
};
