-- support-cases: the AWS Support cases of each account (the seed's support_tickets table and columns). A case id
-- is unique per account, not globally, hence the key. Current state, so a case resolved since the last run is
-- updated in place: each collection reports the open cases and the cases of its last 90 days, resolved included;
-- removed_at is set once a case is reported no more (resolved and older than that).
CREATE TABLE support_tickets (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  case_id text NOT NULL,
  display_id text NOT NULL,
  subject text NOT NULL,
  status text NOT NULL,
  severity_code text NOT NULL,
  service_code text,
  category_code text,
  time_created timestamptz NOT NULL,
  submitted_by text,
  language text DEFAULT 'en',
  last_communication_time timestamptz,
  -- The days the collection that last reported the case covered (date_to exclusive).
  date_from date NOT NULL,
  date_to date NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (date_to >= date_from),
  UNIQUE (account_id, case_id)
);
CREATE INDEX support_tickets_created_idx ON support_tickets (account_id, time_created);
CREATE INDEX support_tickets_status_idx ON support_tickets (status);
CREATE INDEX support_tickets_severity_idx ON support_tickets (severity_code);
