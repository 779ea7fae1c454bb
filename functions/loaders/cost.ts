import type { CostPayload } from '../collectors/cost.ts';
import { sqlJson } from '../ports.ts';
import type { CategoryLoader } from './types.ts';
import { type UpsertSpec, upsertRows } from './upsert.ts';

const REPORT_ID = `(SELECT c.id FROM cost_reports c WHERE c.account_id = r.account_id
  AND c.period_start = r.report_start AND c.period_granularity = r.report_granularity)`;
const REPORT_LOOKUP = [
  { name: 'report_start', type: 'date' },
  { name: 'report_granularity', type: 'period_granularity_type' },
] as const;

const reports: UpsertSpec = {
  table: 'cost_reports',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'period_start', type: 'date' },
    { name: 'period_end', type: 'date' },
    { name: 'period_granularity', type: 'period_granularity_type' },
    { name: 'current_period_cost', type: 'numeric' },
    { name: 'previous_period_cost', type: 'numeric' },
    { name: 'cost_difference', type: 'numeric' },
    { name: 'cost_difference_percentage', type: 'numeric' },
    { name: 'currency', type: 'text' },
    { name: 'estimated', type: 'boolean' },
    { name: 'services_count', type: 'integer' },
    { name: 'forecast_note', type: 'text' },
  ],
  key: ['account_id', 'period_start', 'period_granularity'],
  updatedAt: true,
};

const serviceCosts: UpsertSpec = {
  table: 'service_costs',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'service_name', type: 'text' },
    { name: 'cost', type: 'numeric' },
    { name: 'rank', type: 'integer' },
  ],
  computed: { cost_report_id: REPORT_ID },
  lookupFields: REPORT_LOOKUP.map((f) => ({ ...f })),
  key: ['cost_report_id', 'service_name'],
  updatedAt: true,
};

const forecasts: UpsertSpec = {
  table: 'cost_forecasts',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'period_start', type: 'date' },
    { name: 'period_end', type: 'date' },
    { name: 'amount', type: 'numeric' },
    { name: 'prediction_interval_lower_bound', type: 'numeric' },
    { name: 'prediction_interval_upper_bound', type: 'numeric' },
  ],
  computed: { cost_report_id: REPORT_ID },
  lookupFields: REPORT_LOOKUP.map((f) => ({ ...f })),
  key: ['cost_report_id', 'period_start'],
  updatedAt: true,
};

/** Rows of the three cost tables for one payload (pure). */
export function costRows(payload: CostPayload, accountId: string) {
  const report = { report_start: payload.period.start, report_granularity: payload.period.granularity };
  return {
    report: {
      account_id: accountId,
      period_start: payload.period.start,
      period_end: payload.period.end,
      period_granularity: payload.period.granularity,
      current_period_cost: payload.current_period_cost,
      previous_period_cost: payload.previous_period_cost,
      cost_difference: payload.cost_difference,
      cost_difference_percentage: payload.cost_difference_percentage,
      currency: payload.currency.slice(0, 3),
      estimated: payload.estimated,
      services_count: payload.services_count,
      forecast_note: payload.forecast_note,
    },
    services: payload.top_services.map((s, i) => ({
      account_id: accountId,
      service_name: s.service,
      cost: s.cost,
      rank: i + 1,
      ...report,
    })),
    forecasts: payload.forecast.map((f) => ({
      account_id: accountId,
      period_start: f.period.start,
      period_end: f.period.end,
      amount: f.amount,
      prediction_interval_lower_bound: f.lower_bound,
      prediction_interval_upper_bound: f.upper_bound,
      ...report,
    })),
  };
}

/** Children of this report that the new payload no longer has are deleted: the report is replaced whole. */
const DELETE_STALE = (table: string, column: string) => `
  DELETE FROM ${table} x USING cost_reports c
  WHERE x.cost_report_id = c.id AND c.account_id = :account_id AND c.period_start = CAST(:start AS date)
    AND c.period_granularity = CAST(:granularity AS period_granularity_type)
    AND x.${column}::text NOT IN (SELECT jsonb_array_elements_text(CAST(:keep AS jsonb)))`;

export const costLoader: CategoryLoader<CostPayload> = {
  async load(tx, payload, ctx) {
    const rows = costRows(payload, ctx.accountId);
    let written = await upsertRows(tx, reports, [rows.report]);
    written += await upsertRows(tx, serviceCosts, rows.services);
    written += await upsertRows(tx, forecasts, rows.forecasts);
    const scope = {
      account_id: ctx.accountId,
      start: payload.period.start,
      granularity: payload.period.granularity,
    };
    await tx.execute(DELETE_STALE('service_costs', 'service_name'), {
      ...scope,
      keep: sqlJson(rows.services.map((s) => s.service_name)),
    });
    await tx.execute(DELETE_STALE('cost_forecasts', 'period_start'), {
      ...scope,
      keep: sqlJson(rows.forecasts.map((f) => f.period_start)),
    });
    return written;
  },
};
