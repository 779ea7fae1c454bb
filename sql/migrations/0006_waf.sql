-- waf: the web ACLs of an account and one row per rule with its compliance analysis. REGIONAL web ACLs carry
-- their region; CLOUDFRONT web ACLs are collected once per account and carry region 'global'. Both tables are
-- current state: rows not seen in a region whose collection succeeded get removed_at.
CREATE TABLE waf_rules (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name text NOT NULL,
  waf_id text NOT NULL,
  arn text NOT NULL,
  scope text NOT NULL CHECK (scope IN ('REGIONAL', 'CLOUDFRONT')),
  region text NOT NULL,
  description text,
  default_action jsonb NOT NULL,
  rules_count integer NOT NULL DEFAULT 0,
  capacity integer,
  managed_rules_count integer NOT NULL DEFAULT 0,
  custom_rules_count integer NOT NULL DEFAULT 0,
  rate_limit_rules_count integer NOT NULL DEFAULT 0,
  associated_resources jsonb NOT NULL DEFAULT '[]',
  associated_resources_count integer NOT NULL DEFAULT 0,
  logging_enabled boolean NOT NULL DEFAULT false,
  log_destinations jsonb NOT NULL DEFAULT '[]',
  geo_blocking_enabled boolean NOT NULL DEFAULT false,
  -- A JSON array as text, as the seed stored it.
  blocked_countries text NOT NULL DEFAULT '[]',
  ip_sets jsonb NOT NULL DEFAULT '[]',
  sampled_requests_enabled boolean NOT NULL DEFAULT false,
  cloudwatch_metrics_enabled boolean NOT NULL DEFAULT false,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, arn)
);
CREATE INDEX waf_rules_region_idx ON waf_rules (account_id, region);

-- Rule names are unique within a web ACL; web ACL names are not unique across regions and scopes, so the key
-- is the web ACL's ARN (the seed keyed on its name).
CREATE TABLE waf_rules_detailed (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  web_acl_name text NOT NULL,
  web_acl_arn text NOT NULL,
  rule_name text NOT NULL,
  priority integer NOT NULL,
  action text,
  statement_type text,
  is_managed_rule boolean NOT NULL DEFAULT false,
  is_custom_rule boolean NOT NULL DEFAULT true,
  rate_limit boolean NOT NULL DEFAULT false,
  rate_limit_requests bigint,
  logging_enabled boolean NOT NULL DEFAULT false,
  geo_blocking boolean NOT NULL DEFAULT false,
  sql_injection boolean NOT NULL DEFAULT false,
  sample_request_enabled boolean NOT NULL DEFAULT false,
  cloudwatch_enabled boolean NOT NULL DEFAULT false,
  has_xss_protection boolean NOT NULL DEFAULT false,
  waf_version text NOT NULL DEFAULT 'v2',
  is_compliant boolean NOT NULL DEFAULT false,
  compliance_reason text,
  scope text NOT NULL DEFAULT 'REGIONAL' CHECK (scope IN ('REGIONAL', 'CLOUDFRONT')),
  region text NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, web_acl_arn, rule_name)
);
CREATE INDEX waf_rules_detailed_acl_name_idx ON waf_rules_detailed (account_id, web_acl_name);
CREATE INDEX waf_rules_detailed_region_idx ON waf_rules_detailed (account_id, region);
CREATE INDEX waf_rules_detailed_compliance_idx ON waf_rules_detailed (is_compliant, is_managed_rule);
