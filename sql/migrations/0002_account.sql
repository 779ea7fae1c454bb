-- account: what the Account API and Organizations say about the account itself. The account's own row
-- (accounts, 0001) is updated in place; its primary contact and alternate contacts are the account's
-- current settings, replaced on every successful collection (a contact removed in AWS is deleted here).

-- When the account was created (Account API), distinct from when it joined the organization
-- (joined_timestamp, Organizations): the seed stored the creation date as joined_timestamp.
ALTER TABLE accounts ADD COLUMN account_created_at timestamptz;

CREATE TABLE contact_info (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  address_line1 text,
  address_line2 text,
  address_line3 text,
  city text,
  country_code text,
  postal_code text,
  state_or_region text,
  district_or_county text,
  company_name text,
  phone_number text,
  website_url text,
  full_name text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id)
);

CREATE TABLE alternate_contacts (
  id serial PRIMARY KEY,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  contact_type text NOT NULL CHECK (contact_type IN ('billing', 'operations', 'security')),
  full_name text,
  title text,
  email text,
  phone_number text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Also the index for the foreign key (account_id leads).
  UNIQUE (account_id, contact_type)
);
