import { randomBytes } from 'node:crypto';
import { RDSDataClient, type ServiceInputTypes, type ServiceOutputTypes } from '@aws-sdk/client-rds-data';
import type { PGlite } from '@electric-sql/pglite';
import { HttpResponse } from '@smithy/core/transport';
import type {
  DeserializeHandlerArguments,
  DeserializeHandlerOutput,
  HandlerExecutionContext,
  HttpRequest,
  Pluggable,
} from '@smithy/types';
import { createDataApiSql } from '../../functions/adapters/aws/data-api-sql.ts';
import { migrate, readSchemaFiles } from '../../functions/core/migrate.ts';
import type { Sql } from '../../functions/ports.ts';

/**
 * An RDS Data API stand-in backed by a real PGlite database, plugged in below a real `RDSDataClient`: a
 * middleware in the deserialize step, inside the SDK's own deserializer, receives the HTTP request exactly as the
 * SDK would put it on the wire (serialised JSON body, host, content-length, SigV4 `authorization` header) and
 * answers with an HTTP response that the SDK's real deserializer turns into the command output or into the
 * modelled exception (`DatabaseErrorException`, `TransactionNotFoundException`, ...). Nothing leaves the
 * process: the middleware never calls the HTTP handler.
 *
 * What it models, and from where:
 * - ExecuteStatement, BeginTransaction, CommitTransaction, RollbackTransaction (RDS Data API reference,
 *   https://docs.aws.amazon.com/rdsdataservice/latest/APIReference/API_ExecuteStatement.html): `:name`
 *   parameters with `value` fields and `typeHint` (DATE, TIME, TIMESTAMP, DECIMAL, JSON, UUID, in the documented
 *   formats: https://docs.aws.amazon.com/rdsdataservice/latest/APIReference/API_SqlParameter.html),
 *   `includeResultMetadata` (typed `records` of `Field`s plus `columnMetadata` with PostgreSQL's type names),
 *   `resultSetOptions`, `transactionId`, `numberOfRecordsUpdated`.
 * - The request size limit: "the maximum size of the HTTP request submitted through the Data API is 4 MiB. If the
 *   request exceeds this limit, the Data API returns an error and doesn't process the request. This 4-MiB limit
 *   includes the size of the HTTP headers and the JSON notation in the request."
 *   (https://docs.aws.amazon.com/rdsdataservice/latest/APIReference/API_BatchExecuteStatement.html). Measured
 *   here as the HTTP/1.1 message: request line, every header line, the blank line and the body.
 * - The length constraint on `sql` in the service model (and so in the API reference): at most 65,536
 *   characters.
 * - The result limits: "The response size limit is 1 MiB. If the call returns more than 1 MiB of response data,
 *   the call is terminated." and "The Data API size limit is 64 KB per row in the result set returned by the
 *   database." (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.limitations.html; the
 *   troubleshooting page names the errors "Database Response Exceeded Size Limit" and "Packet for query is too
 *   large": https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.troubleshooting.html).
 *   The response is measured as the JSON body the stand-in would send, a row as the bytes of its values' text.
 * - SQL errors as `DatabaseErrorException` ("There was an error in processing the SQL statement").
 * - Transactions: a statement that fails inside a transaction ends it ("Transaction has been aborted due to an
 *   error from a previous call"); later calls with its id get `TransactionNotFoundException`. Two calls at once
 *   on one transaction: `DatabaseErrorException: Transaction is still running a query`.
 *
 * Where the documentation is silent, the stand-in chooses, and says so:
 * - Parameter types are bound the way PostgreSQL's JDBC driver binds the Java values the Data API builds (its
 *   documented behaviour is "sent as an object of <type> type"): `stringValue` as `varchar`, `longValue` as
 *   `int8`, `doubleValue` as `float8`, `booleanValue` as `bool`, DECIMAL as `numeric`, JSON as `json`, UUID as
 *   `uuid`, and `isNull`, DATE, TIME and TIMESTAMP untyped (the JDBC driver leaves date and time types to the
 *   server). So a plain string is not silently accepted where PostgreSQL wants a date, a number or jsonb.
 * - The wording of a SQL error, as reported from the service (PostgreSQL's JDBC message plus the SQLSTATE):
 *   `ERROR: <message>[\n  Detail: ...][\n  Hint: ...][\n  Position: n]; SQLState: <code>`.
 * - The error names for the size limits: `BadRequestException` ("There is an error in the call") for a request
 *   over 4 MiB or a statement over 65,536 characters, `UnsupportedResultException` ("There was a problem with the
 *   result because ... the size was too large") for a response over 1 MiB or a row over 64 KB.
 * - The session time zone is UTC (Aurora PostgreSQL's default); `timestamptz` values come back as UTC text
 *   without an offset, `YYYY-MM-DD HH:MM:SS[.ffffff]`.
 * - One PGlite session serves every call: a statement outside a transaction, or a new transaction, waits until
 *   the open transaction ends (the real service would run it on another connection). A statement outside a
 *   transaction runs in its own implicit transaction, rolled back when its result breaks a limit.
 * Not modelled: BatchExecuteStatement, `formatRecordsAs: JSON`, the `schema` parameter, the 3-minute transaction
 * timeout, DDL auto-commit (a MySQL behaviour), `serial` as a column type name.
 */

/** The documented limits, in bytes and characters. */
export const DATA_API_LIMITS = {
  /** 4 MiB, HTTP headers and JSON notation included. */
  maxRequestBytes: 4 * 1024 * 1024,
  /** 1 MiB of response data. */
  maxResponseBytes: 1024 * 1024,
  /** 64 KB per row of the result set. */
  maxRowBytes: 64 * 1024,
  /** `ExecuteStatement.sql`: maximum length 65,536. */
  maxSqlLength: 65_536,
} as const;

export type DataApiLimits = { -readonly [K in keyof typeof DATA_API_LIMITS]: number };

/** One call the stand-in answered, as it measured it. */
export interface DataApiCall {
  readonly operation: string;
  /** The HTTP request's size: request line, headers, blank line and body. */
  readonly requestBytes: number;
  /** The HTTP response body's size. */
  readonly responseBytes: number;
  readonly transactionId?: string;
  /** The statement's first line, for ExecuteStatement. */
  readonly statement?: string;
  /** The modelled exception's name, when the call failed. */
  readonly error?: string;
}

export interface DataApiOnPglite {
  /** A real RDS Data API client whose calls the stand-in answers. */
  readonly client: RDSDataClient;
  readonly target: { readonly resourceArn: string; readonly secretArn: string; readonly database: string };
  /** `createDataApiSql` over `client`: the adapter a360 runs in AWS. */
  readonly sql: Sql;
  /** Every call answered, in order. */
  readonly calls: DataApiCall[];
  /** The database itself, for checks that bypass the Data API. */
  readonly db: PGlite;
  readonly limits: DataApiLimits;
  close(): Promise<void>;
}

export const STAND_IN_TARGET = {
  resourceArn: 'arn:aws:rds:eu-west-1:111122223333:cluster:a360-standin',
  secretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:a360-standin-db-AbCdEf',
  database: 'a360',
};

/** A fresh stand-in over an empty in-memory PGlite database. */
export async function createDataApiOnPglite(
  options: { limits?: Partial<DataApiLimits>; sessionWaitMs?: number } = {},
): Promise<DataApiOnPglite> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create();
  const limits = { ...DATA_API_LIMITS, ...options.limits };
  const service = new DataApiService(db, limits, options.sessionWaitMs ?? 30_000);
  await service.start();
  const client = new RDSDataClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIASTANDIN', secretAccessKey: 'stand-in-secret' },
  });
  client.middlewareStack.use(service.plugin());
  const sql = createDataApiSql({ client, ...STAND_IN_TARGET, retry: { attempts: 2, baseDelayMs: 1 } });
  return {
    client,
    target: STAND_IN_TARGET,
    sql,
    calls: service.calls,
    db,
    limits,
    async close() {
      client.destroy();
      if (!db.closed) await db.close();
    },
  };
}

/** The contract suite's backend: `createDataApiSql` over the stand-in, migrated through the Data API. */
export function dataApiOnPgliteBackend(): {
  readonly name: 'data-api';
  create(): Promise<{ sql: Sql; drop(): Promise<void> }>;
} {
  return {
    name: 'data-api',
    async create() {
      const standIn = await createDataApiOnPglite();
      await migrate(standIn.sql, await readSchemaFiles());
      return { sql: standIn.sql, drop: () => standIn.close() };
    },
  };
}

/** The size of an HTTP/1.1 request message: request line, header lines, blank line, body. */
export function httpRequestBytes(request: HttpRequest): number {
  const query = Object.entries(request.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  let bytes = Buffer.byteLength(`${request.method} ${request.path}${query ? `?${query}` : ''} HTTP/1.1\r\n`);
  for (const [name, value] of Object.entries(request.headers))
    bytes += Buffer.byteLength(`${name}: ${value}\r\n`);
  bytes += 2;
  return bytes + bodyBytes(request.body);
}

function bodyBytes(body: unknown): number {
  if (body === undefined || body === null) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  throw new Error(`the Data API stand-in cannot measure a ${typeof body} request body`);
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  // The SDK's JSON body is a Uint8Array whose string methods warn: decode the bytes themselves.
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  throw new Error(`the Data API stand-in cannot read a ${typeof body} request body`);
}

/** A modelled Data API error, answered as the service answers it: status, `x-amzn-errortype`, `{ message }`. */
class ServiceError extends Error {
  readonly status: number;
  constructor(name: string, message: string, status = 400) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

const badRequest = (message: string) => new ServiceError('BadRequestException', message);
const transactionNotFound = (id: string, reason?: string) =>
  new ServiceError(
    'TransactionNotFoundException',
    `Transaction ${id} is not found${reason ? `: ${reason}` : ''}`,
    404,
  );

interface PgError {
  message?: string;
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
}

/** PostgreSQL's error as the Data API words it (the JDBC driver's message plus the SQLSTATE). */
function databaseError(error: unknown): ServiceError {
  const e = (error ?? {}) as PgError;
  if (!e.code) throw error;
  const parts = [`ERROR: ${e.message ?? ''}`];
  if (e.detail) parts.push(`\n  Detail: ${e.detail}`);
  if (e.hint) parts.push(`\n  Hint: ${e.hint}`);
  if (e.position) parts.push(`\n  Position: ${e.position}`);
  return new ServiceError('DatabaseErrorException', `${parts.join('')}; SQLState: ${e.code}`);
}

interface RequestParameter {
  name?: string;
  value?: Record<string, unknown>;
  typeHint?: string;
}

interface ExecuteRequest {
  resourceArn?: string;
  secretArn?: string;
  database?: string;
  schema?: string;
  sql?: string;
  parameters?: RequestParameter[];
  transactionId?: string;
  includeResultMetadata?: boolean;
  continueAfterTimeout?: boolean;
  resultSetOptions?: { decimalReturnType?: string; longReturnType?: string };
  formatRecordsAs?: string;
}

/** PostgreSQL type OIDs the stand-in binds parameters with; 0 lets the server infer the type. */
const OID = {
  unknown: 0,
  bool: 16,
  int8: 20,
  json: 114,
  float8: 701,
  varchar: 1043,
  numeric: 1700,
  uuid: 2950,
} as const;

const FORMATS: Record<string, RegExp> = {
  DATE: /^\d{4}-\d{2}-\d{2}$/,
  TIME: /^\d{2}:\d{2}:\d{2}(\.\d{1,3})?$/,
  TIMESTAMP: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,3})?$/,
};

/** A bound parameter: the text PostgreSQL receives and the type it is bound as. */
function bindParameter(parameter: RequestParameter): { text: string | null; oid: number } {
  const value = parameter.value ?? {};
  const members = Object.keys(value);
  if (members.length !== 1) {
    throw badRequest(`Parameter ${parameter.name}: exactly one value member is required`);
  }
  const hint = parameter.typeHint;
  if ('isNull' in value) return { text: null, oid: OID.unknown };
  if ('stringValue' in value) {
    const text = String(value.stringValue);
    if (hint === undefined) return { text, oid: OID.varchar };
    const format = FORMATS[hint];
    if (format && !format.test(text)) {
      throw badRequest(`Parameter ${parameter.name}: "${text}" is not in the ${hint} format`);
    }
    switch (hint) {
      case 'DATE':
      case 'TIME':
      case 'TIMESTAMP':
        return { text, oid: OID.unknown };
      case 'DECIMAL':
        return { text, oid: OID.numeric };
      case 'JSON':
        return { text, oid: OID.json };
      case 'UUID':
        return { text, oid: OID.uuid };
      default:
        throw badRequest(`Parameter ${parameter.name}: unknown typeHint ${hint}`);
    }
  }
  if (hint !== undefined) {
    throw badRequest(`Parameter ${parameter.name}: typeHint ${hint} applies to a stringValue only`);
  }
  if ('longValue' in value) return { text: String(value.longValue), oid: OID.int8 };
  if ('doubleValue' in value) return { text: String(value.doubleValue), oid: OID.float8 };
  if ('booleanValue' in value) return { text: value.booleanValue ? 't' : 'f', oid: OID.bool };
  if ('arrayValue' in value) throw badRequest('Array parameters are not supported.');
  if ('blobValue' in value) {
    return { text: `\\x${Buffer.from(String(value.blobValue), 'base64').toString('hex')}`, oid: 17 };
  }
  throw badRequest(`Parameter ${parameter.name}: unsupported value ${members[0]}`);
}

/**
 * Rewrites `:name` to `$n` the way the service's parser does: not inside string literals, quoted identifiers,
 * dollar-quoted bodies or comments, and not in `::type` casts. Written independently of a360's own rewriter so
 * that the two are not the same code checking itself.
 */
export function bindNamedParameters(sql: string): { text: string; names: string[] } {
  const names: string[] = [];
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === "'" || c === '"') {
      const escapes = c === "'" && /[eE]/.test(sql[i - 1] ?? '') && !/[\w$]/.test(sql[i - 2] ?? '');
      let j = i + 1;
      while (j < n) {
        if (escapes && sql[j] === '\\') j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j += 1;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const j = end === -1 ? n : end;
      out += sql.slice(i, j);
      i = j;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] === '/' && sql[j + 1] === '*') {
          depth += 1;
          j += 2;
        } else if (sql[j] === '*' && sql[j + 1] === '/') {
          depth -= 1;
          j += 2;
        } else j += 1;
      }
      out += sql.slice(i, j);
      i = j;
    } else if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? '')) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        const j = close === -1 ? n : close + tag[0].length;
        out += sql.slice(i, j);
        i = j;
      } else {
        out += c;
        i += 1;
      }
    } else if (c === ':' && next === ':') {
      out += '::';
      i += 2;
    } else if (c === ':' && /[A-Za-z_]/.test(next ?? '')) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))?.[0] as string;
      let position = names.indexOf(name);
      if (position === -1) {
        names.push(name);
        position = names.length - 1;
      }
      out += `$${position + 1}`;
      i += 1 + name.length;
    } else {
      out += c;
      i += 1;
    }
  }
  return { text: out, names };
}

interface PgType {
  readonly name: string;
  readonly category: string;
  readonly element: number;
}

/** `java.sql.Types` as PostgreSQL's JDBC driver reports them in `ColumnMetadata.type`. */
const JDBC_TYPES: Record<string, number> = {
  bool: -7,
  int2: 5,
  int4: 4,
  int8: -5,
  oid: -5,
  float4: 7,
  float8: 8,
  numeric: 2,
  bpchar: 1,
  varchar: 12,
  text: 12,
  name: 12,
  date: 91,
  time: 92,
  timetz: 92,
  timestamp: 93,
  timestamptz: 93,
  bytea: -2,
};

type FieldValue =
  | { isNull: true }
  | { stringValue: string }
  | { longValue: number }
  | { doubleValue: number }
  | { booleanValue: boolean }
  | { blobValue: string }
  | { arrayValue: ArrayJson };

type ArrayJson =
  | { stringValues: Array<string | null> }
  | { longValues: Array<number | null> }
  | { doubleValues: Array<number | null> }
  | { booleanValues: Array<boolean | null> }
  | { arrayValues: ArrayJson[] };

/** `2026-01-02 08:34:05.678+05:30` (a timestamptz in the session's zone) as UTC, without an offset. */
function timestamptzAsUtc(text: string): string {
  const m =
    /^(\d{4,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d+)?([+-])(\d{2})(?::(\d{2}))?(?::(\d{2}))?$/.exec(
      text,
    );
  if (!m) return text;
  const [, y, mo, d, h, mi, s, fraction, sign, oh, om, os] = m;
  const offset = (Number(oh) * 3600 + Number(om ?? 0) * 60 + Number(os ?? 0)) * (sign === '-' ? -1 : 1);
  const utc = new Date(
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offset * 1000,
  );
  const pad = (v: number, w = 2) => String(v).padStart(w, '0');
  return `${pad(utc.getUTCFullYear(), 4)}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())} ${pad(
    utc.getUTCHours(),
  )}:${pad(utc.getUTCMinutes())}:${pad(utc.getUTCSeconds())}${fraction ?? ''}`;
}

/** A PostgreSQL array literal (`{1,NULL,"a b"}`, nested `{{1,2},{3,4}}`) as nested arrays of text or null. */
export function parseArrayLiteral(text: string): unknown[] {
  let i = 0;
  const parse = (): unknown[] => {
    if (text[i] !== '{') throw new Error(`not an array literal: ${text}`);
    i += 1;
    const items: unknown[] = [];
    if (text[i] === '}') {
      i += 1;
      return items;
    }
    for (;;) {
      if (text[i] === '{') items.push(parse());
      else if (text[i] === '"') {
        let value = '';
        i += 1;
        while (text[i] !== '"') {
          if (text[i] === '\\') i += 1;
          value += text[i];
          i += 1;
        }
        i += 1;
        items.push(value);
      } else {
        let j = i;
        while (text[j] !== ',' && text[j] !== '}') j += 1;
        const raw = text.slice(i, j);
        items.push(raw === 'NULL' ? null : raw);
        i = j;
      }
      if (text[i] === ',') i += 1;
      else if (text[i] === '}') {
        i += 1;
        return items;
      } else throw new Error(`malformed array literal: ${text}`);
    }
  };
  return parse();
}

interface OpenTransaction {
  readonly id: string;
  running: boolean;
}

const AUTOCOMMIT = 'autocommit';

class DataApiService {
  readonly calls: DataApiCall[] = [];
  private readonly db: PGlite;
  private readonly limits: DataApiLimits;
  private readonly sessionWaitMs: number;
  private readonly types = new Map<number, PgType>();
  private readonly ended = new Map<string, string>();
  private open: OpenTransaction | undefined;
  private waiting: Array<() => void> = [];
  /** Raw text for every type PGlite would otherwise parse: the stand-in formats values itself. */
  private rawParsers: Record<number, (value: string) => string> = {};
  private rawSerializers: Record<number, (value: unknown) => string> = {};

  constructor(db: PGlite, limits: DataApiLimits, sessionWaitMs: number) {
    this.db = db;
    this.limits = limits;
    this.sessionWaitMs = sessionWaitMs;
  }

  async start(): Promise<void> {
    const { types } = await import('@electric-sql/pglite');
    const identity = (value: string) => value;
    this.rawParsers = Object.fromEntries(Object.keys(types.parsers).map((oid) => [Number(oid), identity]));
    this.rawSerializers = Object.fromEntries(
      Object.keys(types.serializers).map((oid) => [Number(oid), (value: unknown) => String(value)]),
    );
    // Aurora PostgreSQL's default time zone.
    await this.db.exec(`SET TimeZone = 'UTC'`);
    await this.loadTypes();
  }

  plugin(): Pluggable<ServiceInputTypes, ServiceOutputTypes> {
    const middleware =
      (_next: unknown, context: HandlerExecutionContext) =>
      async (args: DeserializeHandlerArguments<object>): Promise<DeserializeHandlerOutput<object>> => {
        const operation = (context.commandName ?? '').replace(/Command$/, '');
        return { response: await this.answer(operation, args.request as HttpRequest) } as never;
      };
    return {
      applyToStack: (stack) => {
        stack.add(middleware as never, { step: 'deserialize', priority: 'low', name: 'a360DataApiOnPglite' });
      },
    };
  }

  private async answer(operation: string, request: HttpRequest): Promise<HttpResponse> {
    const requestBytes = httpRequestBytes(request);
    let body: ExecuteRequest = {};
    let result: { status: number; headers: Record<string, string>; text: string };
    try {
      if (requestBytes > this.limits.maxRequestBytes) {
        throw badRequest(
          `Request size ${requestBytes} bytes exceeds the maximum of ${this.limits.maxRequestBytes} bytes`,
        );
      }
      body = JSON.parse(bodyText(request.body) || '{}') as ExecuteRequest;
      this.checkTarget(body);
      const output = await this.dispatch(operation, body);
      result = { status: 200, headers: { 'content-type': 'application/json' }, text: JSON.stringify(output) };
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      result = {
        status: error.status,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.name },
        text: JSON.stringify({ message: error.message }),
      };
    }
    const bytes = new TextEncoder().encode(result.text);
    this.calls.push({
      operation,
      requestBytes,
      responseBytes: bytes.byteLength,
      ...(body.transactionId ? { transactionId: body.transactionId } : {}),
      ...(typeof body.sql === 'string'
        ? { statement: body.sql.trim().split('\n')[0]?.slice(0, 120) ?? '' }
        : {}),
      ...(result.status === 200 ? {} : { error: result.headers['x-amzn-errortype'] as string }),
    });
    return new HttpResponse({
      statusCode: result.status,
      headers: {
        ...result.headers,
        'content-length': String(bytes.byteLength),
        'x-amzn-requestid': randomBytes(16).toString('hex'),
      },
      body: bytes,
    });
  }

  private checkTarget(body: ExecuteRequest): void {
    if (!body.resourceArn || !body.secretArn) throw badRequest('resourceArn and secretArn are required');
    if (body.resourceArn !== STAND_IN_TARGET.resourceArn) {
      throw new ServiceError('NotFoundException', `DB cluster ${body.resourceArn} not found`, 404);
    }
    if (body.secretArn !== STAND_IN_TARGET.secretArn) {
      throw new ServiceError('BadRequestException', `Secret ${body.secretArn} not found`);
    }
    if (body.database !== undefined && body.database !== STAND_IN_TARGET.database) {
      throw new ServiceError(
        'DatabaseErrorException',
        `FATAL: database "${body.database}" does not exist; SQLState: 3D000`,
      );
    }
    if (body.schema !== undefined) throw badRequest("The schema parameter isn't supported.");
  }

  private async dispatch(operation: string, body: ExecuteRequest): Promise<object> {
    switch (operation) {
      case 'ExecuteStatement':
        return this.executeStatement(body);
      case 'BeginTransaction':
        return this.beginTransaction();
      case 'CommitTransaction':
        return this.endTransaction(body.transactionId, 'COMMIT', 'Transaction Committed');
      case 'RollbackTransaction':
        return this.endTransaction(body.transactionId, 'ROLLBACK', 'Rollback Complete');
      default:
        throw new Error(`the Data API stand-in does not model ${operation}`);
    }
  }

  private async beginTransaction(): Promise<object> {
    await this.waitForSession('BeginTransaction');
    const id = randomBytes(96).toString('base64');
    this.open = { id, running: true };
    try {
      await this.db.query('BEGIN');
    } catch (error) {
      this.close();
      throw databaseError(error);
    }
    this.open.running = false;
    return { transactionId: id };
  }

  private async endTransaction(id: string | undefined, command: string, status: string): Promise<object> {
    if (!id) throw badRequest('transactionId is required');
    const open = this.transaction(id);
    open.running = true;
    try {
      await this.db.query(command);
    } catch (error) {
      await this.db.query('ROLLBACK').catch(() => undefined);
      throw databaseError(error);
    } finally {
      this.ended.set(
        id,
        command === 'COMMIT' ? 'Transaction has been committed' : 'Transaction has been rolled back',
      );
      this.close();
    }
    return { transactionStatus: status };
  }

  /** The open transaction with this id, or the error the service gives for it. */
  private transaction(id: string): OpenTransaction {
    if (this.open?.id !== id) throw transactionNotFound(id, this.ended.get(id));
    if (this.open.running) {
      throw new ServiceError('DatabaseErrorException', 'Transaction is still running a query');
    }
    return this.open;
  }

  private async executeStatement(body: ExecuteRequest): Promise<object> {
    if (typeof body.sql !== 'string') throw badRequest('sql is required');
    if (body.sql.length > this.limits.maxSqlLength) {
      throw badRequest(`sql is ${body.sql.length} characters long, more than ${this.limits.maxSqlLength}`);
    }
    if (body.formatRecordsAs !== undefined && body.formatRecordsAs !== 'NONE') {
      throw new Error('the Data API stand-in does not model formatRecordsAs: JSON');
    }
    const { text, names } = bindNamedParameters(body.sql);
    const given = new Map((body.parameters ?? []).map((p) => [p.name ?? '', p]));
    const bound = names.map((name) => {
      const parameter = given.get(name);
      if (!parameter) throw badRequest(`No value specified for parameter: ${name}`);
      return bindParameter(parameter);
    });

    const inTransaction = body.transactionId !== undefined;
    let open: OpenTransaction;
    if (inTransaction) {
      open = this.transaction(body.transactionId as string);
      open.running = true;
    } else {
      await this.waitForSession('ExecuteStatement');
      open = { id: AUTOCOMMIT, running: true };
      this.open = open;
      await this.db.query('BEGIN');
    }
    try {
      const output = await this.run(text, bound, body);
      if (inTransaction) open.running = false;
      else {
        await this.db.query('COMMIT');
        this.close();
      }
      return output;
    } catch (error) {
      await this.db.query('ROLLBACK').catch(() => undefined);
      if (inTransaction) {
        this.ended.set(open.id, 'Transaction has been aborted due to an error from a previous call');
      }
      this.close();
      throw error instanceof ServiceError ? error : databaseError(error);
    }
  }

  private async run(
    text: string,
    bound: ReadonlyArray<{ text: string | null; oid: number }>,
    body: ExecuteRequest,
  ): Promise<object> {
    const result = await this.db.query<unknown[]>(
      text,
      bound.map((b) => b.text),
      {
        rowMode: 'array',
        paramTypes: bound.map((b) => b.oid),
        parsers: this.rawParsers,
        serializers: this.rawSerializers,
      },
    );
    const fields = result.fields ?? [];
    if (fields.length === 0) {
      return { numberOfRecordsUpdated: result.affectedRows ?? 0, generatedFields: [] };
    }
    await this.loadTypes(fields.map((f) => f.dataTypeID));
    const options = body.resultSetOptions ?? {};
    const records = result.rows.map((row) => {
      const rowBytes = row.reduce<number>(
        (sum, value) => sum + (value === null ? 0 : Buffer.byteLength(String(value))),
        0,
      );
      if (rowBytes > this.limits.maxRowBytes) {
        throw new ServiceError('UnsupportedResultException', 'Packet for query is too large');
      }
      return row.map((value, i) => this.field(value as string | null, fields[i]?.dataTypeID ?? 0, options));
    });
    const output = {
      records,
      ...(body.includeResultMetadata
        ? { columnMetadata: fields.map((f) => this.columnMetadata(f.name, f.dataTypeID)) }
        : {}),
      numberOfRecordsUpdated: 0,
      generatedFields: [],
    };
    if (Buffer.byteLength(JSON.stringify(output)) > this.limits.maxResponseBytes) {
      throw new ServiceError('UnsupportedResultException', 'Database response exceeded size limit');
    }
    return output;
  }

  private field(
    value: string | null,
    oid: number,
    options: { decimalReturnType?: string; longReturnType?: string },
  ): FieldValue {
    if (value === null) return { isNull: true };
    const type = this.types.get(oid);
    if (type?.category === 'A') return { arrayValue: this.arrayJson(parseArrayLiteral(value), type.element) };
    return this.scalar(value, type?.name ?? '', options);
  }

  private scalar(
    value: string,
    typeName: string,
    options: { decimalReturnType?: string; longReturnType?: string } = {},
  ): FieldValue {
    switch (typeName) {
      case 'bool':
        return { booleanValue: value === 't' };
      case 'int2':
      case 'int4':
      case 'int8':
      case 'oid':
        return options.longReturnType === 'STRING' ? { stringValue: value } : { longValue: Number(value) };
      case 'float4':
      case 'float8':
        return { doubleValue: Number(value) };
      case 'numeric':
        if (options.decimalReturnType === 'DOUBLE_OR_LONG') {
          return value.includes('.') ? { doubleValue: Number(value) } : { longValue: Number(value) };
        }
        return { stringValue: value };
      case 'timestamptz':
        return { stringValue: timestamptzAsUtc(value) };
      case 'bytea':
        return { blobValue: Buffer.from(value.replace(/^\\x/, ''), 'hex').toString('base64') };
      default:
        return { stringValue: value };
    }
  }

  private arrayJson(items: unknown[], elementOid: number): ArrayJson {
    if (items.some((item) => Array.isArray(item))) {
      return { arrayValues: items.map((item) => this.arrayJson(item as unknown[], elementOid)) };
    }
    const typeName = this.types.get(elementOid)?.name ?? '';
    const values = items.map((item) => (item === null ? null : this.scalar(item as string, typeName)));
    const pick = <K extends string>(key: K) =>
      values.map((v) => (v === null ? null : ((v as Record<string, unknown>)[key] ?? null)));
    if (['bool'].includes(typeName)) return { booleanValues: pick('booleanValue') as Array<boolean | null> };
    if (['int2', 'int4', 'int8', 'oid'].includes(typeName)) {
      return { longValues: pick('longValue') as Array<number | null> };
    }
    if (['float4', 'float8'].includes(typeName))
      return { doubleValues: pick('doubleValue') as Array<number | null> };
    return { stringValues: pick('stringValue') as Array<string | null> };
  }

  private columnMetadata(name: string, oid: number): object {
    const type = this.types.get(oid);
    const typeName = type?.name ?? 'unknown';
    return {
      name,
      label: name,
      typeName,
      type: type?.category === 'A' ? 2003 : (JDBC_TYPES[typeName] ?? 1111),
      schemaName: '',
      tableName: '',
      isAutoIncrement: false,
      isSigned: ['int2', 'int4', 'int8', 'float4', 'float8', 'numeric'].includes(typeName),
      isCurrency: false,
      isCaseSensitive: ['text', 'varchar', 'bpchar', 'name'].includes(typeName),
      nullable: 2,
      precision: 0,
      scale: 0,
      arrayBaseColumnType: 0,
    };
  }

  /** Type names from pg_catalog, for the given OIDs (all of them at start, new ones as they appear). */
  private async loadTypes(oids?: readonly number[]): Promise<void> {
    const missing = oids?.filter((oid) => !this.types.has(oid));
    if (oids && missing?.length === 0) return;
    const result = await this.db.query<{
      oid: number;
      typname: string;
      typcategory: string;
      typelem: number;
    }>(
      `SELECT oid::int4 AS oid, typname, typcategory, typelem::int4 AS typelem FROM pg_type${
        missing ? ` WHERE oid = ANY('{${missing.join(',')}}'::oid[])` : ''
      }`,
    );
    for (const row of result.rows) {
      this.types.set(Number(row.oid), {
        name: row.typname,
        category: row.typcategory,
        element: Number(row.typelem),
      });
    }
  }

  /** Waits until no transaction holds the one PGlite session. */
  private async waitForSession(what: string): Promise<void> {
    const deadline = Date.now() + this.sessionWaitMs;
    while (this.open) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(
          `the Data API stand-in has one PGlite session: ${what} waited ${this.sessionWaitMs} ms for transaction ${this.open.id.slice(0, 12)}... to end`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private close(): void {
    this.open = undefined;
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}
