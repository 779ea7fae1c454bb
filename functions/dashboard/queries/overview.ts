import type { Sql } from '../../ports.ts';
import { accountFilter, dateFilter, type Filters, regionFilter } from '../filters.ts';
import { num, reader, round, type Series, severityOrder, shape } from './common.ts';

/** Per account: the executive summary with the cost of the date range (DAILY services rows). */
const ACCOUNTS = `
SELECT e.account_id, e.account_name, e.project_product_name AS product, e.account_customer AS customer,
       e.currency, c.cost AS range_cost, c.days AS range_days, e.month, e.month_cost,
       e.month_over_month_percentage, e.latest_day, e.latest_day_cost, e.forecast_from, e.forecast_to,
       e.forecast_amount, e.open_findings, e.open_critical, e.open_high, e.open_medium, e.open_low,
       e.open_informational, e.compliance_score, e.compliant_rules, e.non_compliant_rules,
       e.patch_compliance_percentage, e.patch_compliant_instances, e.patch_scanned_instances,
       e.potential_monthly_savings
FROM view_executive_summary e
LEFT JOIN (
  SELECT t.account_id, sum(t.cost) AS cost, count(DISTINCT t.date) AS days
  FROM view_cost_daily_trend t
  WHERE ${dateFilter('t.date')}
  GROUP BY t.account_id
) c ON c.account_id = e.account_id
WHERE ${accountFilter('e')}
ORDER BY c.cost DESC NULLS LAST, e.month_cost DESC NULLS LAST, e.account_id`;

const COST_TREND = `
SELECT t.date, sum(t.cost) AS cost
FROM view_cost_daily_trend t
WHERE ${accountFilter('t')} AND ${dateFilter('t.date')}
GROUP BY t.date
ORDER BY t.date`;

const OPEN_FINDINGS = `
SELECT f.severity, count(*) AS findings
FROM view_findings_lifecycle f
WHERE f.is_open AND NOT f.also_in_native_table AND ${accountFilter('f')} AND ${regionFilter('f.region')}
GROUP BY f.severity
ORDER BY ${severityOrder('f.severity')}`;

const COMPLETENESS = `
SELECT coalesce(d.latest_status, 'NEVER RUN') AS status, count(*) AS slices,
       count(*) FILTER (WHERE d.last_loaded_at IS NULL OR d.last_loaded_age_hours > 36) AS stale
FROM view_data_completeness d
WHERE ${accountFilter('d')}
GROUP BY 1
ORDER BY 2 DESC`;

const NUMERIC = [
  'range_cost',
  'range_days',
  'month_cost',
  'month_over_month_percentage',
  'latest_day_cost',
  'forecast_amount',
  'open_findings',
  'open_critical',
  'open_high',
  'open_medium',
  'open_low',
  'open_informational',
  'compliance_score',
  'compliant_rules',
  'non_compliant_rules',
  'patch_compliance_percentage',
  'patch_compliant_instances',
  'patch_scanned_instances',
  'potential_monthly_savings',
];

export async function overviewPage(sql: Sql, filters: Filters) {
  const db = reader(sql, filters);
  const [accountRows, trendRows, findingRows, completenessRows] = await Promise.all([
    db.rows(ACCOUNTS),
    db.rows(COST_TREND),
    db.rows(OPEN_FINDINGS),
    db.rows(COMPLETENESS),
  ]);
  const accounts = shape(accountRows, NUMERIC);
  const sum = (key: string) => round(accounts.reduce((s, a) => s + ((a[key] as number | null) ?? 0), 0));
  const compliant = sum('compliant_rules');
  const nonCompliant = sum('non_compliant_rules');
  const patchScanned = sum('patch_scanned_instances');
  const slices = completenessRows.reduce((s, r) => s + (num(r.slices) ?? 0), 0);
  const succeeded = num(completenessRows.find((r) => r.status === 'SUCCEEDED')?.slices) ?? 0;
  const costTrend: Series = {
    labels: trendRows.map((r) => String(r.date)),
    datasets: [{ label: 'Total cost', data: trendRows.map((r) => round(num(r.cost) ?? 0)) }],
  };
  return {
    kpis: {
      accounts: accounts.length,
      rangeCost: sum('range_cost'),
      latestDayCost: trendRows.length ? round(num(trendRows[trendRows.length - 1]?.cost) ?? 0) : null,
      costChange:
        trendRows.length > 1
          ? round(
              (num(trendRows[trendRows.length - 1]?.cost) ?? 0) -
                (num(trendRows[trendRows.length - 2]?.cost) ?? 0),
            )
          : null,
      monthCost: accounts.some((a) => a.month_cost !== null) ? sum('month_cost') : null,
      forecast: accounts.some((a) => a.forecast_amount !== null) ? sum('forecast_amount') : null,
      openFindings: findingRows.reduce((s, r) => s + (num(r.findings) ?? 0), 0),
      openCritical: num(findingRows.find((r) => r.severity === 'CRITICAL')?.findings) ?? 0,
      complianceScore:
        compliant + nonCompliant > 0 ? round((100 * compliant) / (compliant + nonCompliant)) : null,
      patchCompliance:
        patchScanned > 0 ? round((100 * sum('patch_compliant_instances')) / patchScanned) : null,
      potentialSavings: sum('potential_monthly_savings'),
      completeness: slices > 0 ? round((100 * succeeded) / slices, 1) : null,
      staleSlices: completenessRows.reduce((s, r) => s + (num(r.stale) ?? 0), 0),
    },
    costTrend,
    findingsBySeverity: {
      labels: findingRows.map((r) => String(r.severity)),
      datasets: [{ label: 'Open findings', data: findingRows.map((r) => num(r.findings) ?? 0) }],
    } satisfies Series,
    completeness: {
      labels: completenessRows.map((r) => String(r.status)),
      datasets: [
        { label: 'Account x category slices', data: completenessRows.map((r) => num(r.slices) ?? 0) },
      ],
    } satisfies Series,
    accounts,
  };
}
