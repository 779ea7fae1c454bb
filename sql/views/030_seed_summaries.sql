-- The original system's summary views, under the same names and columns, with its errors fixed:
--
-- * view_acct_summary gives every account its own latest cost report and security counts (the seed joined
--   subqueries with a global ORDER BY ... LIMIT 1, so at most one account got any), and its latest MONTHLY
--   report when it has one, else its latest report (cost_period_granularity and cost_period_start say which).
-- * account_age_days is the whole age in days (the seed took the day-of-month part of AGE()), counted from the
--   account's creation (from when it joined the organization when its creation date is unknown).
-- * Service figures in view_summary / view_product_summary are those of the cost report's own window: the
--   seed summed every services row ever loaded, so DAILY and MONTHLY rows of the same days added up.
-- * Savings (potential_savings, savings_opportunity) are the current Compute Optimizer and Trusted Advisor
--   estimates of monthly savings: cost_reports.potential_monthly_savings is never filled (the seed's was not
--   either). The two sources can overlap (both may recommend rightsizing the same instance).
-- * Summaries over inventories count what exists now (removed_at IS NULL).

-- Per account: current monthly savings estimates of Compute Optimizer and Trusted Advisor.
CREATE OR REPLACE VIEW account_savings AS
SELECT a.id AS account_id,
       coalesce(co.savings, 0) AS compute_optimizer_savings,
       coalesce(ta.savings, 0) AS trusted_advisor_savings,
       coalesce(co.savings, 0) + coalesce(ta.savings, 0) AS potential_monthly_savings
FROM accounts a
LEFT JOIN (
  SELECT account_id, sum(estimated_monthly_savings_usd) AS savings
  FROM compute_optimizer
  WHERE removed_at IS NULL
  GROUP BY account_id
) co ON co.account_id = a.id
LEFT JOIN (
  SELECT account_id, sum(potential_savings) AS savings
  FROM trusted_advisor_checks
  WHERE removed_at IS NULL AND resolved_at IS NULL
  GROUP BY account_id
) ta ON ta.account_id = a.id;

-- 18: resources present now, per account, service, type, region and zone.
CREATE OR REPLACE VIEW view_service_resources_summary AS
SELECT d.id AS account_id, d.account_region, d.account_name, d.account_type, d.account_category,
       d.account_status, d.account_partner, d.account_customer, d.account_full, d.project_product_name,
       sr.service_name, sr.resource_type, sr.region AS resource_region, sr.availability_zone,
       count(*) AS resource_count,
       count(*) FILTER (WHERE sr.state IN ('running', 'available', 'in-use', 'active', 'Active')) AS active_resources,
       count(*) FILTER (WHERE sr.state IN ('stopped', 'Inactive')) AS inactive_resources
FROM service_resources sr
JOIN account_dims d ON d.id = sr.account_id
WHERE sr.removed_at IS NULL
GROUP BY d.id, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
         d.account_partner, d.account_customer, d.account_full, d.project_product_name,
         sr.service_name, sr.resource_type, sr.region, sr.availability_zone;

-- The figures view_summary and view_product_summary share: per account, its latest cost report of each
-- granularity with the services of that report's window, the security counts, products and savings.
CREATE OR REPLACE VIEW account_period_summary AS
WITH latest_report AS (
  SELECT DISTINCT ON (account_id, period_granularity)
         account_id, period_granularity, period_start, period_end, currency, current_period_cost,
         previous_period_cost, cost_difference, cost_difference_percentage
  FROM cost_reports
  ORDER BY account_id, period_granularity, period_start DESC
), service_totals AS (
  SELECT account_id, period_granularity, date_from, date_to,
         count(*) AS service_count,
         count(DISTINCT service) AS unique_services,
         sum(cost) AS total_service_cost,
         string_agg(DISTINCT service, ', ' ORDER BY service) AS services_used
  FROM services
  GROUP BY account_id, period_granularity, date_from, date_to
), security_totals AS (
  SELECT account_id,
         sum(total_findings) AS total_findings,
         sum(open_findings) AS open_findings,
         sum(resolved_findings) AS resolved_findings,
         sum(critical_count) AS critical_findings,
         sum(high_count) AS high_findings,
         sum(medium_count) AS medium_findings,
         sum(low_count) AS low_findings
  FROM security
  GROUP BY account_id
)
SELECT a.id AS account_id,
       (SELECT count(DISTINCT pa.product_id) FROM product_accounts pa WHERE pa.account_id = a.id)
         AS number_of_products,
       cr.period_granularity,
       cr.period_start AS date_from,
       cr.period_end AS date_to,
       cr.currency,
       round(cr.current_period_cost, 2) AS current_period_cost,
       round(cr.previous_period_cost, 2) AS previous_period_cost,
       round(cr.cost_difference, 2) AS cost_difference,
       round(cr.cost_difference_percentage, 4) AS cost_difference_percentage,
       round(sv.potential_monthly_savings, 2) AS potential_savings,
       st.service_count,
       st.unique_services,
       round(st.total_service_cost, 2) AS total_service_cost,
       st.services_used,
       sec.total_findings,
       sec.open_findings,
       sec.resolved_findings,
       sec.critical_findings,
       sec.high_findings,
       sec.medium_findings,
       sec.low_findings,
       round(sec.resolved_findings::numeric / nullif(sec.total_findings, 0), 4) AS security_resolution_rate,
       floor(extract(epoch FROM now() - coalesce(a.account_created_at, a.joined_timestamp)) / 86400)::integer
         AS account_age_days
FROM accounts a
LEFT JOIN latest_report cr ON cr.account_id = a.id
LEFT JOIN service_totals st ON st.account_id = a.id AND st.period_granularity = cr.period_granularity
  AND st.date_from = cr.period_start AND st.date_to = cr.period_end
LEFT JOIN security_totals sec ON sec.account_id = a.id
LEFT JOIN account_savings sv ON sv.account_id = a.id;

-- 36: one row per account and cost granularity (DAILY, MONTHLY) it has reports of.
CREATE OR REPLACE VIEW view_summary AS
SELECT a.id AS account_id, d.account, d.account_region, d.account_name, d.account_type, d.account_category,
       d.account_status, d.account_partner, d.account_customer, d.account_full, a.csp AS account_csp,
       s.number_of_products, s.period_granularity, s.date_from, s.date_to, s.current_period_cost,
       s.previous_period_cost, s.cost_difference, s.cost_difference_percentage, s.potential_savings,
       s.service_count, s.unique_services, s.total_service_cost, s.services_used, s.total_findings,
       s.open_findings, s.resolved_findings, s.critical_findings, s.high_findings, s.medium_findings,
       s.low_findings, s.security_resolution_rate, a.account_email, a.joined_method, a.joined_timestamp,
       s.account_age_days, d.project_product_name, s.currency
FROM accounts a
JOIN account_dims d ON d.id = a.id
JOIN account_period_summary s ON s.account_id = a.id;

-- 37: one row per account.
CREATE OR REPLACE VIEW view_acct_summary AS
WITH latest_report AS (
  SELECT DISTINCT ON (account_id)
         account_id, period_granularity, period_start, current_period_cost, cost_difference_percentage
  FROM cost_reports
  ORDER BY account_id, (period_granularity = 'MONTHLY') DESC, period_start DESC
), security_totals AS (
  SELECT account_id,
         sum(total_findings) AS total_findings,
         sum(critical_count) AS critical_count,
         sum(high_count) AS high_count,
         sum(medium_count) AS medium_count,
         sum(low_count) AS low_count
  FROM security
  GROUP BY account_id
), instances AS (
  SELECT account_id,
         count(*) AS instance_count,
         count(*) FILTER (WHERE ping_status = 'Online') AS running_instances
  FROM inventory_instances
  WHERE removed_at IS NULL
  GROUP BY account_id
)
SELECT d.account, d.account_region, d.account_category, d.account_partner, d.account_customer,
       d.account_full, d.project_product_name,
       coalesce(cr.current_period_cost, 0) AS latest_cost,
       coalesce(cr.cost_difference_percentage, 0) AS cost_trend_percentage,
       coalesce(sv.potential_monthly_savings, 0) AS savings_opportunity,
       coalesce(s.total_findings, 0) AS security_findings,
       coalesce(s.critical_count, 0) AS critical_findings,
       coalesce(s.high_count, 0) AS high_findings,
       coalesce(i.instance_count, 0) AS instance_count,
       coalesce(i.running_instances, 0) AS running_instances,
       CASE
         WHEN s.critical_count > 0 THEN 1
         WHEN s.high_count > 0 THEN 2
         WHEN s.medium_count > 0 THEN 3
         WHEN s.low_count > 0 THEN 4
         ELSE 5
       END AS security_health_score,
       cr.period_granularity AS cost_period_granularity,
       cr.period_start AS cost_period_start,
       a.*
FROM accounts a
JOIN account_dims d ON d.id = a.id
LEFT JOIN latest_report cr ON cr.account_id = a.id
LEFT JOIN security_totals s ON s.account_id = a.id
LEFT JOIN instances i ON i.account_id = a.id
LEFT JOIN account_savings sv ON sv.account_id = a.id;

-- 38: view_summary once per product the account belongs to (once with no product when it has none).
CREATE OR REPLACE VIEW view_product_summary AS
SELECT a.id AS account_id, d.account, d.account_region, d.account_name, d.account_full,
       p.name AS project_product_name, a.csp AS account_csp, d.account_type, d.account_category,
       d.account_status, d.account_partner, d.account_customer,
       p.id AS product_id, p.owner AS product_owner, p.position AS product_position,
       p.description AS product_description,
       s.period_granularity, s.date_from, s.date_to, s.current_period_cost, s.previous_period_cost,
       s.cost_difference, s.cost_difference_percentage, s.potential_savings, s.service_count,
       s.unique_services, s.total_service_cost, s.services_used, s.total_findings, s.open_findings,
       s.resolved_findings, s.critical_findings, s.high_findings, s.medium_findings, s.low_findings,
       s.security_resolution_rate, a.account_email, a.joined_method, a.joined_timestamp, s.account_age_days,
       s.currency
FROM accounts a
JOIN account_dims d ON d.id = a.id
LEFT JOIN product_accounts pa ON pa.account_id = a.id
LEFT JOIN products p ON p.id = pa.product_id
JOIN account_period_summary s ON s.account_id = a.id;

-- 39: one row per account and Security Hub product. suppressed_count and in_progress_count (workflow
-- NOTIFIED) count the findings of the collection the row summarises (the seed had constant zeros), and
-- region_finding lists their regions (the seed had 'N/A').
CREATE OR REPLACE VIEW view_acct_security_findings_summary AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name,
       s.service, s.total_findings, s.critical_count, s.high_count, s.medium_count, s.low_count,
       s.informational_count, s.open_findings, s.resolved_findings,
       coalesce(f.suppressed, 0) AS suppressed_count,
       coalesce(f.in_progress, 0) AS in_progress_count,
       s.open_findings AS active_issues,
       coalesce(f.regions, 'N/A') AS region_finding,
       s.resolved_findings AS resolved_count,
       CASE
         WHEN s.critical_count > 0 THEN 'CRITICAL'
         WHEN s.high_count > 0 THEN 'HIGH'
         WHEN s.medium_count > 0 THEN 'MEDIUM'
         WHEN s.low_count > 0 THEN 'LOW'
         WHEN s.informational_count > 0 THEN 'INFORMATIONAL'
         ELSE 'CLEAN'
       END AS severity,
       round(s.resolved_findings::numeric / nullif(s.total_findings, 0) * 100, 2) AS resolution_rate_percent,
       CASE
         WHEN s.critical_count > 0 THEN 'Critical'
         WHEN s.high_count > 0 THEN 'High'
         WHEN s.medium_count > 0 THEN 'Medium'
         WHEN s.low_count > 0 THEN 'Low'
         ELSE 'Clean'
       END AS risk_level,
       s.created_at,
       s.updated_at,
       s.window_start,
       s.window_end,
       s.collected_at
FROM security s
JOIN account_dims d ON d.id = s.account_id
LEFT JOIN (
  SELECT account_id, product_name, last_seen,
         count(*) FILTER (WHERE status = 'SUPPRESSED') AS suppressed,
         count(*) FILTER (WHERE status = 'NOTIFIED') AS in_progress,
         string_agg(DISTINCT region, ', ' ORDER BY region) AS regions
  FROM findings
  GROUP BY account_id, product_name, last_seen
) f ON f.account_id = s.account_id AND f.product_name = s.service AND f.last_seen = s.collected_at;

-- 40: current recommendations per account, resource type and finding.
CREATE OR REPLACE VIEW view_compute_optimizer_summary AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name,
       co.resource_type, co.finding,
       count(*) AS resource_count,
       sum(co.estimated_monthly_savings_usd) AS total_monthly_savings,
       avg(co.savings_opportunity_percentage) AS avg_savings_percentage,
       avg(co.performance_risk) AS avg_performance_risk,
       count(*) FILTER (WHERE co.finding = 'NotOptimized') AS not_optimized_count,
       count(*) FILTER (WHERE co.estimated_monthly_savings_usd > 0) AS savings_opportunities
FROM compute_optimizer co
JOIN account_dims d ON d.id = co.account_id
WHERE co.removed_at IS NULL
GROUP BY d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
         d.account_partner, d.account_customer, d.account_full, d.project_product_name,
         co.resource_type, co.finding;
