import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSchemaFiles, splitStatements } from '../../functions/core/migrate.ts';
import type { Sql } from '../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../support/database.ts';
import {
  ACCOUNTS,
  DAYS,
  FAILING_CATEGORY,
  LAST_DAY,
  MONTH,
  populate,
  RUNS,
  SKIPPED_CATEGORY,
} from './populate.ts';

/** The account columns the seed's views add to a table's rows. */
const DIMS = [
  'account',
  'account_region',
  'account_name',
  'account_type',
  'account_category',
  'account_status',
  'account_partner',
  'account_customer',
  'account_full',
  'project_product_name',
];

const words = (text: string) => text.trim().split(/\s+/);

/** Each of the seed's 42 views with the columns its own definition has (sql/schema/core-view.sql). */
const SEED_VIEWS: Record<string, readonly string[]> = {
  view_accounts: [
    ...words(`id account_id account_name account_email account_status account_arn partner_name customer_name
      joined_method joined_timestamp account_type csp region category created_at updated_at`),
    ...words('account account_category account_partner account_customer account_full project_product_name'),
  ],
  view_contact_info: [
    ...words(`id account_id address_line1 address_line2 address_line3 city country_code postal_code
      state_or_region company_name phone_number website_url full_name created_at updated_at`),
    ...DIMS,
  ],
  view_alternate_contacts: [
    ...words('id account_id contact_type full_name title email phone_number created_at updated_at'),
    ...DIMS,
  ],
  view_acct_serv: [
    ...words(`id account_id service date_from date_to cost currency utilization utilization_unit usage_types
      created_at updated_at`),
    ...DIMS,
  ],
  view_acct_cost_rep: [
    ...words(`id account_id current_period_cost previous_period_cost cost_difference cost_difference_percentage
      potential_monthly_savings anomalies_detected saving_opportunities_count period_start period_end
      period_granularity created_at region date_from date_to`),
    ...DIMS,
  ],
  view_acct_serv_cost: [
    ...words('id cost_report_id service_name cost created_at region date_from date_to'),
    ...DIMS,
  ],
  view_acct_cost_rep_forecast: [
    ...words(`id cost_report_id period_start period_end amount prediction_interval_lower_bound
      prediction_interval_upper_bound created_at region date_from date_to`),
    ...DIMS,
  ],
  view_acct_security: [
    ...words(`id account_id service total_findings critical_count high_count medium_count low_count
      informational_count open_findings resolved_findings created_at updated_at`),
    ...DIMS,
  ],
  view_acct_security_findings_details: [
    ...words(`id security_id finding_id service title description severity status resource_type resource_id
      created_at updated_at recommendation compliance_status region workflow_state record_state product_name
      company_name product_arn generator_id generator`),
    ...DIMS,
  ],
  view_products: [...words('id name owner position description created_at updated_at'), ...DIMS],
  view_product_acct: [...words('id product_id account_id created_at updated_at'), ...DIMS],
  view_acct_products: [...words('id name owner position description created_at updated_at'), ...DIMS],
  view_acct_logs: [
    ...words(`id account_id date_created account_status cost_status service_status security_status config_status
      inventory_status marketplace_status trusted_advisor_status health_status application_status
      resilience_hub_status created_at updated_at acct_status`),
    ...DIMS.filter((c) => c !== 'account_status'),
  ],
  view_acct_log_messages: [...words('id log_id message message_type created_at'), ...DIMS],
  view_config_reports: [
    ...words(`id account_id date_from date_to compliance_score total_rules compliant_rules non_compliant_rules
      curr_non_compliant curr_compliant created_at`),
    ...DIMS,
  ],
  view_non_compliant_resources: [
    ...words(`id config_report_id resource_type resource_id compliance_type rule_name created_at annotation
      evaluation_mode conformance_pack status config_rule_invoked_time`),
    ...DIMS,
  ],
  view_service_resources: [
    ...words(`id account_id service_name resource_type resource_id resource_name region availability_zone state
      instance_type vpc_id engine instance_class multi_az size_gb volume_type creation_date type scheme
      instance_count min_size max_size available_ip_count created_at`),
    ...DIMS,
  ],
  view_service_resources_summary: words(`account_id account_region account_name account_type account_category
    account_status account_partner account_customer service_name resource_type resource_region availability_zone
    resource_count active_resources inactive_resources`),
  view_compute_optimizer: [
    ...words(`id account_id resource_type resource_arn resource_name finding current_instance_type
      current_memory_size current_volume_type current_volume_size recommended_instance_type
      recommended_memory_size recommended_volume_type recommended_volume_size savings_opportunity_percentage
      estimated_monthly_savings_usd performance_risk cpu_utilization_max memory_utilization_avg migration_effort
      created_at`),
    ...DIMS,
  ],
  view_guard_duty_findings: [
    ...words(`id account_id detector_id finding_type severity title description confidence region created_at
      updated_at`),
    ...DIMS,
  ],
  view_kms_keys: [
    ...words(`id account_id key_id arn description key_usage key_state creation_date enabled key_rotation_enabled
      created_at`),
    ...DIMS,
  ],
  view_waf_rules: [
    ...words(`id account_id name waf_id arn scope description default_action rules_count logging_enabled
      geo_blocking_enabled blocked_countries created_at`),
    ...DIMS,
  ],
  view_waf_rules_detailed: [
    ...words(`id account_id web_acl_name rule_name priority action statement_type is_managed_rule is_custom_rule
      rate_limit logging_enabled geo_blocking sql_injection sample_request_enabled cloudwatch_enabled
      has_xss_protection waf_version is_compliant scope created_at updated_at`),
    ...DIMS,
  ],
  view_cloudtrail_logs: [
    ...words(`id account_id name arn is_logging is_multi_region s3_bucket kms_key_id log_file_validation
      latest_delivery_time created_at`),
    ...DIMS,
  ],
  view_secrets_manager_secrets: [
    ...words(`id account_id name arn description created_date last_changed_date rotation_enabled created_at`),
    ...DIMS,
  ],
  view_certificates: [...words('id account_id arn domain_name status type not_after created_at'), ...DIMS],
  view_inspector_findings: [
    ...words('id account_id finding_arn severity status type title description first_observed_at created_at'),
    ...DIMS,
  ],
  view_inventory_instances: [
    ...words(`id account_id instance_id instance_type platform ip_address computer_name ping_status
      last_ping_date_time agent_version created_at platform_type platform_version is_latest_version
      association_status association_execution_date association_success_date`),
    ...DIMS,
  ],
  view_inventory_applications: [
    ...words(`name ii_id ii_account_id ii_instance_id instance_type platform ip_address computer_name ping_status
      last_ping_date_time agent_version platform_type platform_version is_latest_version association_status
      association_execution_date association_success_date ii_created_at`),
    ...DIMS,
  ],
  view_inventory_patches: [
    ...words(`id account_id instance_id title classification severity state installed_time created_at
      instance_name instance_type`),
    ...DIMS,
  ],
  view_marketplace_usage: [
    ...words(`id account_id product_code product_name cost_consumed currency period_start period_end status
      created_at`),
    ...DIMS,
  ],
  view_trusted_advisor_checks: [
    ...words(`id account_id check_name category severity recommendation affected_resources_count
      potential_savings timestamp created_at`),
    ...DIMS,
  ],
  view_health_events: [
    ...words('id account_id arn service event_type_code region start_time end_time status_code created_at'),
    ...DIMS,
  ],
  view_application_signals: [
    ...words('id account_id service_name namespace key_attributes created_at'),
    ...DIMS,
  ],
  view_resilience_hub_apps: [
    ...words(`id account_id app_arn name compliance_status resiliency_score status cost created_at description
      creation_time last_assessment_time rpo rto last_drill`),
    ...DIMS,
  ],
  view_summary:
    words(`account_id account account_region account_name account_type account_category account_status
    account_partner account_customer account_full account_csp number_of_products period_granularity date_from
    date_to current_period_cost previous_period_cost cost_difference cost_difference_percentage potential_savings
    service_count unique_services total_service_cost services_used total_findings open_findings resolved_findings
    critical_findings high_findings medium_findings low_findings security_resolution_rate account_email
    joined_method joined_timestamp account_age_days`),
  view_acct_summary: [
    ...words(`id account_id account_name account_email account_status account_arn partner_name customer_name
      joined_method joined_timestamp account_type csp region category created_at updated_at`),
    ...words(`account account_region account_category account_partner account_customer account_full
      project_product_name latest_cost cost_trend_percentage savings_opportunity security_findings
      critical_findings high_findings instance_count running_instances security_health_score`),
  ],
  view_product_summary:
    words(`account_id account account_region account_name account_full project_product_name
    account_csp account_type account_category account_status account_partner account_customer product_id
    product_owner product_position product_description period_granularity date_from date_to current_period_cost
    previous_period_cost cost_difference cost_difference_percentage potential_savings service_count
    unique_services total_service_cost services_used total_findings open_findings resolved_findings
    critical_findings high_findings medium_findings low_findings security_resolution_rate account_email
    joined_method joined_timestamp account_age_days`),
  view_acct_security_findings_summary: [
    ...DIMS,
    ...words(`service total_findings critical_count high_count medium_count low_count informational_count
      open_findings resolved_findings suppressed_count in_progress_count active_issues region_finding
      resolved_count severity resolution_rate_percent risk_level created_at updated_at`),
  ],
  view_compute_optimizer_summary: [
    ...DIMS,
    ...words(`resource_type finding resource_count total_monthly_savings avg_savings_percentage
      avg_performance_risk not_optimized_count savings_opportunities`),
  ],
  view_acct_support_tickets: [
    ...words(`id account_id case_id display_id subject status severity_code service_code category_code
      time_created submitted_by language date_from date_to created_at updated_at`),
    ...DIMS,
  ],
  view_ri_sp_daily_savings: [
    ...words(`id account_id date_from date_to reservation_type subscription_id offering_id savings_plan_arn service
      instance_type instance_count instance_family instance_tenancy offering_class product_types region
      utilization_percentage on_demand_cost reservation_cost net_savings commitment upfront_cost recurring_cost
      recurring_frequency usage_price currency start_date end_date returnable_until duration_seconds
      offering_type state description created_at updated_at`),
    ...DIMS,
  ],
};

const NEW_VIEWS = [
  'view_executive_summary',
  'view_cost_daily_trend',
  'view_findings_lifecycle',
  'view_data_completeness',
];

/** The example queries of README.md's Views section, as they are written there. */
async function readmeExamples(): Promise<string[]> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Views'), readme.indexOf('## Operating it'));
  return [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) =>
    (m[1] as string).replace(/^ {2}/gm, '').trim(),
  );
}

/** One number from a query whose only column is `n`. */
async function count(sql: Sql, text: string): Promise<number> {
  const [row] = await sql.query<{ n: number | string }>(text);
  return Number(row?.n);
}

describe.each(databaseBackends())('analytics views on $name', (backend) => {
  const db = useDatabase(backend);

  beforeAll(async () => {
    await populate(db.sql);
  }, 300_000);

  it('has the seed’s 42 views', () => {
    expect(Object.keys(SEED_VIEWS)).toHaveLength(42);
  });

  it.each(Object.entries(SEED_VIEWS))(
    '%s answers with a row carrying the seed’s columns',
    async (view, columns) => {
      const rows = await db.sql.query(`SELECT * FROM ${view} LIMIT 1`);
      expect(rows).toHaveLength(1);
      const missing = columns.filter((c) => !Object.hasOwn(rows[0] ?? {}, c));
      expect(missing).toEqual([]);
    },
  );

  it.each(NEW_VIEWS)('%s answers with rows', async (view) => {
    expect(await count(db.sql, `SELECT count(*)::int AS n FROM ${view}`)).toBeGreaterThan(0);
  });

  it('gives every row view the dims of its own account', async () => {
    const rows = await db.sql.query<{ account: string; account_full: string; account_name: string }>(
      `SELECT DISTINCT account, account_full, account_name FROM view_kms_keys ORDER BY account`,
    );
    expect(rows).toHaveLength(ACCOUNTS);
    for (const row of rows) expect(row.account_full).toBe(`${row.account}-${row.account_name}`);
    const [shared] = await db.sql.query<{ project_product_name: string | null }>(
      `SELECT DISTINCT project_product_name FROM view_acct_serv WHERE account_name = 'shared-services'`,
    );
    expect(shared?.project_product_name).toBe('platform');
  });

  describe('the seed’s summaries, fixed', () => {
    it('view_acct_summary gives every account its own latest cost and security figures', async () => {
      expect(await count(db.sql, 'SELECT count(*)::int AS n FROM view_acct_summary')).toBe(ACCOUNTS);
      // Each account's figures are its own: its latest MONTHLY report, the sums of its security rows.
      const wrong = await db.sql.query(
        `SELECT v.account FROM view_acct_summary v
         WHERE v.latest_cost <> (SELECT current_period_cost FROM cost_reports c WHERE c.account_id = v.account
                                   AND c.period_granularity = 'MONTHLY' ORDER BY period_start DESC LIMIT 1)
            OR v.cost_period_granularity <> 'MONTHLY'
            OR v.security_findings <> (SELECT sum(total_findings) FROM security s WHERE s.account_id = v.account)
            OR v.critical_findings <> (SELECT sum(critical_count) FROM security s WHERE s.account_id = v.account)
            OR v.instance_count <> (SELECT count(*) FROM inventory_instances i
                                    WHERE i.account_id = v.account AND i.removed_at IS NULL)`,
      );
      expect(wrong).toEqual([]);
      expect(await count(db.sql, 'SELECT count(DISTINCT latest_cost)::int AS n FROM view_acct_summary')).toBe(
        ACCOUNTS,
      );
      expect(
        await count(db.sql, 'SELECT count(DISTINCT security_findings)::int AS n FROM view_acct_summary'),
      ).toBeGreaterThan(1);
    });

    it('counts account_age_days as the whole age in days', async () => {
      const rows = await db.sql.query<{ age: number; expected: number }>(
        `SELECT account_age_days AS age,
                floor(extract(epoch FROM now() - account_created_at) / 86400)::int AS expected
         FROM view_summary JOIN accounts a ON a.id = view_summary.account_id`,
      );
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.age).toBe(row.expected);
      expect(Math.max(...rows.map((r) => r.age))).toBeGreaterThan(365);
    });

    it('view_summary has each account’s latest report per granularity, with that window’s services', async () => {
      expect(await count(db.sql, 'SELECT count(*)::int AS n FROM view_summary')).toBe(ACCOUNTS * 2);
      const rows = await db.sql.query<{ period_granularity: string; date_from: string }>(
        `SELECT DISTINCT period_granularity::text, date_from::text FROM view_summary ORDER BY 1`,
      );
      expect(rows).toEqual([
        { period_granularity: 'DAILY', date_from: LAST_DAY },
        { period_granularity: 'MONTHLY', date_from: MONTH },
      ]);
      const mismatched = await db.sql.query(
        `SELECT v.account_id, v.period_granularity FROM view_summary v
         WHERE v.total_service_cost <> (SELECT round(sum(s.cost), 2) FROM services s
                                        WHERE s.account_id = v.account_id AND s.date_from = v.date_from
                                          AND s.date_to = v.date_to)
            OR v.total_findings <> (SELECT sum(total_findings) FROM security s WHERE s.account_id = v.account_id)
            OR v.potential_savings <> round(
                 (SELECT coalesce(sum(estimated_monthly_savings_usd), 0) FROM compute_optimizer c
                  WHERE c.account_id = v.account_id AND c.removed_at IS NULL)
               + (SELECT coalesce(sum(potential_savings), 0) FROM trusted_advisor_checks t
                  WHERE t.account_id = v.account_id AND t.removed_at IS NULL AND t.resolved_at IS NULL), 2)`,
      );
      expect(mismatched).toEqual([]);
      // The window's services add up to the report's cost (the seed summed every window ever loaded).
      const off = await db.sql.query(
        `SELECT account_id FROM view_summary WHERE abs(total_service_cost - current_period_cost) > 0.02`,
      );
      expect(off).toEqual([]);
    });

    it('view_product_summary has a row per product link and one per account without a product', async () => {
      const expected = await count(
        db.sql,
        `SELECT (count(DISTINCT pa.id) + count(DISTINCT a.id) FILTER (WHERE pa.id IS NULL))::int * 2 AS n
         FROM accounts a LEFT JOIN product_accounts pa ON pa.account_id = a.id`,
      );
      expect(await count(db.sql, 'SELECT count(*)::int AS n FROM view_product_summary')).toBe(expected);
      expect(
        await count(
          db.sql,
          `SELECT count(*)::int AS n FROM view_product_summary WHERE project_product_name = 'platform'`,
        ),
      ).toBeGreaterThan(0);
    });

    it('view_acct_security_findings_summary counts the findings of the collection it summarises', async () => {
      const wrong = await db.sql.query(
        `SELECT v.account, v.service FROM view_acct_security_findings_summary v
         JOIN security s ON s.account_id = v.account AND s.service = v.service
         WHERE v.suppressed_count <> (SELECT count(*) FROM findings f WHERE f.account_id = s.account_id
                 AND f.product_name = s.service AND f.last_seen = s.collected_at AND f.status = 'SUPPRESSED')
            OR v.in_progress_count <> (SELECT count(*) FROM findings f WHERE f.account_id = s.account_id
                 AND f.product_name = s.service AND f.last_seen = s.collected_at AND f.status = 'NOTIFIED')
            OR v.total_findings <> (SELECT count(*) FROM findings f WHERE f.account_id = s.account_id
                 AND f.product_name = s.service AND f.last_seen = s.collected_at)`,
      );
      expect(wrong).toEqual([]);
      expect(
        await count(
          db.sql,
          'SELECT sum(in_progress_count)::int AS n FROM view_acct_security_findings_summary',
        ),
      ).toBeGreaterThan(0);
    });

    it('summarises inventories as they are now', async () => {
      expect(
        await count(db.sql, 'SELECT sum(resource_count)::int AS n FROM view_service_resources_summary'),
      ).toBe(
        await count(db.sql, 'SELECT count(*)::int AS n FROM service_resources WHERE removed_at IS NULL'),
      );
      const [co] = await db.sql.query<{ view: string; table: string }>(
        `SELECT (SELECT sum(total_monthly_savings) FROM view_compute_optimizer_summary)::text AS view,
                (SELECT sum(estimated_monthly_savings_usd) FROM compute_optimizer WHERE removed_at IS NULL)::text
                  AS table`,
      );
      expect(co?.view).toBe(co?.table);
      for (const [view, table, filter] of [
        ['view_kms_keys', 'kms_keys', 'removed_at IS NULL'],
        ['view_inventory_applications', 'inventory_applications', 'removed_at IS NULL'],
        ['view_guard_duty_findings', 'guard_duty_findings', 'removed_at IS NULL OR archived'],
        [
          'view_acct_security_findings_details',
          'findings',
          `removed_at IS NULL OR status IN ('RESOLVED', 'SUPPRESSED')`,
        ],
      ] as const) {
        expect(await count(db.sql, `SELECT count(*)::int AS n FROM ${view}`), view).toBe(
          await count(db.sql, `SELECT count(*)::int AS n FROM ${table} WHERE ${filter}`),
        );
      }
    });

    it('exposes every application column in view_inventory_applications', async () => {
      const [row] = await db.sql.query(
        'SELECT version, publisher, architecture, application_type, install_time, ii_instance_id FROM view_inventory_applications WHERE version IS NOT NULL LIMIT 1',
      );
      expect(row?.version).toEqual(expect.any(String));
      expect(row?.ii_instance_id).toMatch(/^(i|mi)-/);
    });
  });

  describe('new views', () => {
    it('view_cost_daily_trend: each day’s services add up to the services table, with the day before', async () => {
      const days = await db.sql.query<{ date: string }>(
        `SELECT DISTINCT date::text AS date FROM view_cost_daily_trend ORDER BY 1`,
      );
      expect(days.map((d) => d.date)).toEqual(DAYS);
      const wrong = await db.sql.query(
        `SELECT t.account_id, t.date FROM (
           SELECT account_id, date, sum(cost) AS cost, max(account_day_cost) AS day_cost,
                  min(account_day_cost) AS day_cost_min
           FROM view_cost_daily_trend GROUP BY account_id, date) t
         WHERE t.cost <> (SELECT sum(cost) FROM services s WHERE s.account_id = t.account_id
                            AND s.date_from = t.date AND s.period_granularity = 'DAILY')
            OR t.day_cost <> t.cost OR t.day_cost_min <> t.cost`,
      );
      expect(wrong).toEqual([]);
      const changes = await db.sql.query(
        `SELECT t.account_id FROM view_cost_daily_trend t
         WHERE t.date > CAST(:first AS date)
           AND (t.previous_day_cost IS DISTINCT FROM (SELECT sum(cost) FROM services s
                  WHERE s.account_id = t.account_id AND s.service = t.service AND s.date_from = t.date - 1
                    AND s.period_granularity = 'DAILY')
                OR t.cost_change <> t.cost - t.previous_day_cost)`,
        { first: DAYS[0] },
      );
      expect(changes).toEqual([]);
      const [last] = await db.sql.query<{ cost_7day_average: string; expected: string }>(
        `SELECT round(t.cost_7day_average, 6)::text AS cost_7day_average,
                round((SELECT avg(c) FROM (SELECT sum(cost) AS c FROM services s WHERE s.account_id = t.account_id
                  AND s.service = t.service AND s.period_granularity = 'DAILY' GROUP BY s.date_from) x), 6)::text
                  AS expected
         FROM view_cost_daily_trend t WHERE t.date = CAST(:last AS date) LIMIT 1`,
        { last: LAST_DAY },
      );
      expect(last?.cost_7day_average).toBe(last?.expected);
    });

    it('view_findings_lifecycle has every finding of the three services once, open while not removed', async () => {
      const rows = await db.sql.query<{ source: string; n: number; open: number }>(
        `SELECT source, count(*)::int AS n, count(*) FILTER (WHERE is_open)::int AS open
         FROM view_findings_lifecycle GROUP BY source ORDER BY source`,
      );
      const tables = await db.sql.query<{ source: string; n: number; open: number }>(
        `SELECT 'GuardDuty' AS source, count(*)::int AS n, count(*) FILTER (WHERE removed_at IS NULL)::int AS open
           FROM guard_duty_findings
         UNION ALL SELECT 'Inspector', count(*)::int, count(*) FILTER (WHERE removed_at IS NULL)::int
           FROM inspector_findings
         UNION ALL SELECT 'Security Hub', count(*)::int, count(*) FILTER (WHERE removed_at IS NULL)::int
           FROM findings
         ORDER BY 1`,
      );
      expect(rows).toEqual(tables);
      expect(rows.every((r) => r.n > r.open && r.open > 0)).toBe(true);
      expect(
        await count(
          db.sql,
          `SELECT count(*)::int AS n FROM view_findings_lifecycle
           WHERE age_days < 0 OR first_seen > last_seen OR (resolved_at IS NOT NULL) = is_open`,
        ),
      ).toBe(0);
      // Collected three days running: some findings were first seen before the last day.
      expect(
        await count(
          db.sql,
          `SELECT count(*)::int AS n FROM view_findings_lifecycle WHERE first_seen < last_seen`,
        ),
      ).toBeGreaterThan(0);
    });

    it('view_executive_summary: per account cost, findings, compliance, patching and savings', async () => {
      expect(await count(db.sql, 'SELECT count(*)::int AS n FROM view_executive_summary')).toBe(ACCOUNTS);
      const wrong = await db.sql.query(
        `SELECT e.account_id FROM view_executive_summary e
         WHERE e.month <> CAST(:month AS date) OR e.latest_day <> CAST(:last AS date)
            OR e.month_cost <> (SELECT current_period_cost FROM cost_reports c WHERE c.account_id = e.account_id
                                  AND c.period_granularity = 'MONTHLY' AND c.period_start = e.month)
            OR e.month_over_month_change <> e.month_cost - e.previous_month_cost
            OR e.forecast_amount IS NULL OR e.forecast_amount <= 0
            OR e.open_findings <> e.open_critical + e.open_high + e.open_medium + e.open_low + e.open_informational
            OR e.open_findings <> (SELECT count(*) FROM view_findings_lifecycle l
                                   WHERE l.account_id = e.account_id AND l.is_open AND NOT l.also_in_native_table)
            OR e.open_critical <> (SELECT count(*) FROM view_findings_lifecycle l WHERE l.account_id = e.account_id
                                     AND l.is_open AND NOT l.also_in_native_table AND l.severity = 'CRITICAL')
            OR e.compliant_rules <> (SELECT sum(compliant_rules) FROM config_reports r
                                     WHERE r.account_id = e.account_id AND r.date_from = CAST(:last AS date)
                                       AND r.date_to = CAST(:last AS date) + 1)
            OR e.compliance_score IS NULL OR e.compliance_score NOT BETWEEN 0 AND 100
            OR e.patch_scanned_instances <> (SELECT count(*) FROM inventory_instances i
                                             WHERE i.account_id = e.account_id AND i.removed_at IS NULL
                                               AND i.patch_compliance IS NOT NULL)
            OR e.potential_monthly_savings <> e.compute_optimizer_savings + e.trusted_advisor_savings
            OR e.compute_optimizer_savings <> (SELECT coalesce(sum(estimated_monthly_savings_usd), 0)
                                               FROM compute_optimizer c
                                               WHERE c.account_id = e.account_id AND c.removed_at IS NULL)`,
        { month: MONTH, last: LAST_DAY },
      );
      expect(wrong).toEqual([]);
      // Per account, not one organization-wide figure repeated.
      for (const column of ['month_cost', 'open_findings', 'potential_monthly_savings']) {
        expect(
          await count(db.sql, `SELECT count(DISTINCT ${column})::int AS n FROM view_executive_summary`),
          column,
        ).toBeGreaterThan(1);
      }
      // Findings Security Hub imports from GuardDuty and Inspector are counted once, from their own tables.
      expect(
        await count(
          db.sql,
          `SELECT count(*)::int AS n FROM view_findings_lifecycle
           WHERE source = 'Security Hub' AND product IN ('GuardDuty', 'Inspector') AND also_in_native_table`,
        ),
      ).toBeGreaterThan(0);
    });

    it('view_data_completeness: every account x category with its latest status and last success', async () => {
      const categories = await count(db.sql, 'SELECT count(DISTINCT category)::int AS n FROM run_categories');
      expect(await count(db.sql, 'SELECT count(*)::int AS n FROM view_data_completeness')).toBe(
        ACCOUNTS * categories,
      );
      const statuses = await db.sql.query<{ category: string; latest_status: string; n: number }>(
        `SELECT category, latest_status, count(*)::int AS n FROM view_data_completeness
         WHERE category IN ('kms', 'cost', :failed, :skipped) GROUP BY 1, 2 ORDER BY 1, 2`,
        { failed: FAILING_CATEGORY, skipped: SKIPPED_CATEGORY },
      );
      expect(statuses).toEqual([
        { category: 'cost', latest_status: 'SUCCEEDED', n: ACCOUNTS },
        { category: 'kms', latest_status: 'SUCCEEDED', n: ACCOUNTS },
        { category: 'support-cases', latest_status: 'FAILED', n: ACCOUNTS },
        { category: 'trusted-advisor', latest_status: 'SKIPPED', n: ACCOUNTS },
      ]);
      // The failed and skipped slices keep their last successful load: the last day's run.
      const last = await db.sql.query<{ category: string; run: string; window: string; error: string }>(
        `SELECT DISTINCT category, last_loaded_run_id AS run, last_loaded_window_start::text AS window,
                split_part(latest_error, ':', 1) AS error
         FROM view_data_completeness WHERE category IN (:failed, :skipped) ORDER BY 1`,
        { failed: FAILING_CATEGORY, skipped: SKIPPED_CATEGORY },
      );
      expect(last).toEqual([
        { category: 'support-cases', run: RUNS.daily[2], window: LAST_DAY, error: 'SourceAccessError' },
        {
          category: 'trusted-advisor',
          run: RUNS.daily[2],
          window: LAST_DAY,
          error: 'ServiceNotEnabledError',
        },
      ]);
      const [cost] = await db.sql.query<{ run: string; collected: string; loaded: string; age: string }>(
        `SELECT DISTINCT last_loaded_run_id AS run, last_collected_at::text AS collected,
                last_loaded_at::text AS loaded, (last_loaded_age_hours > 0)::text AS age
         FROM view_data_completeness WHERE category = 'cost'`,
      );
      expect(cost).toMatchObject({ run: RUNS.daily[2], age: 'true' });
      expect(
        await count(
          db.sql,
          `SELECT count(*)::int AS n FROM view_data_completeness
           WHERE latest_status NOT IN ('SUCCEEDED', 'PARTIAL', 'SKIPPED', 'FAILED')
              OR account_name IS NULL OR last_loaded_at IS NULL`,
        ),
      ).toBe(0);
    });
  });

  it('answers the example queries of README.md with rows', async () => {
    const examples = await readmeExamples();
    expect(examples.length).toBeGreaterThanOrEqual(NEW_VIEWS.length);
    for (const query of examples) {
      expect((await db.sql.query(query)).length, query).toBeGreaterThan(0);
    }
  });

  it('re-applies every view file over the populated database, and after a migration adds a column', async () => {
    const files = await readSchemaFiles();
    const apply = async () => {
      for (const file of files.views)
        for (const statement of splitStatements(file.text)) await db.sql.execute(statement);
    };
    await apply();
    await db.sql.execute('ALTER TABLE kms_keys ADD COLUMN a_later_column text');
    await apply();
    const [row] = await db.sql.query('SELECT * FROM view_kms_keys LIMIT 1');
    expect(Object.keys(row ?? {}).at(-1)).toBe('a_later_column');
  });
});
