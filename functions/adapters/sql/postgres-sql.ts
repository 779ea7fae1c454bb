import pg from 'pg';
import { LoadError, TransientError } from '../../platform/errors.ts';
import type { Sql, SqlParams, SqlRow } from '../../ports.ts';
import { toPositional } from './named-params.ts';
import { TRANSIENT_SQLSTATES } from './sql-states.ts';

/** The result types every adapter agrees on (see `SqlRow`). */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    switch (oid) {
      case 20: // int8: counts and sums of integers
        return (value: string) => Number(value);
      case 1082: // date: keep the calendar day, never a local-midnight Date
        return (value: string) => value;
      case 1114: // timestamp without time zone: read as UTC
        return (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
      default:
        return pg.types.getTypeParser(oid, format ?? 'text');
    }
  },
} as pg.CustomTypesConfig;

export function mapPostgresError(error: unknown, text: string): Error {
  const e = error as { code?: string; message?: string; detail?: string };
  const statement = text.trim().split('\n')[0]?.slice(0, 80);
  const message = `${e.message ?? String(error)}${e.detail ? ` (${e.detail})` : ''} [in: ${statement}]`;
  if (
    (e.code && TRANSIENT_SQLSTATES.has(e.code)) ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(e.code ?? '')
  ) {
    return new TransientError(message, { cause: error });
  }
  return new LoadError(message, { cause: error });
}

class PostgresSession implements Sql {
  readonly backend = 'postgres' as const;
  private readonly client: pg.Pool | pg.PoolClient;
  private readonly pool: pg.Pool;

  constructor(client: pg.Pool | pg.PoolClient, pool: pg.Pool) {
    this.client = client;
    this.pool = pool;
  }

  async query<T extends SqlRow = SqlRow>(text: string, params?: SqlParams): Promise<T[]> {
    const positional = toPositional(text, params);
    try {
      const result = await this.client.query({ text: positional.text, values: positional.values, types });
      return result.rows as T[];
    } catch (error) {
      throw mapPostgresError(error, text);
    }
  }

  async execute(text: string, params?: SqlParams): Promise<number> {
    const positional = toPositional(text, params);
    try {
      const result = await this.client.query({ text: positional.text, values: positional.values, types });
      return result.rowCount ?? 0;
    } catch (error) {
      throw mapPostgresError(error, text);
    }
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    if (this.client !== this.pool) return work(this);
    const client = await this.pool.connect().catch((error: unknown) => {
      throw mapPostgresError(error, 'connect');
    });
    try {
      await client.query('BEGIN');
      const result = await work(new PostgresSession(client, this.pool));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.client === this.pool) await this.pool.end();
  }
}

/** node-postgres against a real server (`DATABASE_URL`). */
export function createPostgresSql(connectionString: string, options: { max?: number } = {}): Sql {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 8 });
  pool.on('error', () => undefined);
  return new PostgresSession(pool, pool);
}
