import type { Sql } from '../../ports.ts';
import { accountFilter, dateFilter, type Filters, regionFilter } from '../filters.ts';
import { bars, pivot, reader, shape } from './common.ts';

const BY_ACCOUNT = `
SELECT t.date, t.account_id, max(t.account_name) AS account_name, sum(t.cost) AS cost
FROM view_cost_daily_trend t
WHERE ${accountFilter('t')} AND ${dateFilter('t.date')}
GROUP BY t.date, t.account_id
ORDER BY t.date`;

const BY_SERVICE = `
SELECT t.date, t.service, sum(t.cost) AS cost
FROM view_cost_daily_trend t
WHERE ${accountFilter('t')} AND ${dateFilter('t.date')}
GROUP BY t.date, t.service
ORDER BY t.date`;

const SERVICES = `
SELECT t.service, sum(t.cost) AS cost, count(DISTINCT t.account_id) AS accounts,
       count(DISTINCT t.date) AS days, min(t.currency) AS currency
FROM view_cost_daily_trend t
WHERE ${accountFilter('t')} AND ${dateFilter('t.date')}
GROUP BY t.service
ORDER BY cost DESC
LIMIT 50`;

/** The largest day-over-day changes on the last day of the range. */
const TOP_MOVERS = `
SELECT t.date, t.account_id, t.account_name, t.service, t.cost, t.previous_day_cost, t.cost_change,
       t.cost_change_percentage, t.cost_7day_average
FROM view_cost_daily_trend t
WHERE ${accountFilter('t')} AND t.cost_change IS NOT NULL
  AND t.date = (SELECT max(x.date) FROM view_cost_daily_trend x WHERE ${accountFilter('x')} AND ${dateFilter('x.date')})
ORDER BY abs(t.cost_change) DESC, t.account_id, t.service
LIMIT 15`;

/** Each account's latest forecast (its most recent cost report with forecasts), summed per forecast period. */
const FORECAST = `
WITH latest AS (
  SELECT DISTINCT ON (f.account_id) f.account_id, f.cost_report_id
  FROM view_acct_cost_rep_forecast f
  WHERE ${accountFilter('f')}
  ORDER BY f.account_id, f.date_from DESC, f.cost_report_id DESC
)
SELECT f.period_start, f.period_end, sum(f.amount) AS amount,
       sum(f.prediction_interval_lower_bound) AS lower_bound, sum(f.prediction_interval_upper_bound) AS upper_bound,
       count(DISTINCT f.account_id) AS accounts
FROM view_acct_cost_rep_forecast f
JOIN latest l ON l.account_id = f.account_id AND l.cost_report_id = f.cost_report_id
GROUP BY f.period_start, f.period_end
ORDER BY f.period_start`;

const FORECAST_BY_ACCOUNT = `
SELECT e.account_id, e.account_name, e.forecast_from, e.forecast_to, e.forecast_amount, e.month, e.month_cost
FROM view_executive_summary e
WHERE ${accountFilter('e')} AND e.forecast_amount IS NOT NULL
ORDER BY e.forecast_amount DESC`;

const UTILISATION = `
SELECT r.date, r.reservation_type, round(avg(r.utilization_percentage), 2) AS utilization
FROM view_ri_sp_daily_savings r
WHERE ${accountFilter('r')} AND ${regionFilter('r.region')} AND ${dateFilter('r.date')}
GROUP BY r.date, r.reservation_type
ORDER BY r.date, r.reservation_type`;

const RESERVATIONS = `
SELECT r.account_id, max(r.account_name) AS account_name, r.reservation_type,
       max(coalesce(r.savings_plan_type, r.instance_type)) AS kind, max(r.service) AS service,
       max(r.region) AS region, max(r.state) AS state, max(r.end_date) AS end_date,
       round(avg(r.utilization_percentage), 2) AS utilization, sum(r.net_savings) AS net_savings,
       sum(r.unused_cost) AS unused_cost, count(*) AS days
FROM view_ri_sp_daily_savings r
WHERE ${accountFilter('r')} AND ${regionFilter('r.region')} AND ${dateFilter('r.date')}
GROUP BY r.account_id, r.reservation_id, r.reservation_type
ORDER BY utilization, r.account_id`;

/** Current monthly savings estimates: Compute Optimizer by resource type, Trusted Advisor by category (no region). */
const SAVINGS = `
SELECT 'Compute Optimizer: ' || c.resource_type AS source, sum(c.estimated_monthly_savings_usd) AS savings
FROM view_compute_optimizer c
WHERE ${accountFilter('c')} AND ${regionFilter('c.region')} AND c.estimated_monthly_savings_usd > 0
GROUP BY c.resource_type
UNION ALL
SELECT 'Trusted Advisor: ' || coalesce(t.category, 'other'), sum(t.potential_savings)
FROM view_trusted_advisor_checks t
WHERE ${accountFilter('t')} AND t.resolved_at IS NULL AND t.potential_savings > 0
GROUP BY t.category
ORDER BY savings DESC`;

const RECOMMENDATIONS = `
SELECT c.account_id, c.account_name, c.region, c.resource_type, c.resource_name, c.finding,
       coalesce(c.current_instance_type, c.current_volume_type, CAST(c.current_memory_size AS text)) AS current,
       coalesce(c.recommended_instance_type, c.recommended_volume_type, CAST(c.recommended_memory_size AS text))
         AS recommended,
       c.estimated_monthly_savings_usd AS savings, c.savings_opportunity_percentage AS savings_percentage
FROM view_compute_optimizer c
WHERE ${accountFilter('c')} AND ${regionFilter('c.region')} AND c.estimated_monthly_savings_usd > 0
ORDER BY c.estimated_monthly_savings_usd DESC, c.resource_arn
LIMIT 25`;

export async function costPage(sql: Sql, filters: Filters) {
  const db = reader(sql, filters);
  const [byAccount, byService, services, movers, forecast, forecastByAccount, utilisation, reservations] =
    await Promise.all([
      db.rows(BY_ACCOUNT),
      db.rows(BY_SERVICE),
      db.rows(SERVICES),
      db.rows(TOP_MOVERS),
      db.rows(FORECAST),
      db.rows(FORECAST_BY_ACCOUNT),
      db.rows(UTILISATION),
      db.rows(RESERVATIONS),
    ]);
  const [savings, recommendations] = await Promise.all([db.rows(SAVINGS), db.rows(RECOMMENDATIONS)]);
  const forecastRows = shape(forecast, ['amount', 'lower_bound', 'upper_bound', 'accounts']);
  return {
    costByAccount: pivot(byAccount, 'date', 'account_name', 'cost'),
    costByService: pivot(byService, 'date', 'service', 'cost'),
    services: shape(services, ['cost', 'accounts', 'days']),
    topMovers: shape(movers, [
      'cost',
      'previous_day_cost',
      'cost_change',
      'cost_change_percentage',
      'cost_7day_average',
    ]),
    forecast: {
      labels: forecastRows.map((r) => `${r.period_start} to ${r.period_end}`),
      datasets: [
        { label: 'Forecast', data: forecastRows.map((r) => (r.amount as number | null) ?? 0) },
        { label: 'Lower bound', data: forecastRows.map((r) => (r.lower_bound as number | null) ?? 0) },
        { label: 'Upper bound', data: forecastRows.map((r) => (r.upper_bound as number | null) ?? 0) },
      ],
    },
    forecastByAccount: shape(forecastByAccount, ['forecast_amount', 'month_cost']),
    utilisation: pivot(utilisation, 'date', 'reservation_type', 'utilization'),
    reservations: shape(reservations, ['utilization', 'net_savings', 'unused_cost', 'days']),
    savings: bars(savings, 'source', 'savings', 'Potential monthly savings'),
    recommendations: shape(recommendations, ['savings', 'savings_percentage']),
  };
}
