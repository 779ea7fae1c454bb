import type { MarketplacePayload } from '../collectors/marketplace.ts';
import { sqlJson } from '../ports.ts';
import type { CategoryLoader } from './types.ts';
import { type UpsertSpec, upsertRows } from './upsert.ts';

const usage: UpsertSpec = {
  table: 'marketplace_usage',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'product_code', type: 'text' },
    { name: 'product_name', type: 'text' },
    { name: 'cost_consumed', type: 'numeric' },
    { name: 'currency', type: 'text' },
    { name: 'period_start', type: 'date' },
    { name: 'period_end', type: 'date' },
    { name: 'period_granularity', type: 'period_granularity_type' },
    { name: 'status', type: 'text' },
  ],
  key: ['account_id', 'product_code', 'period_start', 'period_end'],
  updatedAt: true,
};

/** Rows of `marketplace_usage` for one payload (pure). */
export function marketplaceRows(payload: MarketplacePayload, accountId: string) {
  return payload.products.map((p) => ({
    account_id: accountId,
    product_code: p.product_code,
    product_name: p.product_name,
    cost_consumed: p.cost_consumed,
    currency: p.currency,
    period_start: p.period_start,
    period_end: p.period_end,
    period_granularity: payload.period.granularity,
    status: p.status,
  }));
}

/** The window is replaced whole: its rows of this granularity that the payload no longer has are deleted. */
const DELETE_STALE = `
  DELETE FROM marketplace_usage m
  WHERE m.account_id = :account_id
    AND m.period_granularity = CAST(:granularity AS period_granularity_type)
    AND m.period_start >= CAST(:start AS date) AND m.period_end <= CAST(:end AS date)
    AND NOT EXISTS (
      SELECT 1 FROM jsonb_to_recordset(CAST(:keep AS jsonb))
        AS k(product_code text, period_start date, period_end date)
      WHERE k.product_code = m.product_code AND k.period_start = m.period_start AND k.period_end = m.period_end
    )`;

export const marketplaceLoader: CategoryLoader<MarketplacePayload> = {
  async load(tx, payload, ctx) {
    const rows = marketplaceRows(payload, ctx.accountId);
    const written = await upsertRows(tx, usage, rows);
    await tx.execute(DELETE_STALE, {
      account_id: ctx.accountId,
      granularity: payload.period.granularity,
      start: payload.period.start,
      end: payload.period.end,
      keep: sqlJson(
        rows.map(({ product_code, period_start, period_end }) => ({
          product_code,
          period_start,
          period_end,
        })),
      ),
    });
    return written;
  },
};
