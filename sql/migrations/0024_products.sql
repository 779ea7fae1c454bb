-- Products (workloads) and the accounts that belong to them, as in the original system, but maintained by a360
-- from the deployment's configuration and the accounts' AWS Organizations tags (`a360:product`) instead of
-- hand-written SQL. `source` says where each link came from; a link that neither source names any more is
-- removed when the account is next orchestrated.
CREATE TABLE products (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  owner text NOT NULL DEFAULT 'a360',
  position text,
  description text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE product_accounts (
  id serial PRIMARY KEY,
  product_id integer NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  account_id varchar(12) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  source text NOT NULL CHECK (source IN ('config', 'tag', 'config+tag')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (product_id, account_id)
);
CREATE INDEX product_accounts_account_idx ON product_accounts (account_id);
