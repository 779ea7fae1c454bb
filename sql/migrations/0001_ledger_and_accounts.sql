-- The ledger: one row per run, and one per run x account x category x phase. It answers "is this data
-- complete?" and drives reruns. Statuses: RUNNING | SUCCEEDED | PARTIAL | SKIPPED | FAILED.
CREATE TABLE runs (
  run_id text PRIMARY KEY,
  trigger text NOT NULL,
  period text NOT NULL CHECK (period IN ('DAILY', 'MONTHLY')),
  window_start date NOT NULL,
  window_end date NOT NULL CHECK (window_end > window_start),
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  status text NOT NULL CHECK (status IN ('RUNNING', 'SUCCEEDED', 'PARTIAL', 'SKIPPED', 'FAILED'))
);
CREATE INDEX runs_window_idx ON runs (window_start, period);

CREATE TABLE run_categories (
  run_id text NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  account_id varchar(12) NOT NULL,
  category text NOT NULL,
  phase text NOT NULL CHECK (phase IN ('collect', 'load')),
  status text NOT NULL CHECK (status IN ('RUNNING', 'SUCCEEDED', 'PARTIAL', 'SKIPPED', 'FAILED')),
  rows integer NOT NULL DEFAULT 0,
  api_calls integer NOT NULL DEFAULT 0,
  throttled integer NOT NULL DEFAULT 0,
  duration_ms integer NOT NULL DEFAULT 0,
  error_name text,
  error_message text,
  attempt integer NOT NULL DEFAULT 1,
  snapshot_key text,
  regions jsonb,
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (run_id, account_id, category, phase)
);
CREATE INDEX run_categories_slice_idx ON run_categories (account_id, category, phase);

-- accounts.id is the 12-digit account id; every other table's account_id references it.
CREATE TABLE accounts (
  id varchar(12) PRIMARY KEY CHECK (id ~ '^[0-9]{12}$'),
  account_id varchar(12) GENERATED ALWAYS AS (id) STORED,
  account_name text NOT NULL,
  account_email text,
  account_status text,
  account_arn text,
  partner_name text,
  customer_name text,
  joined_method text,
  joined_timestamp timestamptz,
  account_type text,
  csp text NOT NULL DEFAULT 'AWS',
  region text NOT NULL DEFAULT 'Global',
  category text,
  last_seen timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accounts_status_idx ON accounts (account_status);
