-- resources: the account's resource inventory, one row per EC2 instance, EBS volume, subnet, RDS DB instance,
-- S3 bucket, load balancer, Auto Scaling group and Lambda function ever seen (the seed's table and columns, so
-- its queries and views keep working). Current state: rows not seen in a region whose collection succeeded get
-- removed_at. S3 buckets carry their own region (BucketRegion), although they are listed once per account.
CREATE TABLE service_resources (
  id bigserial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  -- EC2 | EBS | VPC | RDS | S3 | ELB | AutoScaling | Lambda, with resource_type Instance | Volume | Subnet |
  -- DBInstance | Bucket | LoadBalancer | AutoScalingGroup | Function.
  service_name text NOT NULL,
  resource_type text NOT NULL,
  -- The AWS id where it is unique in the account (instance, volume, subnet, bucket), else the ARN: DB
  -- instance, load balancer, Auto Scaling group and function names are only unique within a region.
  resource_id text NOT NULL,
  resource_name text,
  arn text NOT NULL,
  region text NOT NULL,
  -- A load balancer's or Auto Scaling group's zones as a comma list.
  availability_zone text,
  state text,
  instance_type text,
  platform text,
  architecture text,
  vpc_id text,
  subnet_id text,
  engine text,
  instance_class text,
  multi_az boolean,
  -- GiB: EBS volume size, RDS allocated storage.
  size_gb numeric,
  volume_type text,
  creation_date timestamptz,
  -- Load balancer type (application, network, gateway) and scheme.
  type text,
  scheme text,
  -- Auto Scaling group members; instances an EBS volume is attached to.
  instance_count integer,
  min_size integer,
  max_size integer,
  available_ip_count integer,
  -- Lambda functions, in their own columns rather than squeezed into the EC2/EBS ones as the seed did.
  memory_mb integer,
  runtime text,
  ephemeral_storage_mb integer,
  package_type text,
  last_modified timestamptz,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  removed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (size_gb IS NULL OR size_gb >= 0),
  -- Also the index on account_id.
  UNIQUE (account_id, service_name, resource_type, resource_id)
);
CREATE INDEX service_resources_region_idx ON service_resources (region);
CREATE INDEX service_resources_resource_type_idx ON service_resources (resource_type);
CREATE INDEX service_resources_state_idx ON service_resources (state);
-- The account's present resources per region: what dashboards read and what marking unseen rows scans.
CREATE INDEX service_resources_account_present_idx ON service_resources (account_id, region)
  WHERE removed_at IS NULL;
