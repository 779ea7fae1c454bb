-- ssm-inventory: the Systems Manager managed nodes of each account, their applications and their patches.
-- All three tables are current state: rows not seen in a region whose collection succeeded get removed_at.
-- The seed's tables, with keys scoped to the account, and each application and patch attached to its own
-- instance (the seed attached every one of a file to the file's first instance).
CREATE TABLE inventory_instances (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  -- The AWS id: i-... for EC2 instances, mi-... for hybrid nodes.
  instance_id text NOT NULL,
  region text NOT NULL,
  -- SSM's ResourceType (EC2Instance, ManagedInstance), as the seed named it.
  instance_type text,
  platform text,
  ip_address text,
  computer_name text,
  ping_status text,
  last_ping_date_time timestamptz,
  agent_version text,
  platform_type text,
  platform_version text,
  is_latest_version boolean,
  association_status text,
  association_execution_date timestamptz,
  association_success_date timestamptz,
  -- The patch summary (DescribeInstancePatchStates); null for a node Patch Manager never scanned.
  patch_group text,
  baseline_id text,
  patch_operation text,
  patch_operation_start_time timestamptz,
  patch_operation_end_time timestamptz,
  installed_count integer,
  installed_other_count integer,
  installed_pending_reboot_count integer,
  installed_rejected_count integer,
  missing_count integer,
  failed_count integer,
  not_applicable_count integer,
  available_security_update_count integer,
  critical_non_compliant_count integer,
  security_non_compliant_count integer,
  other_non_compliant_count integer,
  patch_compliance text CHECK (patch_compliance IN ('COMPLIANT', 'NON_COMPLIANT')),
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, instance_id)
);
CREATE INDEX inventory_instances_region_idx ON inventory_instances (account_id, region);

-- instance_id keeps the seed's meaning (the id of the inventory_instances row, which its views join on);
-- instance_ref is the AWS id of that instance. An instance can hold several builds of one package (kernels,
-- or i686 and x86_64 libraries), so the version, release and architecture are part of the key; a missing one
-- is one value (NULLS NOT DISTINCT, PostgreSQL 15). bigserial: every daily upsert draws a sequence value,
-- even when it only updates.
CREATE TABLE inventory_applications (
  id bigserial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  instance_id integer NOT NULL REFERENCES inventory_instances (id) ON DELETE CASCADE,
  instance_ref text NOT NULL,
  region text NOT NULL,
  name text NOT NULL,
  version text,
  release text,
  publisher text,
  architecture text,
  application_type text,
  install_time timestamptz,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (account_id, instance_ref, name, version, release, architecture)
);
CREATE INDEX inventory_applications_instance_idx ON inventory_applications (instance_id);
CREATE INDEX inventory_applications_region_idx ON inventory_applications (account_id, region);
CREATE INDEX inventory_applications_name_idx ON inventory_applications (name);

-- One row per patch of an instance, whatever its state: a missing patch that gets installed updates its row.
-- Windows reuses a KB id across monthly releases (KB890830, the Malicious Software Removal Tool), so the
-- title is part of the key; patches outside the baseline have no title.
CREATE TABLE inventory_patches (
  id bigserial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  instance_id integer NOT NULL REFERENCES inventory_instances (id) ON DELETE CASCADE,
  instance_ref text NOT NULL,
  region text NOT NULL,
  title text,
  kb_id text NOT NULL,
  classification text,
  severity text,
  state text NOT NULL,
  installed_time timestamptz,
  cve_ids text,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (account_id, instance_ref, kb_id, title)
);
CREATE INDEX inventory_patches_instance_idx ON inventory_patches (instance_id);
CREATE INDEX inventory_patches_region_idx ON inventory_patches (account_id, region);
CREATE INDEX inventory_patches_state_idx ON inventory_patches (state, severity);
