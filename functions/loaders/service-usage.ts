import type { ServiceUsagePayload } from '../collectors/service-usage.ts';
import { sqlJson } from '../ports.ts';
import type { CategoryLoader } from './types.ts';
import { type UpsertSpec, upsertRows } from './upsert.ts';

const services: UpsertSpec = {
  table: 'services',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'service', type: 'text' },
    { name: 'usage_types', type: 'text' },
    { name: 'date_from', type: 'date' },
    { name: 'date_to', type: 'date' },
    { name: 'period_granularity', type: 'period_granularity_type' },
    { name: 'cost', type: 'numeric' },
    { name: 'currency', type: 'text' },
    { name: 'utilization', type: 'numeric' },
    { name: 'utilization_unit', type: 'text' },
  ],
  key: ['account_id', 'service', 'usage_types', 'date_from', 'date_to'],
  updatedAt: true,
};

/** Rows of `services` for one payload (pure). */
export function serviceUsageRows(payload: ServiceUsagePayload, accountId: string) {
  return payload.services.map((s) => ({
    account_id: accountId,
    service: s.service,
    usage_types: s.usage_types,
    date_from: s.date_from,
    date_to: s.date_to,
    period_granularity: payload.period.granularity,
    cost: s.cost,
    currency: s.currency,
    utilization: s.utilization,
    utilization_unit: s.utilization_unit,
  }));
}

/** The window is replaced whole: its rows of this granularity that the payload no longer has are deleted. */
const DELETE_STALE = `
  DELETE FROM services s
  WHERE s.account_id = :account_id
    AND s.period_granularity = CAST(:granularity AS period_granularity_type)
    AND s.date_from >= CAST(:start AS date) AND s.date_to <= CAST(:end AS date)
    AND NOT EXISTS (
      SELECT 1 FROM jsonb_to_recordset(CAST(:keep AS jsonb))
        AS k(service text, usage_types text, date_from date, date_to date)
      WHERE k.service = s.service AND k.usage_types = s.usage_types
        AND k.date_from = s.date_from AND k.date_to = s.date_to
    )`;

export const serviceUsageLoader: CategoryLoader<ServiceUsagePayload> = {
  async load(tx, payload, ctx) {
    const rows = serviceUsageRows(payload, ctx.accountId);
    const written = await upsertRows(tx, services, rows);
    await tx.execute(DELETE_STALE, {
      account_id: ctx.accountId,
      granularity: payload.period.granularity,
      start: payload.period.start,
      end: payload.period.end,
      keep: sqlJson(
        rows.map(({ service, usage_types, date_from, date_to }) => ({
          service,
          usage_types,
          date_from,
          date_to,
        })),
      ),
    });
    return written;
  },
};
