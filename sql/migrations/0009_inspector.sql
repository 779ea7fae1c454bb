-- inspector: current state of each account's Amazon Inspector findings (the seed's table and columns, plus
-- the resource, the vulnerable package and the scores). One row per finding ever seen; removed_at is set
-- when it was closed or suppressed (its updated_at), or once it is no longer listed in a region whose
-- collection succeeded.
CREATE TABLE inspector_findings (
  id bigserial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  finding_arn text NOT NULL,
  severity text NOT NULL,
  status text NOT NULL CHECK (status IN ('ACTIVE', 'SUPPRESSED', 'CLOSED')),
  type text NOT NULL,
  title text,
  description text,
  first_observed_at timestamptz NOT NULL,
  last_observed_at timestamptz NOT NULL,
  updated_at timestamptz,
  -- The region the finding was collected in: unseen findings are marked removed only in regions collected.
  region text NOT NULL,
  resource_type text NOT NULL,
  resource_id text NOT NULL,
  vulnerability_id text,
  package_name text,
  package_version text,
  fix_available text CHECK (fix_available IN ('YES', 'NO', 'PARTIAL')),
  inspector_score numeric,
  exploit_available text CHECK (exploit_available IN ('YES', 'NO')),
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, finding_arn)
);
CREATE INDEX inspector_findings_severity_idx ON inspector_findings (severity);
CREATE INDEX inspector_findings_vulnerability_idx ON inspector_findings (vulnerability_id);
CREATE INDEX inspector_findings_resource_idx ON inspector_findings (account_id, resource_id);
-- The account's active findings per region: what dashboards read and what marking unseen findings scans.
CREATE INDEX inspector_findings_account_active_idx ON inspector_findings (account_id, region)
  WHERE removed_at IS NULL;
