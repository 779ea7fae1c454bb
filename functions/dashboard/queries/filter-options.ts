import type { Sql } from '../../ports.ts';
import { NO_FILTERS } from '../filters.ts';
import { day, reader } from './common.ts';

const ACCOUNTS = `
SELECT d.id AS account_id, d.account_name, d.project_product_name AS product, d.account_customer AS customer
FROM account_dims d
ORDER BY d.account_name, d.id`;

const PRODUCTS = `SELECT DISTINCT p.name FROM view_products p WHERE p.name IS NOT NULL ORDER BY p.name`;

const CUSTOMERS = `
SELECT DISTINCT d.account_customer AS name FROM account_dims d
WHERE d.account_customer IS NOT NULL AND d.account_customer <> ''
ORDER BY 1`;

/** The regions the regional views hold. */
const REGIONS = `
SELECT region FROM (
  SELECT f.region FROM view_findings_lifecycle f
  UNION SELECT s.resource_region FROM view_service_resources_summary s
  UNION SELECT c.region FROM view_config_reports c
  UNION SELECT i.region FROM view_inventory_instances i
  UNION SELECT k.region FROM view_kms_keys k
  UNION SELECT r.region FROM view_ri_sp_daily_savings r
) regions
WHERE region IS NOT NULL AND region <> ''
ORDER BY 1`;

const DATES = `
SELECT min(t.date) AS first_day, max(t.date) AS last_day FROM view_cost_daily_trend t`;

/** What the filter bar offers: accounts, products, customers, regions, and the days with cost data. */
export async function filterOptions(sql: Sql) {
  const db = reader(sql, NO_FILTERS);
  const [accounts, products, customers, regions, dates] = await Promise.all([
    db.rows(ACCOUNTS),
    db.rows(PRODUCTS),
    db.rows(CUSTOMERS),
    db.rows(REGIONS),
    db.rows(DATES),
  ]);
  return {
    accounts: accounts.map((a) => ({
      id: String(a.account_id),
      name: String(a.account_name ?? a.account_id),
    })),
    products: products.map((p) => String(p.name)),
    customers: customers.map((c) => String(c.name)),
    regions: regions.map((r) => String(r.region)),
    firstDay: day(dates[0]?.first_day),
    lastDay: day(dates[0]?.last_day),
  };
}
