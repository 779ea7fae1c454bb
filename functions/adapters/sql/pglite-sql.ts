import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { Sql, SqlParams, SqlRow } from '../../ports.ts';
import { toPositional } from './named-params.ts';
import { mapPostgresError } from './postgres-sql.ts';

/** The same result types as the node-postgres adapter. */
export const PGLITE_PARSERS = {
  20: (value: string) => Number(value),
  1082: (value: string) => value,
  1114: (value: string) => new Date(`${value.replace(' ', 'T')}Z`),
};

type Queryable = Pick<PGlite, 'query'> | Transaction;

class PgliteSession implements Sql {
  readonly backend = 'pglite' as const;
  private readonly db: PGlite;
  private readonly target: Queryable;

  constructor(db: PGlite, target: Queryable) {
    this.db = db;
    this.target = target;
  }

  async query<T extends SqlRow = SqlRow>(text: string, params?: SqlParams): Promise<T[]> {
    const positional = toPositional(text, params);
    try {
      const result = await this.target.query<T>(positional.text, positional.values, {
        parsers: PGLITE_PARSERS,
      });
      return result.rows;
    } catch (error) {
      throw mapPostgresError(error, text);
    }
  }

  async execute(text: string, params?: SqlParams): Promise<number> {
    const positional = toPositional(text, params);
    try {
      const result = await this.target.query(positional.text, positional.values, { parsers: PGLITE_PARSERS });
      return result.affectedRows ?? 0;
    } catch (error) {
      throw mapPostgresError(error, text);
    }
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    if (this.target !== this.db) return work(this);
    return this.db.transaction((tx) => work(new PgliteSession(this.db, tx)));
  }

  async close(): Promise<void> {
    if (this.target === this.db && !this.db.closed) await this.db.close();
  }
}

/** PGlite, the embedded default: a folder on disk, or in memory when `dataDir` is omitted. */
export async function createPgliteSql(dataDir?: string): Promise<Sql> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(dataDir ? { dataDir } : {});
  return new PgliteSession(db, db);
}
