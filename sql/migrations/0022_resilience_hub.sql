-- resilience-hub: the Resilience Hub applications of each account and region, with their resiliency policy and
-- latest successful assessment (the seed's table and columns; the key is the account and the app ARN). Current
-- state: apps not listed again in a region whose collection succeeded get removed_at.
CREATE TABLE resilience_hub_apps (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  app_arn text NOT NULL,
  name text NOT NULL,
  description text,
  region text NOT NULL,
  creation_time timestamptz NOT NULL,
  status text,
  compliance_status text,
  resiliency_score numeric(5, 2) CHECK (resiliency_score BETWEEN 0 AND 100),
  drift_status text,
  assessment_schedule text,
  last_assessment_time timestamptz,
  policy_arn text,
  policy_name text,
  policy_tier text,
  -- The policy's AZ disruption objectives in seconds, as the seed had them; every disruption type in
  -- policy_objectives [{disruption_type, rto_in_secs, rpo_in_secs}].
  rto integer,
  rpo integer,
  policy_objectives jsonb NOT NULL DEFAULT '[]',
  assessment_arn text,
  -- [{disruption_type, compliance_status, current_rto_in_secs, current_rpo_in_secs, achievable_...}]
  assessment_compliance jsonb NOT NULL DEFAULT '[]',
  cost numeric(20, 10),
  cost_currency text,
  cost_frequency text,
  -- Always null: Resilience Hub keeps no record of drills (the seed's column, kept for its queries).
  last_drill timestamptz,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, app_arn)
);
CREATE INDEX resilience_hub_apps_region_idx ON resilience_hub_apps (account_id, region);
CREATE INDEX resilience_hub_apps_compliance_idx ON resilience_hub_apps (compliance_status);
