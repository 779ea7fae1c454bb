-- config: AWS Config per account and region. `config_reports` is one compliance report per region and collection
-- window (end exclusive): rule counts, the score, the rules themselves and the recorder. `non_compliant_resources`
-- is current state: every resource a rule finds non-compliant now; one that is compliant again (or gone) gets
-- removed_at and status RESOLVED, only in regions whose collection succeeded. `config_inventory` is Config's
-- resource inventory, current state as well (the seed had the table but nothing filled it).
CREATE TABLE config_reports (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  region text NOT NULL,
  date_from date NOT NULL,
  date_to date NOT NULL,
  -- Percent of the rules with a verdict (compliant or not) that are compliant; NULL when none has one.
  compliance_score numeric(5, 2) CHECK (compliance_score BETWEEN 0 AND 100),
  total_rules integer NOT NULL DEFAULT 0,
  compliant_rules integer NOT NULL DEFAULT 0,
  non_compliant_rules integer NOT NULL DEFAULT 0,
  insufficient_data_rules integer NOT NULL DEFAULT 0,
  -- The seed's daily figures: non-compliant rules with a result recorded in the window. curr_compliant would need
  -- every compliant result of every rule, which is not collected: NULL.
  curr_non_compliant integer,
  curr_compliant integer,
  conformance_packs jsonb NOT NULL DEFAULT '[]',
  -- [{name, compliance, pack}] of every rule of the region.
  rules jsonb NOT NULL DEFAULT '[]',
  recorder_name text NOT NULL,
  recorder_recording boolean NOT NULL,
  recorder_last_status text,
  -- When the report was collected: an older snapshot of the same window loaded again must not replace it.
  collected_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (date_to > date_from),
  CHECK (total_rules >= compliant_rules + non_compliant_rules + insufficient_data_rules),
  UNIQUE (account_id, region, date_from, date_to)
);
CREATE INDEX config_reports_window_idx ON config_reports (date_from, date_to);

-- config_report_id: the latest report that saw the resource non-compliant (SET NULL when that report is replaced).
-- status follows removed_at: OPEN while non-compliant, RESOLVED once no longer reported.
-- bigserial: every daily upsert of every row draws a sequence value, even when it only updates.
CREATE TABLE non_compliant_resources (
  id bigserial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  config_report_id integer REFERENCES config_reports (id) ON DELETE SET NULL,
  region text NOT NULL,
  rule_name text NOT NULL,
  resource_type text NOT NULL,
  resource_id text NOT NULL,
  compliance_type text NOT NULL,
  config_rule_invoked_time timestamptz,
  result_recorded_time timestamptz,
  annotation text,
  evaluation_mode text,
  conformance_pack text,
  status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'RESOLVED')),
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, region, rule_name, resource_type, resource_id)
);
CREATE INDEX non_compliant_resources_report_idx ON non_compliant_resources (config_report_id);
CREATE INDEX non_compliant_resources_resource_idx ON non_compliant_resources (account_id, resource_type, resource_id);
CREATE INDEX non_compliant_resources_open_idx ON non_compliant_resources (account_id, region) WHERE removed_at IS NULL;

-- resource_subtype is kept for the seed's queries; Config's resource type already names the kind of resource.
CREATE TABLE config_inventory (
  id bigserial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  resource_type text NOT NULL,
  resource_subtype text,
  resource_id text NOT NULL,
  resource_name text,
  arn text,
  region text NOT NULL,
  availability_zone text,
  state text,
  instance_type text,
  instance_class text,
  engine text,
  vpc_id text,
  size_gb integer,
  volume_type text,
  creation_date timestamptz,
  multi_az boolean,
  scheme text,
  type text,
  instance_count integer,
  min_size integer,
  max_size integer,
  available_ip_count integer,
  configuration_item_capture_time timestamptz,
  configuration_item_status text,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, region, resource_type, resource_id)
);
CREATE INDEX config_inventory_type_idx ON config_inventory (resource_type);
CREATE INDEX config_inventory_vpc_idx ON config_inventory (vpc_id);
CREATE INDEX config_inventory_current_idx ON config_inventory (account_id, region) WHERE removed_at IS NULL;
