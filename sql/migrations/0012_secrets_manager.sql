-- secrets-manager: the secrets of each account and region (not those scheduled for deletion), current state. The
-- seed's columns keep their names; secret values are never collected. Rows not seen in a region whose collection
-- succeeded get removed_at (deleted, or scheduled for deletion).
CREATE TABLE secrets_manager_secrets (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name text NOT NULL,
  arn text NOT NULL,
  region text NOT NULL,
  description text,
  -- When the secret was created (created_at is when this row was).
  created_date timestamptz,
  last_changed_date timestamptz,
  -- Secrets Manager keeps only the day of the last access.
  last_accessed_date timestamptz,
  last_rotated_date timestamptz,
  rotation_enabled boolean NOT NULL DEFAULT false,
  rotation_lambda_arn text,
  rotation_rules jsonb,
  next_rotation_date timestamptz,
  -- Null: the AWS managed key aws/secretsmanager.
  kms_key_id text,
  tags jsonb NOT NULL DEFAULT '{}',
  owning_service text,
  primary_region text,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, arn)
);
CREATE INDEX secrets_manager_secrets_region_idx ON secrets_manager_secrets (account_id, region);
CREATE INDEX secrets_manager_secrets_rotation_idx ON secrets_manager_secrets (rotation_enabled)
  WHERE removed_at IS NULL;
