-- service-usage: unblended cost and usage quantity per account, service, usage type and Cost Explorer period
-- (DAILY or MONTHLY; ends exclusive). A period fact: loading a window replaces that window's rows. The key
-- includes date_to so a DAILY row and a MONTHLY row starting the same day are distinct.
CREATE TABLE services (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  service text NOT NULL,
  -- One usage type per row (the seed's name; it held the constant "Aggregated").
  usage_types text NOT NULL,
  date_from date NOT NULL,
  date_to date NOT NULL,
  period_granularity period_granularity_type NOT NULL,
  cost numeric(20, 10) NOT NULL,
  currency text NOT NULL DEFAULT 'USD',
  utilization numeric,
  utilization_unit text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (date_to > date_from),
  UNIQUE (account_id, service, usage_types, date_from, date_to)
);
-- account_id lookups (and the foreign key) use the unique key's index, which leads with it.
CREATE INDEX services_period_idx ON services (date_from, date_to);
CREATE INDEX services_service_idx ON services (service);
