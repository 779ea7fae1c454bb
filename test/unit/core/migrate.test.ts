import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteSql } from '../../../functions/adapters/sql/pglite-sql.ts';
import { createPostgresSql } from '../../../functions/adapters/sql/postgres-sql.ts';
import {
  migrate,
  readSchemaFiles,
  type SchemaFiles,
  splitStatements,
} from '../../../functions/core/migrate.ts';
import { LoadError } from '../../../functions/platform/errors.ts';
import type { Sql } from '../../../functions/ports.ts';

describe('splitStatements', () => {
  it('splits on semicolons and trims each statement', () => {
    expect(splitStatements('SELECT 1;\n  SELECT 2 ;\n\n')).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('keeps a trailing statement that has no semicolon', () => {
    expect(splitStatements('CREATE TABLE a (x int);\nINSERT INTO a VALUES (1)')).toEqual([
      'CREATE TABLE a (x int)',
      'INSERT INTO a VALUES (1)',
    ]);
  });

  it('returns nothing for empty text, whitespace, stray semicolons or comments only', () => {
    expect(splitStatements('')).toEqual([]);
    expect(splitStatements(' \n\t ')).toEqual([]);
    expect(splitStatements(';;\n;')).toEqual([]);
    expect(splitStatements('-- only a comment; really\n/* and; another */\n')).toEqual([]);
  });

  it('ignores semicolons inside single-quoted strings, including doubled quotes', () => {
    expect(splitStatements("INSERT INTO t VALUES ('a;b', 'it''s; fine');SELECT ';'")).toEqual([
      "INSERT INTO t VALUES ('a;b', 'it''s; fine')",
      "SELECT ';'",
    ]);
  });

  it('ignores semicolons inside double-quoted identifiers, including doubled quotes', () => {
    expect(splitStatements('CREATE TABLE "we;ird" ("a""b;c" int); SELECT "a""b;c" FROM "we;ird"')).toEqual([
      'CREATE TABLE "we;ird" ("a""b;c" int)',
      'SELECT "a""b;c" FROM "we;ird"',
    ]);
  });

  it('keeps a $$ dollar-quoted function body whole', () => {
    const fn =
      'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM 1;\n  RETURN 1;\nEND;\n$$';
    expect(splitStatements(`${fn};\nSELECT f();`)).toEqual([fn, 'SELECT f()']);
  });

  it('keeps a $tag$ body whole even when it contains $$ and quotes', () => {
    const block = "DO $body$\nBEGIN\n  RAISE NOTICE '$$;';\n  PERFORM 'it''s';\nEND\n$body$";
    expect(splitStatements(`${block};SELECT 3`)).toEqual([block, 'SELECT 3']);
  });

  it('drops -- comments, including any semicolons in them', () => {
    expect(splitStatements('SELECT 1; -- first; second\nSELECT 2 -- trailing;\n;')).toEqual([
      'SELECT 1',
      'SELECT 2',
    ]);
  });

  it('drops /* */ comments, including any semicolons in them', () => {
    expect(splitStatements('SELECT /* ; */ 1; /* two;\nlines; */ SELECT 2;')).toEqual([
      'SELECT   1',
      'SELECT 2',
    ]);
  });

  it('treats a dropped comment as whitespace, so the tokens around it stay apart', () => {
    expect(splitStatements('SELECT 1/* one */AS one;SELECT 2--two\nAS two')).toEqual([
      'SELECT 1 AS one',
      'SELECT 2\nAS two',
    ]);
  });

  it('does not start a comment or quote inside another one', () => {
    expect(splitStatements("SELECT '-- not a comment;' AS a, '/* nor; this */' AS b; SELECT 2")).toEqual([
      "SELECT '-- not a comment;' AS a, '/* nor; this */' AS b",
      'SELECT 2',
    ]);
    expect(splitStatements("-- it's a comment; 'unclosed\nSELECT 1;SELECT 2")).toEqual([
      'SELECT 1',
      'SELECT 2',
    ]);
  });

  it('splits every repository migration and view into statements PostgreSQL accepts', async () => {
    const files = await readSchemaFiles();
    for (const file of [...files.migrations, ...files.views]) {
      const statements = splitStatements(file.text);
      expect(statements.length, file.name).toBeGreaterThan(0);
      for (const statement of statements) expect(statement, file.name).not.toMatch(/^\s*;|;\s*$/);
    }
  });
});

async function tableNames(sql: Sql): Promise<string[]> {
  const rows = await sql.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

/** Counts the statements a migrate() call runs and the transactions it opens. */
function counting(sql: Sql): { sql: Sql; statements: number; transactions: number } {
  const counts = { statements: 0, transactions: 0 };
  const wrap = (inner: Sql): Sql => ({
    backend: inner.backend,
    query: (text, params) => {
      counts.statements += 1;
      return inner.query(text, params);
    },
    execute: (text, params) => {
      counts.statements += 1;
      return inner.execute(text, params);
    },
    transaction: (work) => {
      counts.transactions += 1;
      return inner.transaction((tx) => work(wrap(tx)));
    },
    close: () => inner.close(),
  });
  return {
    sql: wrap(sql),
    get statements() {
      return counts.statements;
    },
    get transactions() {
      return counts.transactions;
    },
  };
}

describe('migrate on a fresh PGlite', () => {
  let sql: Sql;
  let files: SchemaFiles;

  beforeAll(async () => {
    sql = await createPgliteSql();
    files = await readSchemaFiles();
  });
  afterAll(async () => {
    await sql.close();
  });

  it('the repository has migrations and views to apply', () => {
    expect(files.migrations.length).toBeGreaterThan(0);
    expect(files.views.length).toBeGreaterThan(0);
    expect(files.migrations.map((f) => f.name)).toEqual([...files.migrations.map((f) => f.name)].sort());
  });

  it('applies every migration in order, then the views, and records them', async () => {
    const result = await migrate(sql, files);
    expect(result).toEqual({ applied: files.migrations.map((f) => f.name), viewsApplied: true });

    const recorded = await sql.query<{ version: number; name: string }>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    expect(recorded).toEqual(
      files.migrations.map((f) => ({ version: Number(f.name.slice(0, 4)), name: f.name })),
    );
    const [views] = await sql.query<{ n: number }>('SELECT count(*) AS n FROM schema_views');
    expect(views?.n).toBe(1);

    const tables = await tableNames(sql);
    for (const table of ['runs', 'run_categories', 'accounts', 'cost_reports', 'schema_migrations']) {
      expect(tables).toContain(table);
    }
    const viewNames = (
      await sql.query<{ name: string }>(`SELECT viewname AS name FROM pg_views WHERE schemaname = 'public'`)
    ).map((r) => r.name);
    expect(viewNames).toEqual(expect.arrayContaining(['logs', 'log_messages']));
  });

  it('applies nothing on a second call, in one query and no transaction (the up-to-date fast path)', async () => {
    const probe = counting(sql);
    expect(await migrate(probe.sql, files)).toEqual({ applied: [], viewsApplied: false });
    expect(probe.statements).toBe(1);
    expect(probe.transactions).toBe(0);
  });

  it('re-applies the views, and only the views, when a view file changed', async () => {
    const [before] = await sql.query<{ checksum: string }>('SELECT checksum FROM schema_views');
    const changed: SchemaFiles = {
      migrations: files.migrations,
      views: [
        ...files.views,
        { name: '999_test.sql', text: 'CREATE OR REPLACE VIEW migrate_test_view AS SELECT 42 AS answer;' },
      ],
    };
    expect(await migrate(sql, changed)).toEqual({ applied: [], viewsApplied: true });
    expect(await sql.query('SELECT answer FROM migrate_test_view')).toEqual([{ answer: 42 }]);
    const [after] = await sql.query<{ checksum: string }>('SELECT checksum FROM schema_views');
    expect(after?.checksum).not.toBe(before?.checksum);

    expect(await migrate(sql, changed)).toEqual({ applied: [], viewsApplied: false });
    const [migrations] = await sql.query<{ n: number }>('SELECT count(*) AS n FROM schema_migrations');
    expect(migrations?.n).toBe(files.migrations.length);

    const edited: SchemaFiles = {
      migrations: files.migrations,
      views: changed.views.map((v) =>
        v.name === '999_test.sql'
          ? { ...v, text: 'CREATE OR REPLACE VIEW migrate_test_view AS SELECT 43 AS answer;' }
          : v,
      ),
    };
    expect(await migrate(sql, edited)).toEqual({ applied: [], viewsApplied: true });
    expect(await sql.query('SELECT answer FROM migrate_test_view')).toEqual([{ answer: 43 }]);
  });

  it('applies a new migration alone, and the views with it', async () => {
    const next: SchemaFiles = {
      migrations: [
        ...files.migrations,
        { name: '0900_test_table.sql', text: 'CREATE TABLE migrate_test (x int);' },
      ],
      views: files.views,
    };
    expect(await migrate(sql, next)).toEqual({ applied: ['0900_test_table.sql'], viewsApplied: true });
    expect(await tableNames(sql)).toContain('migrate_test');
    expect(await migrate(sql, next)).toEqual({ applied: [], viewsApplied: false });
  });

  it('rolls every statement of a failing migration back and records nothing, with a LoadError', async () => {
    const broken: SchemaFiles = {
      migrations: [
        ...files.migrations,
        { name: '0900_test_table.sql', text: 'CREATE TABLE migrate_test (x int);' },
        {
          name: '0901_broken.sql',
          text: 'CREATE TABLE half_done (x int);\nINSERT INTO no_such_table VALUES (1);',
        },
      ],
      views: files.views,
    };
    const failure = migrate(sql, broken);
    await expect(failure).rejects.toBeInstanceOf(LoadError);
    await expect(failure).rejects.toThrow('relation "no_such_table" does not exist');
    expect(await tableNames(sql)).not.toContain('half_done');
    const [row] = await sql.query<{ version: number }>(
      'SELECT max(version) AS version FROM schema_migrations',
    );
    expect(row?.version).toBe(900);
  });
});

const url = process.env.DATABASE_URL;

describe.runIf(url)('migrate on PostgreSQL', () => {
  const name = `a360_test_${randomBytes(5).toString('hex')}`;
  const connections: Sql[] = [];

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
  });
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.close()));
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  const connect = (): Sql => {
    const target = new URL(url as string);
    target.pathname = `/${name}`;
    const sql = createPostgresSql(target.toString(), { max: 2 });
    connections.push(sql);
    return sql;
  };

  it('is safe when two processes migrate the same fresh database at once: each migration is applied once', async () => {
    const files = await readSchemaFiles();
    const [first, second] = await Promise.all([migrate(connect(), files), migrate(connect(), files)]);
    const all = files.migrations.map((f) => f.name);
    expect([...(first?.applied ?? []), ...(second?.applied ?? [])].sort()).toEqual(all);
    expect([first?.applied.length, second?.applied.length].sort()).toEqual([0, all.length]);
    expect([first?.viewsApplied, second?.viewsApplied].filter(Boolean)).toEqual([true]);

    const check = connect();
    const recorded = await check.query<{ version: number; n: number }>(
      'SELECT version, count(*) AS n FROM schema_migrations GROUP BY version ORDER BY version',
    );
    expect(recorded).toEqual(files.migrations.map((f) => ({ version: Number(f.name.slice(0, 4)), n: 1 })));
    expect(await migrate(check, files)).toEqual({ applied: [], viewsApplied: false });
  });
});
