import type { Sql } from '../../ports.ts';
import { accountFilter, type Filters, regionFilter } from '../filters.ts';
import { bars, num, pivot, reader, SEVERITIES, severityOrder, shape } from './common.ts';

const BY_SEVERITY_ORDER = { order: SEVERITIES, limit: 10 };

/** Open findings of Security Hub, GuardDuty and Inspector, each counted once (view_findings_lifecycle). */
const OPEN = (alias: string) =>
  `${alias}.is_open AND NOT ${alias}.also_in_native_table AND ${accountFilter(alias)} AND ${regionFilter(`${alias}.region`)}`;

const BY_SEVERITY = `
SELECT f.severity, count(*) AS findings
FROM view_findings_lifecycle f
WHERE ${OPEN('f')}
GROUP BY f.severity
ORDER BY ${severityOrder('f.severity')}`;

const BY_SERVICE = `
SELECT f.product, f.severity, count(*) AS findings
FROM view_findings_lifecycle f
WHERE ${OPEN('f')}
GROUP BY f.product, f.severity
ORDER BY f.product, ${severityOrder('f.severity')}`;

const BY_ACCOUNT = `
SELECT f.account_name, f.severity, count(*) AS findings
FROM view_findings_lifecycle f
WHERE ${OPEN('f')}
GROUP BY f.account_name, f.severity
ORDER BY f.account_name, ${severityOrder('f.severity')}`;

const AGEING = `
SELECT CASE WHEN f.age_days <= 7 THEN 1 WHEN f.age_days <= 30 THEN 2 WHEN f.age_days <= 90 THEN 3
            WHEN f.age_days <= 365 THEN 4 ELSE 5 END AS bucket,
       f.severity, count(*) AS findings
FROM view_findings_lifecycle f
WHERE ${OPEN('f')}
GROUP BY 1, f.severity
ORDER BY 1, ${severityOrder('f.severity')}`;

const AGE_BUCKETS = ['0-7 days', '8-30 days', '31-90 days', '91-365 days', 'over a year'];

const AGE_BY_SOURCE = `
SELECT f.source, count(*) AS open_findings, round(avg(f.age_days)) AS average_age_days,
       max(f.age_days) AS oldest_days,
       count(*) FILTER (WHERE f.severity IN ('CRITICAL', 'HIGH')) AS critical_or_high
FROM view_findings_lifecycle f
WHERE ${OPEN('f')}
GROUP BY f.source
ORDER BY f.source`;

const GUARDDUTY = `
SELECT g.finding_type, g.severity_label AS severity, count(*) AS findings,
       count(DISTINCT g.account_id) AS accounts, max(g.updated_at) AS last_updated
FROM view_guard_duty_findings g
WHERE NOT g.archived AND g.removed_at IS NULL AND ${accountFilter('g')} AND ${regionFilter('g.region')}
GROUP BY g.finding_type, g.severity_label
ORDER BY ${severityOrder('g.severity_label')}, findings DESC, g.finding_type
LIMIT 25`;

const INSPECTOR = `
SELECT coalesce(i.vulnerability_id, i.title) AS vulnerability, i.package_name, i.severity,
       max(i.fix_available) AS fix_available, count(*) AS findings,
       count(DISTINCT i.resource_id) AS resources, max(i.inspector_score) AS inspector_score
FROM view_inspector_findings i
WHERE i.status = 'ACTIVE' AND i.removed_at IS NULL AND ${accountFilter('i')} AND ${regionFilter('i.region')}
GROUP BY 1, i.package_name, i.severity
ORDER BY ${severityOrder('i.severity')}, findings DESC, 1
LIMIT 25`;

/** Customer managed keys that support rotation and do not rotate (keys pending deletion left out). */
const KEYS = `
SELECT k.account_id, k.account_name, k.region, k.key_id,
       (SELECT string_agg(a, ', ') FROM jsonb_array_elements_text(k.aliases) a) AS aliases, k.key_state,
       k.key_spec, k.creation_date
FROM view_kms_keys k
WHERE k.key_manager = 'CUSTOMER' AND k.rotation_supported AND NOT coalesce(k.key_rotation_enabled, false)
  AND k.key_state NOT IN ('PendingDeletion', 'PendingReplicaDeletion')
  AND ${accountFilter('k')} AND ${regionFilter('k.region')}
ORDER BY k.creation_date, k.key_id`;

/** Certificates that expired or expire within 60 days. */
const CERTIFICATES = `
SELECT c.account_id, c.account_name, c.region, c.domain_name, c.type, c.status, c.not_after,
       floor(extract(epoch FROM c.not_after - now()) / 86400) AS days_left, c.renewal_eligibility,
       c.in_use_by IS NOT NULL AND CAST(c.in_use_by AS text) NOT IN ('[]', '{}', 'null') AS in_use
FROM view_certificates c
WHERE c.not_after IS NOT NULL AND c.not_after < now() + INTERVAL '60 days'
  AND ${accountFilter('c')} AND ${regionFilter('c.region')}
ORDER BY c.not_after, c.domain_name
LIMIT 100`;

/** Web ACLs and the checks they pass: logging, a rate-based rule, a managed rule group. */
const WAF = `
SELECT w.account_id, w.account_name, w.name, w.scope, w.region, w.logging_enabled,
       w.rate_limit_rules_count, w.managed_rules_count, w.rules_count, w.associated_resources_count,
       coalesce(w.logging_enabled, false) AND w.rate_limit_rules_count > 0 AND w.managed_rules_count > 0
         AS compliant
FROM view_waf_rules w
WHERE ${accountFilter('w')} AND ${regionFilter('w.region')}
ORDER BY compliant, w.account_name, w.name`;

export async function securityPage(sql: Sql, filters: Filters) {
  const db = reader(sql, filters);
  const [severity, service, account, ageing, ageBySource, guardDuty, inspector, keys, certificates, waf] =
    await Promise.all([
      db.rows(BY_SEVERITY),
      db.rows(BY_SERVICE),
      db.rows(BY_ACCOUNT),
      db.rows(AGEING),
      db.rows(AGE_BY_SOURCE),
      db.rows(GUARDDUTY),
      db.rows(INSPECTOR),
      db.rows(KEYS),
      db.rows(CERTIFICATES),
      db.rows(WAF),
    ]);
  const wafRows = shape(waf, [
    'rate_limit_rules_count',
    'managed_rules_count',
    'rules_count',
    'associated_resources_count',
  ]);
  const count = (predicate: (r: (typeof wafRows)[number]) => boolean) => wafRows.filter(predicate).length;
  const certificateRows = shape(certificates, ['days_left']);
  return {
    kpis: {
      openFindings: severity.reduce((s, r) => s + (num(r.findings) ?? 0), 0),
      critical: num(severity.find((r) => r.severity === 'CRITICAL')?.findings) ?? 0,
      high: num(severity.find((r) => r.severity === 'HIGH')?.findings) ?? 0,
      keysWithoutRotation: keys.length,
      certificatesExpiring: certificateRows.filter((c) => ((c.days_left as number | null) ?? -1) >= 0).length,
      certificatesExpired: certificateRows.filter((c) => ((c.days_left as number | null) ?? 0) < 0).length,
      webAcls: wafRows.length,
      webAclsNonCompliant: count((r) => !r.compliant),
    },
    bySeverity: bars(severity, 'severity', 'findings', 'Open findings'),
    byService: pivot(service, 'product', 'severity', 'findings', BY_SEVERITY_ORDER),
    byAccount: pivot(account, 'account_name', 'severity', 'findings', BY_SEVERITY_ORDER),
    ageing: (() => {
      const series = pivot(ageing, 'bucket', 'severity', 'findings', BY_SEVERITY_ORDER);
      return { ...series, labels: series.labels.map((b) => AGE_BUCKETS[Number(b) - 1] ?? b) };
    })(),
    ageBySource: shape(ageBySource, ['open_findings', 'average_age_days', 'oldest_days', 'critical_or_high']),
    guardDuty: shape(guardDuty, ['findings', 'accounts']),
    inspector: shape(inspector, ['findings', 'resources', 'inspector_score']),
    keysWithoutRotation: shape(keys, []),
    certificates: certificateRows,
    waf: wafRows,
    wafChecks: {
      labels: ['Logging enabled', 'Rate-based rule', 'Managed rule group', 'All three'],
      datasets: [
        {
          label: 'Pass',
          data: [
            count((r) => r.logging_enabled === true),
            count((r) => ((r.rate_limit_rules_count as number | null) ?? 0) > 0),
            count((r) => ((r.managed_rules_count as number | null) ?? 0) > 0),
            count((r) => r.compliant === true),
          ],
        },
        {
          label: 'Fail',
          data: [
            count((r) => r.logging_enabled !== true),
            count((r) => ((r.rate_limit_rules_count as number | null) ?? 0) === 0),
            count((r) => ((r.managed_rules_count as number | null) ?? 0) === 0),
            count((r) => r.compliant !== true),
          ],
        },
      ],
    },
  };
}
