-- compute-optimizer: the current Compute Optimizer recommendation for each EC2 instance, EBS volume and Lambda
-- function of an account (the seed's table and columns). Current state: one row per resource ever recommended
-- on, removed_at set once a region whose collection succeeded no longer returns it (the resource is gone, or
-- Compute Optimizer stopped recommending on it). The recommended_* columns and the savings are the best-ranked
-- option's. Money is in `currency` (USD, or CNY in the China regions) despite the seed's column name.
CREATE TABLE compute_optimizer (
  id bigserial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  resource_type text NOT NULL CHECK (resource_type IN ('EC2', 'EBS', 'Lambda')),
  resource_arn text NOT NULL,
  resource_name text,
  region text NOT NULL,
  finding text NOT NULL,
  finding_reasons jsonb NOT NULL DEFAULT '[]',
  current_instance_type text,
  -- Megabytes (Lambda).
  current_memory_size integer,
  current_volume_type text,
  -- Gibibytes (EBS).
  current_volume_size integer,
  recommended_instance_type text,
  recommended_memory_size integer,
  recommended_volume_type text,
  recommended_volume_size integer,
  savings_opportunity_percentage numeric(9, 4),
  estimated_monthly_savings_usd numeric(20, 10),
  currency text,
  -- The recommended option's performance risk, 0 (very low) to 4 (very high).
  performance_risk numeric(6, 4),
  -- The current resource's risk: VeryLow, Low, Medium or High.
  current_performance_risk text,
  -- Percent: the Maximum statistic of CPU (EC2).
  cpu_utilization_max numeric(9, 4),
  -- Percent: the Average statistic of memory where Compute Optimizer returns one (Lambda: of its memory size).
  memory_utilization_avg numeric(9, 4),
  migration_effort text,
  lookback_period_days numeric(6, 2),
  last_refresh_timestamp timestamptz,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, resource_arn)
);
-- The account's rows per region: what marking unseen recommendations scans.
CREATE INDEX compute_optimizer_region_idx ON compute_optimizer (account_id, region);
CREATE INDEX compute_optimizer_type_finding_idx ON compute_optimizer (resource_type, finding);
CREATE INDEX compute_optimizer_savings_idx ON compute_optimizer (estimated_monthly_savings_usd);
