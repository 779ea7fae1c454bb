import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ArrayValue,
  BeginTransactionCommand,
  type ColumnMetadata,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  type ExecuteStatementCommandInput,
  type ExecuteStatementCommandOutput,
  type Field,
  type RDSDataClient,
  RollbackTransactionCommand,
  type SqlParameter,
} from '@aws-sdk/client-rds-data';
import { isThrottling, required } from '../../collectors/aws-errors.ts';
import { LoadError, TransientError } from '../../platform/errors.ts';
import type { Sql, SqlParam, SqlParams, SqlRow } from '../../ports.ts';
import { toPositional } from '../sql/named-params.ts';
import { TRANSIENT_SQLSTATES } from '../sql/sql-states.ts';

export interface DataApiSqlOptions {
  readonly client: RDSDataClient;
  readonly resourceArn: string;
  readonly secretArn: string;
  readonly database: string;
  /** Retries of calls outside a transaction and of BeginTransaction: exponential backoff with full jitter. */
  readonly retry?: { readonly attempts: number; readonly baseDelayMs: number };
}

type Connection = Required<DataApiSqlOptions>;

const DEFAULT_RETRY = { attempts: 6, baseDelayMs: 500 };

/**
 * Worth another try: Aurora resuming from auto-pause, the writer unavailable (failover), 5xx, statement
 * timeouts and lost connections. Throttling is recognised by `isThrottling`.
 */
const TRANSIENT = new Set([
  'DatabaseResumingException',
  'DatabaseUnavailableException',
  'ServiceUnavailableError',
  'InternalServerErrorException',
  'StatementTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

function isTransient(error: unknown): boolean {
  const e = (error ?? {}) as { name?: string; code?: string; $fault?: string };
  return (
    TRANSIENT.has(e.name ?? '') || TRANSIENT.has(e.code ?? '') || isThrottling(error) || e.$fault === 'server'
  );
}

function statementLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 80) ?? '';
}

/**
 * Sets `code` to the SQLSTATE the Data API appends to PostgreSQL's message (`ERROR: ...; SQLState: 23505`), as
 * node-postgres and PGlite set it, so a caller tells a duplicate key from a missing table on every backend.
 */
function withSqlState(error: unknown): unknown {
  const e = error as { message?: unknown; code?: unknown } | null;
  if (typeof e !== 'object' || e === null || e.code !== undefined || typeof e.message !== 'string')
    return error;
  const code = /SQLState: ([0-9A-Z]{5})\s*$/.exec(e.message)?.[1];
  return code === undefined ? error : Object.assign(e, { code });
}

/**
 * Runs one Data API call, retrying transient failures up to `attempts` times. A SQL error arrives as
 * BadRequestException (Serverless v1) or DatabaseErrorException with PostgreSQL's message, so it becomes a
 * LoadError like `mapPostgresError` makes.
 */
async function call<T>(
  run: () => Promise<T>,
  statement: string,
  attempts: number,
  baseDelayMs: number,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      const e = (error ?? {}) as { name?: string; message?: string };
      const message = `${e.name ?? 'Error'}: ${e.message ?? String(error)} [in: ${statement}]`;
      const cause = withSqlState(error) as { code?: string };
      // A deadlock or serialization failure inside a transaction is thrown as transient after one attempt: the
      // transaction is lost, so the state machine retries the whole category.
      if (!isTransient(error) && !TRANSIENT_SQLSTATES.has(cause?.code ?? '')) {
        throw new LoadError(message, { cause });
      }
      if (attempt >= attempts) {
        const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
        throw new TransientError(`${message}${tries}`, { cause: error });
      }
      await sleep(Math.random() * baseDelayMs * 2 ** (attempt - 1));
    }
  }
}

function toParameter(name: string, value: SqlParam): SqlParameter {
  if (value === null) return { name, value: { isNull: true } };
  if (typeof value === 'string') return { name, value: { stringValue: value } };
  if (typeof value === 'boolean') return { name, value: { booleanValue: value } };
  if (typeof value === 'number') {
    // An integer past 2^53 is not exact anyway, and as a double it cannot overflow the service's long.
    return { name, value: Number.isSafeInteger(value) ? { longValue: value } : { doubleValue: value } };
  }
  if (value instanceof Date) {
    const stringValue = value.toISOString().replace('T', ' ').replace('Z', '');
    return { name, value: { stringValue }, typeHint: 'TIMESTAMP' };
  }
  if (value.kind === 'json') return { name, value: { stringValue: value.text }, typeHint: 'JSON' };
  return {
    name,
    value: { stringValue: value.value },
    typeHint: value.kind === 'decimal' ? 'DECIMAL' : 'DATE',
  };
}

/** The `SqlRow` form of one scalar; bool, text, uuid and date arrive in that form already. */
function normalise(typeName: string, value: string | number | boolean | Uint8Array | undefined): unknown {
  switch (typeName) {
    case 'numeric':
    case 'decimal':
      return String(value);
    case 'int2':
    case 'int4':
    case 'int8':
    case 'serial':
    case 'bigserial':
    case 'smallserial':
    case 'float4':
    case 'float8':
      return Number(value);
    case 'timestamp':
    case 'timestamptz':
      // `YYYY-MM-DD HH:MM:SS[.ffffff]`, in UTC and without an offset.
      return new Date(`${String(value).replace(' ', 'T')}Z`);
    case 'json':
    case 'jsonb':
      return JSON.parse(String(value));
    default:
      return value;
  }
}

function fromArray(array: ArrayValue, elementType: string): unknown[] {
  if (array.arrayValues) {
    return array.arrayValues.map((inner) => (inner === null ? null : fromArray(inner, elementType)));
  }
  const values: ReadonlyArray<string | number | boolean | null> =
    array.stringValues ?? array.longValues ?? array.doubleValues ?? array.booleanValues ?? [];
  return values.map((value) => (value === null ? null : normalise(elementType, value)));
}

function fromField(field: Field, typeName: string): unknown {
  if (field.isNull) return null;
  // PostgreSQL names an array type after its element type with a leading underscore (`_int4`).
  if (field.arrayValue) return fromArray(field.arrayValue, typeName.replace(/^_/, ''));
  const value =
    field.stringValue ?? field.longValue ?? field.doubleValue ?? field.booleanValue ?? field.blobValue;
  return normalise(typeName, value);
}

function toRow(record: Field[], columns: ColumnMetadata[]): SqlRow {
  const row: SqlRow = {};
  for (const [i, column] of columns.entries()) {
    const key = required(column.label ?? column.name, `ExecuteStatement.columnMetadata[${i}].label`);
    row[key] = fromField(required(record[i], `ExecuteStatement.records[][${i}]`), column.typeName ?? '');
  }
  return row;
}

class DataApiSession implements Sql {
  readonly backend = 'data-api' as const;
  private readonly connection: Connection;
  private readonly transactionId: string | undefined;

  constructor(connection: Connection, transactionId?: string) {
    this.connection = connection;
    this.transactionId = transactionId;
  }

  async query<T extends SqlRow = SqlRow>(text: string, params?: SqlParams): Promise<T[]> {
    // Typed records and column metadata rather than `formatRecordsAs: JSON`, which loses the column types.
    const result = await this.run(text, params, { includeResultMetadata: true });
    const records = result.records ?? [];
    if (records.length === 0) return [];
    const columns = required(result.columnMetadata, 'ExecuteStatement.columnMetadata');
    return records.map((record) => toRow(record, columns) as T);
  }

  async execute(text: string, params?: SqlParams): Promise<number> {
    const result = await this.run(text, params, {});
    return result.numberOfRecordsUpdated ?? 0;
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    if (this.transactionId !== undefined) return work(this);
    const { client, resourceArn, secretArn, database, retry } = this.connection;
    const begun = await call(
      () => client.send(new BeginTransactionCommand({ resourceArn, secretArn, database })),
      'BeginTransaction',
      retry.attempts,
      retry.baseDelayMs,
    );
    const transactionId = required(begun.transactionId, 'BeginTransaction.transactionId');
    try {
      const result = await work(new DataApiSession(this.connection, transactionId));
      await call(
        () => client.send(new CommitTransactionCommand({ resourceArn, secretArn, transactionId })),
        'CommitTransaction',
        1,
        0,
      );
      return result;
    } catch (error) {
      await client
        .send(new RollbackTransactionCommand({ resourceArn, secretArn, transactionId }))
        .catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    // The client belongs to the caller.
  }

  private run(
    text: string,
    params: SqlParams = {},
    extra: Partial<ExecuteStatementCommandInput>,
  ): Promise<ExecuteStatementCommandOutput> {
    // The Data API binds `:name` itself: this only rejects a referenced name that has no value.
    toPositional(text, params);
    const { client, resourceArn, secretArn, database, retry } = this.connection;
    const input: ExecuteStatementCommandInput = {
      resourceArn,
      secretArn,
      database,
      sql: text,
      parameters: Object.entries(params).map(([name, value]) => toParameter(name, value)),
      ...extra,
      ...(this.transactionId === undefined ? {} : { transactionId: this.transactionId }),
    };
    // Inside a transaction a failure may have aborted it, so the caller retries the whole transaction instead.
    const attempts = this.transactionId === undefined ? retry.attempts : 1;
    return call(
      () => client.send(new ExecuteStatementCommand(input)),
      statementLine(text),
      attempts,
      retry.baseDelayMs,
    );
  }
}

/** PostgreSQL through the RDS Data API (Aurora), with the same `:name` parameters and result types. */
export function createDataApiSql(options: DataApiSqlOptions): Sql {
  return new DataApiSession({ ...options, retry: options.retry ?? DEFAULT_RETRY });
}
