-- kms: the KMS keys of each account and region, current state. The seed's columns (key_id ... key_rotation_enabled)
-- keep their names; key_rotation_enabled is null when the rotation status could not be read (rotation_note says
-- why), never "true" by default. Rows not seen in a region whose collection succeeded get removed_at.
CREATE TABLE kms_keys (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  key_id text NOT NULL,
  arn text NOT NULL,
  region text NOT NULL,
  description text,
  key_usage text,
  key_state text,
  -- When the key was created (created_at is when this row was).
  creation_date timestamptz,
  enabled boolean,
  key_rotation_enabled boolean,
  key_manager text CHECK (key_manager IN ('AWS', 'CUSTOMER')),
  key_spec text,
  origin text,
  multi_region boolean,
  multi_region_key_type text CHECK (multi_region_key_type IN ('PRIMARY', 'REPLICA')),
  deletion_date timestamptz,
  pending_deletion_window_days integer,
  aliases jsonb NOT NULL DEFAULT '[]',
  rotation_supported boolean,
  rotation_period_days integer,
  next_rotation_date timestamptz,
  rotation_note text,
  describe_error text,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (key_rotation_enabled IS NOT NULL OR rotation_note IS NOT NULL),
  UNIQUE (account_id, arn)
);
CREATE INDEX kms_keys_region_idx ON kms_keys (account_id, region);
-- Customer managed keys without rotation, and keys about to be deleted: what key audits look for.
CREATE INDEX kms_keys_rotation_idx ON kms_keys (key_manager, key_rotation_enabled) WHERE removed_at IS NULL;
CREATE INDEX kms_keys_deletion_idx ON kms_keys (deletion_date) WHERE deletion_date IS NOT NULL;
