import { describe, expect, it } from 'vitest';
import type { PlannedAccount } from '../../../functions/core/discover-accounts.ts';
import { recordAccountDirectory } from '../../../functions/core/products.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const A = '111111111111';
const B = '222222222222';
const UNLOADED = '333333333333';
const noTenant = { customerName: undefined, partnerName: undefined };

const planned = (products: Record<string, PlannedAccount['products']>): PlannedAccount[] =>
  Object.entries(products).map(([accountId, list]) => ({ accountId, accountName: null, products: list }));

describe.each(databaseBackends())('recordAccountDirectory on $name', (backend) => {
  const db = useDatabase(backend);
  const links = () =>
    db.sql.query(
      `SELECT pa.account_id, p.name, pa.source FROM product_accounts pa JOIN products p ON p.id = pa.product_id
       ORDER BY pa.account_id, p.name`,
    );

  it('links loaded accounts to their products, skips accounts not loaded yet, and replaces links on the next run', async () => {
    for (const id of [A, B]) {
      await db.sql.execute(`INSERT INTO accounts (id, account_name) VALUES (:id, :name)`, {
        id,
        name: `n-${id}`,
      });
    }
    const first = await recordAccountDirectory(
      db.sql,
      planned({
        [A]: [
          { name: 'checkout', source: 'tag' },
          { name: 'payments', source: 'config+tag' },
        ],
        [B]: [{ name: 'payments', source: 'config' }],
        [UNLOADED]: [{ name: 'payments', source: 'tag' }],
      }),
      noTenant,
      new Date('2026-11-26T06:00:00Z'),
    );
    expect(first).toEqual({ accounts: 2, links: 3 });
    expect(await links()).toEqual([
      { account_id: A, name: 'checkout', source: 'tag' },
      { account_id: A, name: 'payments', source: 'config+tag' },
      { account_id: B, name: 'payments', source: 'config' },
    ]);

    // The checkout tag was removed from A; B was not orchestrated this time and keeps its link.
    await recordAccountDirectory(
      db.sql,
      planned({ [A]: [{ name: 'payments', source: 'tag' }] }),
      noTenant,
      new Date('2026-11-27T06:00:00Z'),
    );
    expect(await links()).toEqual([
      { account_id: A, name: 'payments', source: 'tag' },
      { account_id: B, name: 'payments', source: 'config' },
    ]);
    const products = await db.sql.query(`SELECT name, owner FROM products ORDER BY name`);
    expect(products).toEqual([
      { name: 'checkout', owner: 'a360' },
      { name: 'payments', owner: 'a360' },
    ]);
  });

  it('writes the customer and partner names on orchestrated accounts, and leaves them when unset', async () => {
    await recordAccountDirectory(
      db.sql,
      planned({ [A]: [] }),
      { customerName: 'Example Corp', partnerName: 'Example Partner' },
      new Date('2026-11-28T06:00:00Z'),
    );
    await recordAccountDirectory(db.sql, planned({ [A]: [] }), noTenant, new Date('2026-11-29T06:00:00Z'));
    const rows = await db.sql.query(
      `SELECT id, customer_name, partner_name FROM accounts WHERE id IN (:a, :b) ORDER BY id`,
      { a: A, b: B },
    );
    expect(rows).toEqual([
      { id: A, customer_name: 'Example Corp', partner_name: 'Example Partner' },
      { id: B, customer_name: null, partner_name: null },
    ]);
  });
});
