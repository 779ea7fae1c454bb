-- The original system's row views (sql/schema/core-view.sql of the seed), under the same names: each table's
-- rows with the account "dims" columns that its dashboards filter and group by. Differences from the seed:
--
-- * Every view reaches the account through the row's own account_id (the seed went through parent rows:
--   findings through security, non-compliant resources through config_reports, service costs through
--   cost_reports, so a row whose parent was replaced vanished). Ledger views keep accounts never loaded.
-- * Inventories (keys, ACLs, trails, secrets, certificates, resources, recommendations, SSM nodes, their
--   applications and patches, Application Signals services, Resilience Hub apps, Trusted Advisor checks) show
--   what exists now: rows with removed_at set (deleted since, no longer reported) stay in the tables, with
--   first_seen / last_seen / removed_at, but not in these views. The seed kept deleted resources forever.
-- * Findings show the open ones and the closed ones AWS reports with their closing status (RESOLVED,
--   SUPPRESSED, archived, CLOSED), not the ones that vanished while still open (deleted by AWS after their
--   retention, or with their resource): the seed would have counted those as open forever.
-- * view_inventory_applications has every application column, not only the name.
--
-- The dims columns come first and the table's columns (t.*) last: a column a later migration adds to a table
-- then lands at the end of its view, which CREATE OR REPLACE VIEW allows when the views are re-applied.

-- The account dimensions, one row per account. project_product_name is the product linked first to the
-- account, as in the seed.
CREATE OR REPLACE VIEW account_dims AS
SELECT a.id,
       a.account_id AS account,
       a.region AS account_region,
       a.account_name,
       a.account_type,
       a.category AS account_category,
       a.account_status,
       a.partner_name AS account_partner,
       a.customer_name AS account_customer,
       concat(a.account_id, '-', a.account_name) AS account_full,
       p.name AS project_product_name
FROM accounts a
LEFT JOIN (
  SELECT DISTINCT ON (account_id) account_id, product_id
  FROM product_accounts
  ORDER BY account_id, id
) first_product ON first_product.account_id = a.id
LEFT JOIN products p ON p.id = first_product.product_id;

-- 1
CREATE OR REPLACE VIEW view_accounts AS
SELECT d.account, d.account_region, d.account_category, d.account_partner, d.account_customer, d.account_full,
       d.project_product_name, a.*
FROM accounts a
JOIN account_dims d ON d.id = a.id;

-- 2
CREATE OR REPLACE VIEW view_contact_info AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM contact_info t
JOIN account_dims d ON d.id = t.account_id;

-- 3
CREATE OR REPLACE VIEW view_alternate_contacts AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM alternate_contacts t
JOIN account_dims d ON d.id = t.account_id;

-- 4: DAILY and MONTHLY rows both, told apart by period_granularity.
CREATE OR REPLACE VIEW view_acct_serv AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM services t
JOIN account_dims d ON d.id = t.account_id;

-- 5
CREATE OR REPLACE VIEW view_acct_cost_rep AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name,
       t.period_start AS date_from, t.period_end AS date_to, t.*
FROM cost_reports t
JOIN account_dims d ON d.id = t.account_id;

-- 6
CREATE OR REPLACE VIEW view_acct_serv_cost AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name,
       r.period_start AS date_from, r.period_end AS date_to, r.period_granularity, t.*
FROM service_costs t
JOIN cost_reports r ON r.id = t.cost_report_id
JOIN account_dims d ON d.id = t.account_id;

-- 7
CREATE OR REPLACE VIEW view_acct_cost_rep_forecast AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name,
       r.period_start AS date_from, r.period_end AS date_to, r.period_granularity, t.*
FROM cost_forecasts t
JOIN cost_reports r ON r.id = t.cost_report_id
JOIN account_dims d ON d.id = t.account_id;

-- 8
CREATE OR REPLACE VIEW view_acct_security AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM security t
JOIN account_dims d ON d.id = t.account_id;

-- 9
CREATE OR REPLACE VIEW view_acct_security_findings_details AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM findings t
JOIN account_dims d ON d.id = t.account_id
WHERE t.removed_at IS NULL OR t.status IN ('RESOLVED', 'SUPPRESSED');

-- 10
CREATE OR REPLACE VIEW view_products AS
SELECT CAST(NULL AS varchar(12)) AS account, CAST(NULL AS text) AS account_region,
       CAST(NULL AS text) AS account_name, CAST(NULL AS text) AS account_type,
       CAST(NULL AS text) AS account_category, CAST(NULL AS text) AS account_status,
       CAST(NULL AS text) AS account_partner, CAST(NULL AS text) AS account_customer,
       CAST(NULL AS text) AS account_full, p.name AS project_product_name, p.*
FROM products p;

-- 11: project_product_name is the linked product.
CREATE OR REPLACE VIEW view_product_acct AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, p.name AS project_product_name, t.*
FROM product_accounts t
JOIN account_dims d ON d.id = t.account_id
JOIN products p ON p.id = t.product_id;

-- 12: one row per product and linked account; project_product_name is the account's first product.
CREATE OR REPLACE VIEW view_acct_products AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, p.*
FROM products p
JOIN product_accounts pa ON pa.product_id = p.id
JOIN account_dims d ON d.id = pa.account_id;

-- 13: logs has its own account_status (the account category's processing status), hence acct_status.
CREATE OR REPLACE VIEW view_acct_logs AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category,
       d.account_status AS acct_status, d.account_partner, d.account_customer, d.account_full,
       d.project_product_name, t.*
FROM logs t
LEFT JOIN account_dims d ON d.id = t.account_id;

-- 14
CREATE OR REPLACE VIEW view_acct_log_messages AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM log_messages t
LEFT JOIN account_dims d ON d.id = t.account_id;

-- 15: one report per region and window.
CREATE OR REPLACE VIEW view_config_reports AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM config_reports t
JOIN account_dims d ON d.id = t.account_id;

-- 16: OPEN and RESOLVED rows (status follows removed_at).
CREATE OR REPLACE VIEW view_non_compliant_resources AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM non_compliant_resources t
JOIN account_dims d ON d.id = t.account_id;

-- 17
CREATE OR REPLACE VIEW view_service_resources AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM service_resources t
JOIN account_dims d ON d.id = t.account_id
WHERE t.removed_at IS NULL;

-- 19
CREATE OR REPLACE VIEW view_compute_optimizer AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM compute_optimizer t
JOIN account_dims d ON d.id = t.account_id
WHERE t.removed_at IS NULL;

-- 20: finding_id is the finding's id (the seed stored it as detector_id).
CREATE OR REPLACE VIEW view_guard_duty_findings AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM guard_duty_findings t
JOIN account_dims d ON d.id = t.account_id
WHERE t.removed_at IS NULL OR t.archived;

-- 21
CREATE OR REPLACE VIEW view_kms_keys AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM kms_keys t
JOIN account_dims d ON d.id = t.account_id
WHERE t.removed_at IS NULL;

-- 22
CREATE OR REPLACE VIEW view_waf_rules AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM waf_rules t
JOIN account_dims d ON d.id = t.account_id
WHERE t.removed_at IS NULL;

-- 23
CREATE OR REPLACE VIEW view_waf_rules_detailed AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM waf_rules_detailed t
JOIN account_dims d ON d.id = t.account_id
WHERE t.removed_at IS NULL;

-- 24
CREATE OR REPLACE VIEW view_cloudtrail_logs AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM cloudtrail_logs t
JOIN account_dims d ON d.id = t.account_id
WHERE t.removed_at IS NULL;

-- 25
CREATE OR REPLACE VIEW view_secrets_manager_secrets AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM secrets_manager_secrets t
JOIN account_dims d ON d.id = t.account_id
WHERE t.removed_at IS NULL;

-- 26
CREATE OR REPLACE VIEW view_certificates AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM certificates t
JOIN account_dims d ON d.id = t.account_id
WHERE t.removed_at IS NULL;

-- 27
CREATE OR REPLACE VIEW view_inspector_findings AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM inspector_findings t
JOIN account_dims d ON d.id = t.account_id
WHERE t.removed_at IS NULL OR t.status IN ('CLOSED', 'SUPPRESSED');

-- 28
CREATE OR REPLACE VIEW view_inventory_instances AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM inventory_instances t
JOIN account_dims d ON d.id = t.account_id
WHERE t.removed_at IS NULL;

-- 29: the instance's columns prefixed as in the seed, then every column of the application.
CREATE OR REPLACE VIEW view_inventory_applications AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name,
       ii.id AS ii_id, ii.account_id AS ii_account_id, ii.instance_id AS ii_instance_id, ii.instance_type,
       ii.platform, ii.ip_address, ii.computer_name, ii.ping_status, ii.last_ping_date_time, ii.agent_version,
       ii.platform_type, ii.platform_version, ii.is_latest_version, ii.association_status,
       ii.association_execution_date, ii.association_success_date, ii.created_at AS ii_created_at, t.*
FROM inventory_applications t
JOIN inventory_instances ii ON ii.id = t.instance_id
JOIN account_dims d ON d.id = t.account_id
WHERE t.removed_at IS NULL AND ii.removed_at IS NULL;

-- 30: instance_name is the instance's AWS id, as in the seed.
CREATE OR REPLACE VIEW view_inventory_patches AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name,
       ii.instance_id AS instance_name, ii.instance_type, t.*
FROM inventory_patches t
JOIN inventory_instances ii ON ii.id = t.instance_id
JOIN account_dims d ON d.id = t.account_id
WHERE t.removed_at IS NULL AND ii.removed_at IS NULL;

-- 31
CREATE OR REPLACE VIEW view_marketplace_usage AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM marketplace_usage t
JOIN account_dims d ON d.id = t.account_id;

-- 32
CREATE OR REPLACE VIEW view_trusted_advisor_checks AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM trusted_advisor_checks t
JOIN account_dims d ON d.id = t.account_id
WHERE t.removed_at IS NULL;

-- 33: every event ever reported, with its status (closed events included).
CREATE OR REPLACE VIEW view_health_events AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM health_events t
JOIN account_dims d ON d.id = t.account_id;

-- 34
CREATE OR REPLACE VIEW view_application_signals AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM application_signals t
JOIN account_dims d ON d.id = t.account_id
WHERE t.removed_at IS NULL;

-- 35
CREATE OR REPLACE VIEW view_resilience_hub_apps AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM resilience_hub_apps t
JOIN account_dims d ON d.id = t.account_id
WHERE t.removed_at IS NULL;

-- 41: every case ever reported, with its status (resolved cases included).
CREATE OR REPLACE VIEW view_acct_support_tickets AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM support_tickets t
JOIN account_dims d ON d.id = t.account_id;

-- 42: one row per reservation and day.
CREATE OR REPLACE VIEW view_ri_sp_daily_savings AS
SELECT d.account, d.account_region, d.account_name, d.account_type, d.account_category, d.account_status,
       d.account_partner, d.account_customer, d.account_full, d.project_product_name, t.*
FROM ri_sp_daily_savings t
JOIN account_dims d ON d.id = t.account_id;
