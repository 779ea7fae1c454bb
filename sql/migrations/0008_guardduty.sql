-- guardduty: current state of each account's GuardDuty findings. One row per finding ever seen (the seed's
-- table and columns; the finding's id now goes in finding_id, not detector_id, and created_at/updated_at are
-- the finding's own). Rows are "removed" once the finding is archived (removed_at = when it was archived) or
-- no longer listed in a region whose collection succeeded.
CREATE TABLE guard_duty_findings (
  id bigserial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  finding_id text NOT NULL,
  arn text NOT NULL,
  detector_id text NOT NULL,
  finding_type text NOT NULL,
  -- GuardDuty's value from 1.0 to 10.0, and its level by AWS's ranges.
  severity numeric NOT NULL,
  severity_label text NOT NULL CHECK (severity_label IN ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW')),
  title text,
  description text,
  confidence numeric,
  -- The detector's region: unseen findings are marked removed only in regions that were collected.
  region text NOT NULL,
  resource_type text,
  resource_id text,
  count integer,
  archived boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  UNIQUE (account_id, finding_id)
);
CREATE INDEX guard_duty_findings_type_idx ON guard_duty_findings (finding_type);
CREATE INDEX guard_duty_findings_severity_idx ON guard_duty_findings (severity_label);
CREATE INDEX guard_duty_findings_resource_idx ON guard_duty_findings (account_id, resource_id);
-- The account's current findings per region: what dashboards read and what marking unseen findings scans.
CREATE INDEX guard_duty_findings_account_current_idx ON guard_duty_findings (account_id, region)
  WHERE removed_at IS NULL;
