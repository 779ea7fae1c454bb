-- security-hub: the current Security Hub picture of each account. `security` is one summary row per product
-- (the seed's table, so its README query keeps working), replaced by every load: open findings now plus the
-- findings resolved or suppressed in the collected window. `findings` is current state: one row per finding
-- ever seen, removed_at set once it is no longer open (resolved, suppressed, archived or gone).
CREATE TABLE security (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  service text NOT NULL,
  total_findings integer NOT NULL DEFAULT 0,
  critical_count integer NOT NULL DEFAULT 0,
  high_count integer NOT NULL DEFAULT 0,
  medium_count integer NOT NULL DEFAULT 0,
  low_count integer NOT NULL DEFAULT 0,
  informational_count integer NOT NULL DEFAULT 0,
  open_findings integer NOT NULL DEFAULT 0,
  resolved_findings integer NOT NULL DEFAULT 0,
  -- The window resolved_findings covers (end exclusive), and when the counts were collected: an older
  -- snapshot loaded again must not replace a newer summary.
  window_start date NOT NULL,
  window_end date NOT NULL,
  collected_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (window_end > window_start),
  CHECK (total_findings = open_findings + resolved_findings),
  UNIQUE (account_id, service)
);
CREATE INDEX security_service_idx ON security (service);

-- ON DELETE SET NULL: a product whose findings are all closed loses its summary row, but its findings keep
-- their history (first_seen, removed_at); the link comes back when the product has findings again.
-- bigserial: every daily upsert of every finding draws a sequence value, even when it only updates.
CREATE TABLE findings (
  id bigserial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  security_id integer REFERENCES security (id) ON DELETE SET NULL,
  finding_id text NOT NULL,
  product_arn text NOT NULL,
  service text NOT NULL,
  title text NOT NULL,
  description text,
  severity text NOT NULL,
  status text NOT NULL,
  resource_type text,
  resource_id text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  recommendation text,
  compliance_status text,
  region text NOT NULL,
  workflow_state text,
  record_state text NOT NULL,
  product_name text NOT NULL,
  company_name text,
  generator_id text NOT NULL,
  generator text NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  UNIQUE (account_id, product_arn, finding_id)
);
CREATE INDEX findings_security_idx ON findings (security_id);
CREATE INDEX findings_severity_idx ON findings (severity);
CREATE INDEX findings_status_idx ON findings (status);
CREATE INDEX findings_region_idx ON findings (region);
CREATE INDEX findings_generator_idx ON findings (generator);
-- The account's open findings per region: what dashboards read and what marking unseen findings scans.
CREATE INDEX findings_account_open_idx ON findings (account_id, region) WHERE removed_at IS NULL;
