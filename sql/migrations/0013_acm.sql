-- acm: the ACM certificates of each account and region, every key type and status, current state. The seed's
-- columns keep their names; created_at stays the row's creation time as in every table, and the certificate's own
-- request time is certificate_created_at. Rows not seen in a region whose collection succeeded get removed_at.
CREATE TABLE certificates (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  arn text NOT NULL,
  region text NOT NULL,
  domain_name text,
  subject_alternative_names jsonb NOT NULL DEFAULT '[]',
  status text NOT NULL,
  type text NOT NULL,
  key_algorithm text NOT NULL,
  signature_algorithm text,
  issuer text,
  certificate_created_at timestamptz,
  issued_at timestamptz,
  imported_at timestamptz,
  not_before timestamptz,
  not_after timestamptz,
  revoked_at timestamptz,
  renewal_eligibility text,
  renewal_status text,
  renewal_status_reason text,
  failure_reason text,
  key_usages jsonb NOT NULL DEFAULT '[]',
  extended_key_usages jsonb NOT NULL DEFAULT '[]',
  in_use_by jsonb NOT NULL DEFAULT '[]',
  managed_by text,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (not_after IS NULL OR not_before IS NULL OR not_after > not_before),
  UNIQUE (account_id, arn)
);
CREATE INDEX certificates_region_idx ON certificates (account_id, region);
-- "What expires in the next 30 days?"
CREATE INDEX certificates_not_after_idx ON certificates (not_after);
CREATE INDEX certificates_status_idx ON certificates (status);
