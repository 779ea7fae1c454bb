-- application-signals: the services CloudWatch Application Signals discovered in each account and region (the
-- seed's table, keyed by account, region, service name and environment: the same service name runs in several
-- environments and regions). Current state: rows not reported again in a region whose collection succeeded get
-- removed_at.
CREATE TABLE application_signals (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  region text NOT NULL,
  service_name text NOT NULL,
  -- KeyAttributes.Environment, e.g. 'eks:checkout-prod/default', 'ecs:payments-prod', 'lambda:default'.
  environment text NOT NULL,
  type text NOT NULL,
  -- The CloudWatch namespace of the service's metrics.
  namespace text,
  key_attributes jsonb NOT NULL,
  -- AttributeMaps as AWS returns them: a list of maps.
  attribute_map jsonb NOT NULL DEFAULT '[]',
  platform_type text,
  metric_references jsonb NOT NULL DEFAULT '[]',
  service_level_objectives jsonb NOT NULL DEFAULT '[]',
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, region, service_name, environment)
);
CREATE INDEX application_signals_platform_idx ON application_signals (platform_type);
CREATE INDEX application_signals_service_idx ON application_signals (service_name);
