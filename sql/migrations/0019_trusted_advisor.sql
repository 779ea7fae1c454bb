-- trusted-advisor: the account's Trusted Advisor recommendations (Trusted Advisor API): one row per
-- recommendation (a check's result for the account, or a Trusted Advisor Priority recommendation), keyed by the
-- recommendation's id within the account (the seed keyed on the check name). Current state: removed_at is set
-- once Trusted Advisor no longer lists it; resolved_at once its lifecycle reached "resolved". severity is the
-- status (ok, warning, error), category the first pillar, recommendation the description (the seed's names).
CREATE TABLE trusted_advisor_checks (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  recommendation_id text NOT NULL,
  recommendation_arn text NOT NULL,
  -- Null for a Priority recommendation that is not a check's.
  check_id text,
  check_arn text,
  check_name text NOT NULL,
  category text,
  pillars jsonb NOT NULL DEFAULT '[]',
  severity text NOT NULL CHECK (severity IN ('ok', 'warning', 'error')),
  recommendation text NOT NULL,
  type text NOT NULL CHECK (type IN ('standard', 'priority')),
  source text NOT NULL,
  aws_services jsonb NOT NULL DEFAULT '[]',
  lifecycle_stage text,
  -- Resources flagged warning or error.
  affected_resources_count integer NOT NULL DEFAULT 0,
  ok_count bigint NOT NULL DEFAULT 0,
  warning_count bigint NOT NULL DEFAULT 0,
  error_count bigint NOT NULL DEFAULT 0,
  excluded_count bigint,
  -- Estimated monthly savings (cost optimizing recommendations), and what share of the spend it is.
  potential_savings numeric(20, 10),
  potential_savings_percentage numeric(9, 4),
  -- When Trusted Advisor last updated the recommendation.
  timestamp timestamptz,
  recommendation_created_at timestamptz,
  resolved_at timestamptz,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, recommendation_id)
);
CREATE INDEX trusted_advisor_checks_category_idx ON trusted_advisor_checks (category, severity);
CREATE INDEX trusted_advisor_checks_check_idx ON trusted_advisor_checks (check_id);
