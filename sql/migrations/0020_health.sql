-- health: the AWS Health events of each account, as seen by its own Health API (public AWS service events and
-- events about the account's resources). The same public event is seen by many accounts, so the key is the
-- account and the event ARN (the seed's global UNIQUE (arn) collided across accounts). Current state: one row per
-- event, updated as its status moves from upcoming to open to closed; removed_at is set once the event is
-- neither open nor upcoming and was not updated in a collected window (closed earlier, or past Health's 90 days).
CREATE TABLE health_events (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  arn text NOT NULL,
  service text NOT NULL,
  event_type_code text NOT NULL,
  event_type_category text NOT NULL,
  -- The event's Region, or 'global'.
  region text NOT NULL,
  availability_zone text,
  start_time timestamptz NOT NULL,
  end_time timestamptz,
  last_updated_time timestamptz NOT NULL,
  status_code text NOT NULL CHECK (status_code IN ('open', 'upcoming', 'closed')),
  event_scope_code text,
  affected_entities_count integer NOT NULL DEFAULT 0,
  -- [{entity_value, entity_arn, status_code, last_updated_time}]: instance ids, DB identifiers, function ARNs...
  affected_entities jsonb NOT NULL DEFAULT '[]',
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (affected_entities_count = jsonb_array_length(affected_entities)),
  UNIQUE (account_id, arn)
);
-- What needs attention now, per account: also what marking unseen events removed scans.
CREATE INDEX health_events_active_idx ON health_events (account_id, status_code) WHERE removed_at IS NULL;
CREATE INDEX health_events_type_idx ON health_events (service, event_type_code);
CREATE INDEX health_events_start_idx ON health_events (start_time);
