-- The seed's processing-status tables, as views over the ledger. Status words follow the seed
-- (Pass / Fail) with Partial, Skipped and Running added; a slice's status is the worse of its phases.
CREATE OR REPLACE VIEW logs AS
WITH slice AS (
  SELECT run_id, account_id, category,
         max(CASE status WHEN 'FAILED' THEN 5 WHEN 'PARTIAL' THEN 4 WHEN 'RUNNING' THEN 3
                         WHEN 'SKIPPED' THEN 2 ELSE 1 END) AS severity,
         max(finished_at) AS finished_at
  FROM run_categories
  GROUP BY run_id, account_id, category
), per_account AS (
  SELECT run_id, account_id,
         max(severity) FILTER (WHERE category = 'account') AS account_s,
         max(severity) FILTER (WHERE category = 'cost') AS cost_s,
         max(severity) FILTER (WHERE category = 'service-usage') AS service_s,
         max(severity) FILTER (WHERE category IN ('security-hub', 'guardduty', 'inspector', 'kms', 'waf',
                                                   'cloudtrail', 'secrets-manager', 'acm')) AS security_s,
         max(severity) FILTER (WHERE category = 'config') AS config_s,
         max(severity) FILTER (WHERE category = 'ssm-inventory') AS inventory_s,
         max(severity) FILTER (WHERE category = 'marketplace') AS marketplace_s,
         max(severity) FILTER (WHERE category = 'trusted-advisor') AS trusted_advisor_s,
         max(severity) FILTER (WHERE category = 'health') AS health_s,
         max(severity) FILTER (WHERE category = 'application-signals') AS application_s,
         max(severity) FILTER (WHERE category = 'resilience-hub') AS resilience_hub_s,
         max(severity) FILTER (WHERE category = 'compute-optimizer') AS compute_optimizer_s,
         max(severity) FILTER (WHERE category = 'reservations') AS ri_sp_savings_s,
         max(severity) FILTER (WHERE category = 'resources') AS service_resources_s,
         max(severity) FILTER (WHERE category = 'support-cases') AS support_tickets_s,
         max(finished_at) AS finished_at
  FROM slice
  GROUP BY run_id, account_id
)
SELECT p.run_id || ':' || p.account_id AS id,
       p.account_id,
       r.started_at AS date_created,
       (ARRAY['Pass', 'Skipped', 'Running', 'Partial', 'Fail'])[p.account_s] AS account_status,
       (ARRAY['Pass', 'Skipped', 'Running', 'Partial', 'Fail'])[p.cost_s] AS cost_status,
       (ARRAY['Pass', 'Skipped', 'Running', 'Partial', 'Fail'])[p.service_s] AS service_status,
       (ARRAY['Pass', 'Skipped', 'Running', 'Partial', 'Fail'])[p.security_s] AS security_status,
       (ARRAY['Pass', 'Skipped', 'Running', 'Partial', 'Fail'])[p.config_s] AS config_status,
       (ARRAY['Pass', 'Skipped', 'Running', 'Partial', 'Fail'])[p.inventory_s] AS inventory_status,
       (ARRAY['Pass', 'Skipped', 'Running', 'Partial', 'Fail'])[p.marketplace_s] AS marketplace_status,
       (ARRAY['Pass', 'Skipped', 'Running', 'Partial', 'Fail'])[p.trusted_advisor_s] AS trusted_advisor_status,
       (ARRAY['Pass', 'Skipped', 'Running', 'Partial', 'Fail'])[p.health_s] AS health_status,
       (ARRAY['Pass', 'Skipped', 'Running', 'Partial', 'Fail'])[p.application_s] AS application_status,
       (ARRAY['Pass', 'Skipped', 'Running', 'Partial', 'Fail'])[p.resilience_hub_s] AS resilience_hub_status,
       (ARRAY['Pass', 'Skipped', 'Running', 'Partial', 'Fail'])[p.compute_optimizer_s] AS compute_optimizer_status,
       (ARRAY['Pass', 'Skipped', 'Running', 'Partial', 'Fail'])[p.ri_sp_savings_s] AS ri_sp_savings_status,
       (ARRAY['Pass', 'Skipped', 'Running', 'Partial', 'Fail'])[p.service_resources_s] AS service_resources_status,
       (ARRAY['Pass', 'Skipped', 'Running', 'Partial', 'Fail'])[p.support_tickets_s] AS support_tickets_status,
       p.run_id,
       r.started_at AS created_at,
       coalesce(p.finished_at, r.started_at) AS updated_at
FROM per_account p
JOIN runs r ON r.run_id = p.run_id;

CREATE OR REPLACE VIEW log_messages AS
SELECT rc.run_id || ':' || rc.account_id || ':' || rc.category || ':' || rc.phase AS id,
       rc.run_id || ':' || rc.account_id AS log_id,
       rc.category || ' ' || rc.phase || ': ' || coalesce(rc.error_name || ': ', '') || coalesce(rc.error_message, rc.status) AS message,
       CASE WHEN rc.status = 'FAILED' THEN 'ERROR' ELSE 'WARNING' END AS message_type,
       coalesce(rc.finished_at, r.started_at) AS created_at,
       rc.run_id,
       rc.account_id,
       rc.category,
       rc.phase
FROM run_categories rc
JOIN runs r ON r.run_id = rc.run_id
WHERE rc.status IN ('FAILED', 'PARTIAL') OR (rc.status = 'SKIPPED' AND rc.error_message IS NOT NULL);
