-- cost: one report per account and window (DAILY and MONTHLY windows of the same start are distinct),
-- its top services and the forecast as of the collection. Period ends are exclusive, as in Cost Explorer.
CREATE TYPE period_granularity_type AS ENUM ('MONTHLY', 'WEEKLY', 'DAILY');

CREATE TABLE cost_reports (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  current_period_cost numeric(20, 10) NOT NULL,
  previous_period_cost numeric(20, 10) NOT NULL,
  cost_difference numeric(20, 10) NOT NULL,
  cost_difference_percentage numeric(20, 10) NOT NULL,
  potential_monthly_savings numeric(20, 10) NOT NULL DEFAULT 0,
  anomalies_detected integer NOT NULL DEFAULT 0,
  saving_opportunities_count integer NOT NULL DEFAULT 0,
  currency varchar(3) NOT NULL DEFAULT 'USD',
  estimated boolean NOT NULL DEFAULT false,
  services_count integer,
  forecast_note text,
  period_start date NOT NULL,
  period_end date NOT NULL,
  period_granularity period_granularity_type NOT NULL,
  region text NOT NULL DEFAULT 'Global',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (period_end > period_start),
  UNIQUE (account_id, period_start, period_granularity)
);
CREATE INDEX cost_reports_period_idx ON cost_reports (period_start, period_end);

CREATE TABLE service_costs (
  id serial PRIMARY KEY,
  cost_report_id integer NOT NULL REFERENCES cost_reports (id) ON DELETE CASCADE,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  service_name text NOT NULL,
  cost numeric(20, 10) NOT NULL,
  rank integer NOT NULL,
  region text NOT NULL DEFAULT 'Global',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (cost_report_id, service_name)
);
CREATE INDEX service_costs_account_idx ON service_costs (account_id);

CREATE TABLE cost_forecasts (
  id serial PRIMARY KEY,
  cost_report_id integer NOT NULL REFERENCES cost_reports (id) ON DELETE CASCADE,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  period_start date NOT NULL,
  period_end date NOT NULL,
  amount numeric(20, 10) NOT NULL,
  prediction_interval_lower_bound numeric(20, 10),
  prediction_interval_upper_bound numeric(20, 10),
  region text NOT NULL DEFAULT 'Global',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (cost_report_id, period_start)
);
CREATE INDEX cost_forecasts_account_idx ON cost_forecasts (account_id);
