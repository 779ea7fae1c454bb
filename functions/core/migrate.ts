import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../platform/errors.ts';
import { sqlPieces } from '../platform/sql-text.ts';
import type { Sql } from '../ports.ts';

export interface SqlFile {
  readonly name: string;
  readonly text: string;
}

export interface SchemaFiles {
  /** `NNNN_<what>.sql`, forward-only, applied once each in order. */
  readonly migrations: readonly SqlFile[];
  /** `CREATE OR REPLACE VIEW`s, re-applied whenever any of them changes. */
  readonly views: readonly SqlFile[];
}

/** The repository's `sql/` folder, or `A360_SQL_DIR` (a Lambda bundle ships `sql/` beside its code). */
export function defaultSqlDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.A360_SQL_DIR ?? fileURLToPath(new URL('../../sql/', import.meta.url));
}

export async function readSchemaFiles(directory = defaultSqlDirectory()): Promise<SchemaFiles> {
  const read = async (folder: string, pattern: RegExp): Promise<SqlFile[]> => {
    let names: string[];
    try {
      names = await readdir(join(directory, folder));
    } catch (error) {
      throw new ConfigError(`cannot read SQL files from ${join(directory, folder)}`, { cause: error });
    }
    const files = names.filter((n) => pattern.test(n)).sort();
    return Promise.all(
      files.map(async (name) => ({ name, text: await readFile(join(directory, folder, name), 'utf8') })),
    );
  };
  return {
    migrations: await read('migrations', /^\d{4}_[a-z0-9_]+\.sql$/),
    views: await read('views', /\.sql$/),
  };
}

/**
 * Splits a file into statements on `;`, ignoring semicolons inside quotes, dollar-quoted bodies and comments:
 * the Data API runs one statement per call.
 */
export function splitStatements(text: string): string[] {
  const statements: string[] = [];
  let current = '';
  for (const piece of sqlPieces(text)) {
    if (piece.kind === 'line-comment') continue;
    // A comment separates tokens as whitespace does: `1/* x */AS` is `1 AS`, not `1AS`.
    if (piece.kind === 'block-comment') current += ' ';
    else if (piece.kind === 'quoted') current += piece.text;
    else {
      const [first, ...rest] = piece.text.split(';');
      current += first;
      for (const next of rest) {
        if (current.trim()) statements.push(current.trim());
        current = next;
      }
    }
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}

function checksum(files: readonly SqlFile[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(file.name).update('\0').update(file.text).update('\0');
  return hash.digest('hex');
}

/** Any constant: serialises concurrent migrators (several loaders starting at once) in the database. */
const MIGRATION_LOCK = 736_036_001;

export interface MigrationResult {
  readonly applied: readonly string[];
  readonly viewsApplied: boolean;
}

async function isCurrent(sql: Sql, files: SchemaFiles): Promise<boolean> {
  try {
    const [row] = await sql.query<{ version: number | null; views: string | null }>(
      `SELECT (SELECT max(version) FROM schema_migrations) AS version,
              (SELECT checksum FROM schema_views WHERE id = 1) AS views`,
    );
    const latest = files.migrations.length > 0 ? Number(files.migrations.at(-1)?.name.slice(0, 4)) : 0;
    return (row?.version ?? 0) >= latest && row?.views === checksum(files.views);
  } catch {
    return false;
  }
}

/**
 * Brings the schema up to date in one transaction: pending migrations in order, then the views if any view
 * file changed. Safe to call from many processes at once.
 */
export async function migrate(sql: Sql, files: SchemaFiles): Promise<MigrationResult> {
  if (await isCurrent(sql, files)) return { applied: [], viewsApplied: false };
  return sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(:lock)', { lock: MIGRATION_LOCK });
    await tx.execute(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    await tx.execute(`CREATE TABLE IF NOT EXISTS schema_views (
      id integer PRIMARY KEY CHECK (id = 1), checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) =>
        Number(r.version),
      ),
    );
    const applied: string[] = [];
    for (const file of files.migrations) {
      const version = Number(file.name.slice(0, 4));
      if (done.has(version)) continue;
      for (const statement of splitStatements(file.text)) await tx.execute(statement);
      await tx.execute(
        'INSERT INTO schema_migrations (version, name, checksum) VALUES (:version, :name, :checksum)',
        {
          version,
          name: file.name,
          checksum: checksum([file]),
        },
      );
      applied.push(file.name);
    }
    const viewsChecksum = checksum(files.views);
    const [stored] = await tx.query<{ checksum: string }>('SELECT checksum FROM schema_views WHERE id = 1');
    const viewsApplied = stored?.checksum !== viewsChecksum || applied.length > 0;
    if (viewsApplied) {
      for (const file of files.views)
        for (const statement of splitStatements(file.text)) await tx.execute(statement);
      await tx.execute(
        `INSERT INTO schema_views (id, checksum) VALUES (1, :checksum)
         ON CONFLICT (id) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()`,
        { checksum: viewsChecksum },
      );
    }
    return { applied, viewsApplied };
  });
}

const ensured = new WeakMap<Sql, Promise<MigrationResult>>();

/** Migrates once per `Sql` instance (the loader's "first use"). */
export function ensureSchema(sql: Sql, files?: SchemaFiles): Promise<MigrationResult> {
  let pending = ensured.get(sql);
  if (!pending) {
    pending = (async () => migrate(sql, files ?? (await readSchemaFiles())))();
    pending.catch(() => ensured.delete(sql));
    ensured.set(sql, pending);
  }
  return pending;
}
