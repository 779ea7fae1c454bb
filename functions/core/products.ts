import type { TenantConfig } from '../platform/config.ts';
import type { Sql } from '../ports.ts';
import { sqlJson } from '../ports.ts';
import type { PlannedAccount } from './discover-accounts.ts';

export interface DirectoryOutcome {
  /** Accounts whose products were written (the others have no `accounts` row yet). */
  readonly accounts: number;
  readonly links: number;
}

/**
 * Writes what the directory knows of the orchestrated accounts: their products (from the configuration and
 * the `a360:product` tags) as `products` / `product_accounts`, and the deployment's customer and partner
 * names. Only accounts the `account` category has loaded are linked (the tables reference `accounts`); their
 * links are replaced, so a product removed from the configuration or the tags disappears with the next run.
 */
export async function recordAccountDirectory(
  sql: Sql,
  planned: readonly PlannedAccount[],
  tenant: TenantConfig,
  now: Date,
): Promise<DirectoryOutcome> {
  return sql.transaction(async (tx) => {
    const known = new Set(
      (
        await tx.query<{ id: string }>(
          `SELECT id FROM accounts WHERE id IN (SELECT value FROM jsonb_array_elements_text(CAST(:ids AS jsonb)))`,
          { ids: sqlJson(planned.map((a) => a.accountId)) },
        )
      ).map((r) => r.id),
    );
    const accounts = planned.filter((a) => known.has(a.accountId));
    if (accounts.length === 0) return { accounts: 0, links: 0 };
    const ids = sqlJson(accounts.map((a) => a.accountId));

    if (tenant.customerName !== undefined || tenant.partnerName !== undefined) {
      await tx.execute(
        `UPDATE accounts SET
           customer_name = COALESCE(:customer_name, customer_name),
           partner_name = COALESCE(:partner_name, partner_name),
           updated_at = :now
         WHERE id IN (SELECT value FROM jsonb_array_elements_text(CAST(:ids AS jsonb)))
           AND (customer_name IS DISTINCT FROM COALESCE(:customer_name, customer_name)
             OR partner_name IS DISTINCT FROM COALESCE(:partner_name, partner_name))`,
        {
          customer_name: tenant.customerName ?? null,
          partner_name: tenant.partnerName ?? null,
          now,
          ids,
        },
      );
    }

    const links = accounts.flatMap((a) =>
      a.products.map((p) => ({ account_id: a.accountId, name: p.name, source: p.source })),
    );
    await tx.execute(
      `INSERT INTO products (name, created_at, updated_at)
       SELECT DISTINCT l.name, CAST(:now AS timestamptz), CAST(:now AS timestamptz) FROM jsonb_to_recordset(CAST(:links AS jsonb)) AS l(name text)
       ON CONFLICT (name) DO NOTHING`,
      { links: sqlJson(links), now },
    );
    await tx.execute(
      `DELETE FROM product_accounts pa
       WHERE pa.account_id IN (SELECT value FROM jsonb_array_elements_text(CAST(:ids AS jsonb)))
         AND NOT EXISTS (
           SELECT 1 FROM jsonb_to_recordset(CAST(:links AS jsonb)) AS l(account_id text, name text)
           JOIN products p ON p.name = l.name
           WHERE l.account_id = pa.account_id AND p.id = pa.product_id)`,
      { ids, links: sqlJson(links) },
    );
    await tx.execute(
      `INSERT INTO product_accounts (product_id, account_id, source, created_at, updated_at)
       SELECT p.id, l.account_id, l.source, CAST(:now AS timestamptz), CAST(:now AS timestamptz)
       FROM jsonb_to_recordset(CAST(:links AS jsonb)) AS l(account_id text, name text, source text)
       JOIN products p ON p.name = l.name
       ON CONFLICT (product_id, account_id) DO UPDATE SET source = EXCLUDED.source, updated_at = EXCLUDED.updated_at
       WHERE product_accounts.source IS DISTINCT FROM EXCLUDED.source`,
      { links: sqlJson(links), now },
    );
    return { accounts: accounts.length, links: links.length };
  });
}
