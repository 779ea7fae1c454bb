-- a360's own analytics views (the seed had none of these): daily cost trend, findings lifecycle, executive
-- summary, data completeness. Each has an example query in README.md (Database, Views).

-- Daily cost per account and service (summed over usage types), from the DAILY rows of `services`, with the
-- day before, the change, and the average of the last seven collected days.
CREATE OR REPLACE VIEW view_cost_daily_trend AS
WITH daily AS (
  SELECT account_id, service, date_from AS date, currency, sum(cost) AS cost
  FROM services
  WHERE period_granularity = 'DAILY'
  GROUP BY account_id, service, date_from, currency
)
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name,
       t.account_id, t.date, t.service, t.currency, t.cost,
       prev.cost AS previous_day_cost,
       t.cost - prev.cost AS cost_change,
       round((t.cost - prev.cost) / nullif(prev.cost, 0) * 100, 4) AS cost_change_percentage,
       avg(t.cost) OVER (PARTITION BY t.account_id, t.service, t.currency ORDER BY t.date
                         RANGE BETWEEN INTERVAL '6 days' PRECEDING AND CURRENT ROW) AS cost_7day_average,
       sum(t.cost) OVER (PARTITION BY t.account_id, t.date, t.currency) AS account_day_cost
FROM daily t
JOIN account_dims d ON d.id = t.account_id
LEFT JOIN daily prev ON prev.account_id = t.account_id AND prev.service = t.service
  AND prev.currency = t.currency AND prev.date = t.date - 1;

-- Every finding of Security Hub, GuardDuty and Inspector with its lifecycle: first_observed_at is when AWS
-- first observed it; first_seen / last_seen when a360 first and last collected it; resolved_at when it left
-- the open state (resolved, suppressed, archived, closed, or no longer reported); age_days the whole days
-- from its first observation to its resolution, or to now while it is open. Security Hub also carries
-- findings of integrated products, GuardDuty and Inspector among them: `product` says which, and
-- `also_in_native_table` marks those whose own service is collected too (counted there).
CREATE OR REPLACE VIEW view_findings_lifecycle AS
WITH lifecycle AS (
  SELECT CAST('Security Hub' AS text) AS source, f.account_id, f.region, f.finding_id, f.product_name AS product,
         f.title, f.severity, f.status, f.resource_type, f.resource_id,
         f.created_at AS first_observed_at, f.updated_at AS last_updated_at,
         f.first_seen, f.last_seen, f.removed_at AS resolved_at,
         (f.product_name = 'GuardDuty' AND EXISTS (SELECT 1 FROM guard_duty_findings g WHERE g.account_id = f.account_id))
           OR (f.product_name = 'Inspector' AND EXISTS (SELECT 1 FROM inspector_findings i WHERE i.account_id = f.account_id))
           AS also_in_native_table
  FROM findings f
  UNION ALL
  SELECT 'GuardDuty', g.account_id, g.region, g.finding_id, 'GuardDuty', g.title, g.severity_label,
         CASE WHEN g.archived THEN 'ARCHIVED' ELSE 'ACTIVE' END, g.resource_type, g.resource_id,
         g.created_at, g.updated_at, g.first_seen, g.last_seen, g.removed_at, false
  FROM guard_duty_findings g
  UNION ALL
  SELECT 'Inspector', i.account_id, i.region, i.finding_arn, 'Inspector', i.title, i.severity, i.status,
         i.resource_type, i.resource_id, i.first_observed_at, coalesce(i.updated_at, i.last_observed_at),
         i.first_seen, i.last_seen, i.removed_at, false
  FROM inspector_findings i
)
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name,
       l.source, l.account_id, l.region, l.finding_id, l.product, l.title, l.severity, l.status,
       l.resource_type, l.resource_id, l.first_observed_at, l.last_updated_at, l.first_seen, l.last_seen,
       l.resolved_at,
       l.resolved_at IS NULL AS is_open,
       floor(extract(epoch FROM coalesce(l.resolved_at, now()) - least(l.first_observed_at, l.first_seen)) / 86400)::integer
         AS age_days,
       l.also_in_native_table
FROM lifecycle l
JOIN account_dims d ON d.id = l.account_id;

-- One row per account: the latest monthly cost and its change on the month before, the latest daily cost,
-- the latest forecast, open findings by severity (Security Hub, GuardDuty, Inspector, each finding once),
-- Config compliance of each region's latest report, patch compliance of the managed nodes, and the current
-- monthly savings estimates of Compute Optimizer and Trusted Advisor (which may overlap).
CREATE OR REPLACE VIEW view_executive_summary AS
WITH monthly AS (
  SELECT DISTINCT ON (account_id) account_id, period_start, currency, current_period_cost,
         previous_period_cost, cost_difference, cost_difference_percentage
  FROM cost_reports
  WHERE period_granularity = 'MONTHLY'
  ORDER BY account_id, period_start DESC
), daily AS (
  SELECT DISTINCT ON (account_id) account_id, period_start, current_period_cost, previous_period_cost
  FROM cost_reports
  WHERE period_granularity = 'DAILY'
  ORDER BY account_id, period_start DESC
), forecast AS (
  -- The latest forecast: the one made on the latest day (forecasts run from the collection day on).
  SELECT DISTINCT ON (account_id) account_id, period_start, period_end, amount
  FROM (
    SELECT account_id, cost_report_id, min(period_start) AS period_start, max(period_end) AS period_end,
           sum(amount) AS amount
    FROM cost_forecasts
    GROUP BY account_id, cost_report_id
  ) per_report
  ORDER BY account_id, period_start DESC, period_end DESC
), open_findings AS (
  SELECT account_id,
         count(*) AS open_findings,
         count(*) FILTER (WHERE severity = 'CRITICAL') AS open_critical,
         count(*) FILTER (WHERE severity = 'HIGH') AS open_high,
         count(*) FILTER (WHERE severity = 'MEDIUM') AS open_medium,
         count(*) FILTER (WHERE severity = 'LOW') AS open_low,
         count(*) FILTER (WHERE severity NOT IN ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW')) AS open_informational
  FROM view_findings_lifecycle
  WHERE is_open AND NOT also_in_native_table
  GROUP BY account_id
), config AS (
  SELECT account_id,
         max(date_to) AS compliance_as_of,
         sum(compliant_rules) AS compliant_rules,
         sum(non_compliant_rules) AS non_compliant_rules
  FROM (
    SELECT DISTINCT ON (account_id, region) account_id, region, date_to, compliant_rules, non_compliant_rules
    FROM config_reports
    ORDER BY account_id, region, date_to DESC, date_from DESC
  ) latest_per_region
  GROUP BY account_id
), non_compliant AS (
  SELECT account_id, count(*) AS open_non_compliant_resources
  FROM non_compliant_resources
  WHERE removed_at IS NULL
  GROUP BY account_id
), patching AS (
  SELECT account_id,
         count(*) FILTER (WHERE patch_compliance IS NOT NULL) AS patch_scanned_instances,
         count(*) FILTER (WHERE patch_compliance = 'COMPLIANT') AS patch_compliant_instances
  FROM inventory_instances
  WHERE removed_at IS NULL
  GROUP BY account_id
)
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name,
       d.id AS account_id,
       coalesce(m.currency, 'USD') AS currency,
       m.period_start AS month,
       m.current_period_cost AS month_cost,
       m.previous_period_cost AS previous_month_cost,
       m.cost_difference AS month_over_month_change,
       m.cost_difference_percentage AS month_over_month_percentage,
       dl.period_start AS latest_day,
       dl.current_period_cost AS latest_day_cost,
       dl.current_period_cost - dl.previous_period_cost AS day_over_day_change,
       f.period_start AS forecast_from,
       f.period_end AS forecast_to,
       f.amount AS forecast_amount,
       coalesce(o.open_findings, 0) AS open_findings,
       coalesce(o.open_critical, 0) AS open_critical,
       coalesce(o.open_high, 0) AS open_high,
       coalesce(o.open_medium, 0) AS open_medium,
       coalesce(o.open_low, 0) AS open_low,
       coalesce(o.open_informational, 0) AS open_informational,
       round(100.0 * c.compliant_rules / nullif(c.compliant_rules + c.non_compliant_rules, 0), 2)
         AS compliance_score,
       c.compliant_rules,
       c.non_compliant_rules,
       c.compliance_as_of,
       coalesce(nc.open_non_compliant_resources, 0) AS open_non_compliant_resources,
       round(100.0 * p.patch_compliant_instances / nullif(p.patch_scanned_instances, 0), 2)
         AS patch_compliance_percentage,
       coalesce(p.patch_compliant_instances, 0) AS patch_compliant_instances,
       coalesce(p.patch_scanned_instances, 0) AS patch_scanned_instances,
       s.compute_optimizer_savings,
       s.trusted_advisor_savings,
       s.potential_monthly_savings
FROM account_dims d
LEFT JOIN monthly m ON m.account_id = d.id
LEFT JOIN daily dl ON dl.account_id = d.id
LEFT JOIN forecast f ON f.account_id = d.id
LEFT JOIN open_findings o ON o.account_id = d.id
LEFT JOIN config c ON c.account_id = d.id
LEFT JOIN non_compliant nc ON nc.account_id = d.id
LEFT JOIN patching p ON p.account_id = d.id
LEFT JOIN account_savings s ON s.account_id = d.id;

-- For every account x category of the ledger: the latest run (its window and status: the worse of its collect
-- and load phases; RUNNING while a collected category waits for its load), and the last successful collection
-- and load with their age. Accounts come from `accounts` and the ledger (an account whose account category
-- never loaded is there too), categories from the ledger.
CREATE OR REPLACE VIEW view_data_completeness AS
WITH slices AS (
  SELECT rc.run_id, rc.account_id, rc.category, r.period, r.window_start, r.window_end,
         max(rc.status) FILTER (WHERE rc.phase = 'collect') AS collect_status,
         max(rc.status) FILTER (WHERE rc.phase = 'load') AS load_status,
         max(CASE rc.status WHEN 'FAILED' THEN 5 WHEN 'PARTIAL' THEN 4 WHEN 'RUNNING' THEN 3
                            WHEN 'SKIPPED' THEN 2 ELSE 1 END) AS severity,
         coalesce(max(rc.finished_at), max(rc.started_at), r.started_at) AS happened_at,
         max(concat_ws(': ', rc.error_name, rc.error_message)) FILTER (WHERE rc.error_name IS NOT NULL) AS error
  FROM run_categories rc
  JOIN runs r ON r.run_id = rc.run_id
  GROUP BY rc.run_id, rc.account_id, rc.category, r.period, r.window_start, r.window_end, r.started_at
), latest AS (
  SELECT DISTINCT ON (account_id, category) *
  FROM slices
  ORDER BY account_id, category, happened_at DESC, run_id DESC
), last_collected AS (
  SELECT account_id, category, max(finished_at) AS collected_at
  FROM run_categories
  WHERE phase = 'collect' AND status = 'SUCCEEDED'
  GROUP BY account_id, category
), last_loaded AS (
  SELECT DISTINCT ON (rc.account_id, rc.category)
         rc.account_id, rc.category, rc.finished_at AS loaded_at, rc.run_id, r.period, r.window_start,
         r.window_end
  FROM run_categories rc
  JOIN runs r ON r.run_id = rc.run_id
  WHERE rc.phase = 'load' AND rc.status = 'SUCCEEDED'
    AND NOT EXISTS (
      SELECT 1 FROM run_categories c
      WHERE c.run_id = rc.run_id AND c.account_id = rc.account_id AND c.category = rc.category
        AND c.phase = 'collect' AND c.status <> 'SUCCEEDED'
    )
  ORDER BY rc.account_id, rc.category, rc.finished_at DESC NULLS LAST
), known_accounts AS (
  SELECT id AS account_id FROM accounts
  UNION
  SELECT account_id FROM run_categories
), categories AS (
  SELECT DISTINCT category FROM run_categories
)
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name,
       k.account_id, c.category,
       l.run_id AS latest_run_id,
       l.period AS latest_period,
       l.window_start AS latest_window_start,
       l.window_end AS latest_window_end,
       CASE
         WHEN l.run_id IS NULL THEN NULL
         WHEN l.load_status IS NULL AND l.collect_status IN ('SUCCEEDED', 'PARTIAL') THEN 'RUNNING'
         ELSE (ARRAY['SUCCEEDED', 'SKIPPED', 'RUNNING', 'PARTIAL', 'FAILED'])[l.severity]
       END AS latest_status,
       l.collect_status AS latest_collect_status,
       l.load_status AS latest_load_status,
       l.error AS latest_error,
       lc.collected_at AS last_collected_at,
       ll.loaded_at AS last_loaded_at,
       ll.run_id AS last_loaded_run_id,
       ll.period AS last_loaded_period,
       ll.window_start AS last_loaded_window_start,
       ll.window_end AS last_loaded_window_end,
       round(extract(epoch FROM now() - ll.loaded_at) / 3600, 1) AS last_loaded_age_hours
FROM known_accounts k
CROSS JOIN categories c
LEFT JOIN account_dims d ON d.id = k.account_id
LEFT JOIN latest l ON l.account_id = k.account_id AND l.category = c.category
LEFT JOIN last_collected lc ON lc.account_id = k.account_id AND lc.category = c.category
LEFT JOIN last_loaded ll ON ll.account_id = k.account_id AND ll.category = c.category;
