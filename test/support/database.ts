import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { createPgliteSql } from '../../functions/adapters/sql/pglite-sql.ts';
import { createPostgresSql } from '../../functions/adapters/sql/postgres-sql.ts';
import { migrate, readSchemaFiles } from '../../functions/core/migrate.ts';
import type { Sql } from '../../functions/ports.ts';

export interface DatabaseBackend {
  readonly name: 'pglite' | 'postgres';
  /** A fresh, migrated, empty database. */
  create(): Promise<{ sql: Sql; drop(): Promise<void> }>;
}

/** A fresh, empty database on the PostgreSQL server at `url`; `drop` removes it. */
export async function freshPostgresDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `a360_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    async drop() {
      const again = new pg.Client({ connectionString: url });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    },
  };
}

async function freshPostgres(url: string): Promise<{ sql: Sql; drop(): Promise<void> }> {
  const database = await freshPostgresDatabase(url);
  const sql = createPostgresSql(database.url, { max: 4 });
  return {
    sql,
    async drop() {
      await sql.close();
      await database.drop();
    },
  };
}

/** PGlite always; PostgreSQL too when DATABASE_URL is set (CI starts a PostgreSQL 15 server). */
export function databaseBackends(): DatabaseBackend[] {
  const backends: DatabaseBackend[] = [
    {
      name: 'pglite',
      async create() {
        const sql = await createPgliteSql();
        await migrate(sql, await readSchemaFiles());
        return { sql, drop: () => sql.close() };
      },
    },
  ];
  const url = process.env.DATABASE_URL;
  if (url) {
    backends.push({
      name: 'postgres',
      async create() {
        const db = await freshPostgres(url);
        await migrate(db.sql, await readSchemaFiles());
        return db;
      },
    });
  }
  return backends;
}

/** One migrated database per describe block: `const db = useDatabase(backend)` then `db.sql` in tests. */
export function useDatabase(backend: DatabaseBackend): { readonly sql: Sql } {
  let handle: { sql: Sql; drop(): Promise<void> } | undefined;
  beforeAll(async () => {
    handle = await backend.create();
  }, 60_000);
  afterAll(async () => {
    await handle?.drop();
  });
  return {
    get sql(): Sql {
      if (!handle) throw new Error('database not ready');
      return handle.sql;
    },
  };
}
