-- reservations: the commitments of an account and what they saved each day.
--
-- ri_sp_reservations is current state: one row per reserved instance (EC2, RDS) or Savings Plan the account
-- holds or held during a collected window. `region` is where it was collected (the reserved instance's Region,
-- 'global' for Savings Plans), so rows are marked removed only where the collection succeeded; a retired
-- reservation is removed as of its end. A reservation Cost Explorer has no figures for yet (queued, bought
-- today) lives here only: the seed's single table wrote a zero-utilisation row for it instead.
--
-- ri_sp_daily_savings is the seed's table, one row per reservation and UTC day (date_from = date, date_to the
-- next day, exclusive as in Cost Explorer), so a daily and a monthly collection of the same day agree. A load
-- replaces the days Cost Explorer answered in full. The reservation's terms are copied onto each day, as in
-- the seed. Amounts are for the whole reservation; commitment, recurring_cost and usage_price are per hour.
CREATE TABLE ri_sp_reservations (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  reservation_type text NOT NULL CHECK (reservation_type IN ('Reserved Instance', 'Savings Plan')),
  -- EC2: ReservedInstancesId; RDS: LeaseId; Savings Plans: savingsPlanId.
  subscription_id text NOT NULL,
  service text NOT NULL,
  region text NOT NULL,
  offering_id text,
  savings_plan_arn text,
  reservation_arn text,
  savings_plan_type text,
  savings_plan_region text,
  instance_type text,
  instance_count integer,
  instance_family text,
  instance_tenancy text,
  offering_class text,
  offering_type text,
  product_types text,
  scope text,
  availability_zone text,
  multi_az boolean,
  currency text NOT NULL,
  commitment numeric(20, 10) NOT NULL,
  upfront_cost numeric(20, 10) NOT NULL,
  recurring_cost numeric(20, 10) NOT NULL,
  recurring_frequency text,
  usage_price numeric(20, 10),
  start_date timestamptz NOT NULL,
  end_date timestamptz NOT NULL,
  returnable_until timestamptz,
  duration_seconds integer NOT NULL,
  state text NOT NULL,
  description text,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, reservation_type, subscription_id)
);
CREATE INDEX ri_sp_reservations_region_idx ON ri_sp_reservations (account_id, region);
-- "What expires soon?"
CREATE INDEX ri_sp_reservations_end_idx ON ri_sp_reservations (end_date) WHERE removed_at IS NULL;

CREATE TABLE ri_sp_daily_savings (
  id bigserial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  -- The reservation's inventory row; null when only Cost Explorer knew it (its Region failed to list).
  reservation_id integer REFERENCES ri_sp_reservations (id) ON DELETE SET NULL,
  date date NOT NULL,
  date_from date NOT NULL,
  date_to date NOT NULL,
  reservation_type text NOT NULL CHECK (reservation_type IN ('Reserved Instance', 'Savings Plan')),
  subscription_id text NOT NULL,
  offering_id text,
  savings_plan_arn text,
  savings_plan_type text,
  service text NOT NULL,
  instance_type text,
  instance_count integer,
  instance_family text,
  instance_tenancy text,
  offering_class text,
  product_types text,
  region text,
  utilization_percentage numeric(12, 6) NOT NULL,
  on_demand_cost numeric(20, 10) NOT NULL,
  reservation_cost numeric(20, 10) NOT NULL,
  net_savings numeric(20, 10) NOT NULL,
  unused_cost numeric(20, 10),
  purchased_hours numeric(20, 10),
  used_hours numeric(20, 10),
  commitment numeric(20, 10),
  upfront_cost numeric(20, 10),
  recurring_cost numeric(20, 10),
  recurring_frequency text,
  usage_price numeric(20, 10),
  currency text NOT NULL,
  start_date timestamptz,
  end_date timestamptz,
  returnable_until timestamptz,
  duration_seconds integer,
  offering_type text,
  state text,
  description text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (date_from = date AND date_to = date + 1),
  CONSTRAINT ri_sp_daily_savings_unique UNIQUE (account_id, subscription_id, reservation_type, date_from, date_to)
);
CREATE INDEX ri_sp_daily_savings_account_date_idx ON ri_sp_daily_savings (account_id, date_to);
CREATE INDEX ri_sp_daily_savings_reservation_idx ON ri_sp_daily_savings (reservation_id);
CREATE INDEX ri_sp_daily_savings_subscription_idx ON ri_sp_daily_savings (subscription_id);
CREATE INDEX ri_sp_daily_savings_type_idx ON ri_sp_daily_savings (reservation_type);
CREATE INDEX ri_sp_daily_savings_service_idx ON ri_sp_daily_savings (service);
CREATE INDEX ri_sp_daily_savings_state_idx ON ri_sp_daily_savings (state);
CREATE INDEX ri_sp_daily_savings_region_idx ON ri_sp_daily_savings (region);
