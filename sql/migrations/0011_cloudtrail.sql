-- cloudtrail: the trails an account has or sees (organization trails appear in every member account), with their
-- logging status, what their event selectors record, and the management events of the collected window. Current
-- state: one row per trail ARN; `region` is where the trail is collected (its home region whenever that region is
-- configured), so rows not seen in a region whose collection succeeded get removed_at.
CREATE TABLE cloudtrail_logs (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name text NOT NULL,
  arn text NOT NULL,
  region text NOT NULL,
  home_region text NOT NULL,
  is_logging boolean NOT NULL DEFAULT false,
  is_multi_region boolean NOT NULL DEFAULT false,
  include_global_events boolean NOT NULL DEFAULT false,
  is_organization_trail boolean NOT NULL DEFAULT false,
  s3_bucket text,
  kms_key_id text,
  log_file_validation boolean NOT NULL DEFAULT false,
  management_events boolean NOT NULL DEFAULT false,
  data_events boolean NOT NULL DEFAULT false,
  -- Management events in event history during [events_window_start, events_window_end) over the regions the trail
  -- covers; NULL when the trail records no management events. Capped: the count is a lower bound.
  recent_events_count integer CHECK (recent_events_count >= 0),
  recent_events_count_capped boolean NOT NULL DEFAULT false,
  events_window_start date NOT NULL,
  events_window_end date NOT NULL,
  latest_delivery_time timestamptz,
  latest_delivery_error text,
  start_logging_time timestamptz,
  stop_logging_time timestamptz,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (events_window_end > events_window_start),
  UNIQUE (account_id, arn)
);
CREATE INDEX cloudtrail_logs_region_idx ON cloudtrail_logs (account_id, region);
CREATE INDEX cloudtrail_logs_not_logging_idx ON cloudtrail_logs (account_id) WHERE NOT is_logging AND removed_at IS NULL;
