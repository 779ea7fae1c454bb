-- marketplace: AWS Marketplace spend per product and Cost Explorer period (DAILY or MONTHLY; ends exclusive),
-- from Cost Explorer's BILLING_ENTITY "AWS Marketplace" grouped by SERVICE. Cost Explorer has no product code,
-- so product_code holds the product's name as billed (the seed's key column). A period fact: loading a window
-- replaces that window's rows of its granularity.
CREATE TABLE marketplace_usage (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  product_code text NOT NULL,
  product_name text NOT NULL,
  cost_consumed numeric(20, 10) NOT NULL,
  currency text NOT NULL DEFAULT 'USD',
  period_start date NOT NULL,
  period_end date NOT NULL,
  period_granularity period_granularity_type NOT NULL,
  -- ESTIMATED while Cost Explorer still marks the period's figures as estimated, then FINAL.
  status text NOT NULL CHECK (status IN ('ESTIMATED', 'FINAL')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (period_end > period_start),
  UNIQUE (account_id, product_code, period_start, period_end)
);
-- account_id lookups (and the foreign key) use the unique key's index, which leads with it.
CREATE INDEX marketplace_usage_period_idx ON marketplace_usage (period_start, period_end);
