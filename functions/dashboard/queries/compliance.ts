import type { Sql } from '../../ports.ts';
import { accountFilter, dateFilter, type Filters, regionFilter } from '../filters.ts';
import { bars, num, reader, round, shape } from './common.ts';

/** Each account and region's latest AWS Config report (of those whose window starts in the date range). */
const REPORTS = `
SELECT DISTINCT ON (r.account_id, r.region)
       r.account_id, r.account_name, r.region, r.date_from, r.date_to, r.compliance_score, r.total_rules,
       r.compliant_rules, r.non_compliant_rules, r.insufficient_data_rules, r.recorder_recording
FROM view_config_reports r
WHERE ${accountFilter('r')} AND ${regionFilter('r.region')} AND ${dateFilter('r.date_from')}
ORDER BY r.account_id, r.region, r.date_to DESC, r.date_from DESC`;

const RULES = `
SELECT n.rule_name, count(*) AS resources, count(DISTINCT n.account_id) AS accounts
FROM view_non_compliant_resources n
WHERE n.removed_at IS NULL AND ${accountFilter('n')} AND ${regionFilter('n.region')}
GROUP BY n.rule_name
ORDER BY resources DESC, n.rule_name
LIMIT 15`;

const RESOURCES = `
SELECT n.account_id, n.account_name, n.region, n.rule_name, n.resource_type, n.resource_id, n.compliance_type,
       n.conformance_pack, n.result_recorded_time, n.first_seen
FROM view_non_compliant_resources n
WHERE n.removed_at IS NULL AND ${accountFilter('n')} AND ${regionFilter('n.region')}
ORDER BY n.result_recorded_time DESC NULLS LAST, n.rule_name, n.resource_id
LIMIT 200`;

const PATCH_STATUS = `
SELECT coalesce(i.patch_compliance, 'NOT SCANNED') AS status, count(*) AS instances
FROM view_inventory_instances i
WHERE ${accountFilter('i')} AND ${regionFilter('i.region')}
GROUP BY 1
ORDER BY 2 DESC`;

const PATCH_BY_ACCOUNT = `
SELECT i.account_id, max(i.account_name) AS account_name, count(*) AS instances,
       count(*) FILTER (WHERE i.patch_compliance = 'COMPLIANT') AS compliant,
       count(*) FILTER (WHERE i.patch_compliance = 'NON_COMPLIANT') AS non_compliant,
       count(*) FILTER (WHERE i.patch_compliance IS NULL) AS not_scanned,
       coalesce(sum(i.missing_count), 0) AS missing_patches,
       coalesce(sum(i.critical_non_compliant_count), 0) AS critical_non_compliant,
       coalesce(sum(i.security_non_compliant_count), 0) AS security_non_compliant,
       round(100.0 * count(*) FILTER (WHERE i.patch_compliance = 'COMPLIANT')
             / nullif(count(*) FILTER (WHERE i.patch_compliance IS NOT NULL), 0), 2) AS compliance_percentage
FROM view_inventory_instances i
WHERE ${accountFilter('i')} AND ${regionFilter('i.region')}
GROUP BY i.account_id
ORDER BY compliance_percentage NULLS LAST, i.account_id`;

export async function compliancePage(sql: Sql, filters: Filters) {
  const db = reader(sql, filters);
  const [reports, rules, resources, patchStatus, patchByAccount] = await Promise.all([
    db.rows(REPORTS),
    db.rows(RULES),
    db.rows(RESOURCES),
    db.rows(PATCH_STATUS),
    db.rows(PATCH_BY_ACCOUNT),
  ]);
  const reportRows = shape(reports, [
    'compliance_score',
    'total_rules',
    'compliant_rules',
    'non_compliant_rules',
    'insufficient_data_rules',
  ]);
  // The score per account: compliant rules over evaluated rules, across its regions' latest reports.
  const perAccount = new Map<string, { compliant: number; nonCompliant: number }>();
  for (const r of reportRows) {
    const name = String(r.account_name ?? r.account_id);
    const a = perAccount.get(name) ?? { compliant: 0, nonCompliant: 0 };
    a.compliant += (r.compliant_rules as number | null) ?? 0;
    a.nonCompliant += (r.non_compliant_rules as number | null) ?? 0;
    perAccount.set(name, a);
  }
  const scored = [...perAccount.entries()].filter(([, a]) => a.compliant + a.nonCompliant > 0);
  const compliant = scored.reduce((s, [, a]) => s + a.compliant, 0);
  const nonCompliant = scored.reduce((s, [, a]) => s + a.nonCompliant, 0);
  const patchAccounts = shape(patchByAccount, [
    'instances',
    'compliant',
    'non_compliant',
    'not_scanned',
    'missing_patches',
    'critical_non_compliant',
    'security_non_compliant',
    'compliance_percentage',
  ]);
  const scanned = patchAccounts.reduce(
    (s, a) => s + ((a.compliant as number) ?? 0) + ((a.non_compliant as number) ?? 0),
    0,
  );
  return {
    kpis: {
      complianceScore:
        compliant + nonCompliant > 0 ? round((100 * compliant) / (compliant + nonCompliant)) : null,
      compliantRules: compliant,
      nonCompliantRules: nonCompliant,
      nonCompliantResources: rules.reduce((s, r) => s + (num(r.resources) ?? 0), 0),
      patchCompliance:
        scanned > 0
          ? round((100 * patchAccounts.reduce((s, a) => s + ((a.compliant as number) ?? 0), 0)) / scanned)
          : null,
      instances: patchAccounts.reduce((s, a) => s + ((a.instances as number) ?? 0), 0),
    },
    scoreByAccount: {
      labels: scored.map(([name]) => name),
      datasets: [
        {
          label: 'Compliance score (%)',
          data: scored.map(([, a]) => round((100 * a.compliant) / (a.compliant + a.nonCompliant))),
        },
      ],
    },
    reports: reportRows,
    nonCompliantByRule: bars(rules, 'rule_name', 'resources', 'Non-compliant resources'),
    nonCompliantResources: shape(resources, []),
    patchStatus: bars(patchStatus, 'status', 'instances', 'Managed instances'),
    patchByAccount: patchAccounts,
  };
}
