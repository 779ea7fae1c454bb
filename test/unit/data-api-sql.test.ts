import {
  BadRequestException,
  BeginTransactionCommand,
  CommitTransactionCommand,
  DatabaseErrorException,
  DatabaseResumingException,
  ExecuteStatementCommand,
  ForbiddenException,
  RDSDataClient,
  RDSDataServiceException,
  RollbackTransactionCommand,
} from '@aws-sdk/client-rds-data';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createDataApiSql } from '../../functions/adapters/aws/data-api-sql.ts';
import { InvalidInputError, LoadError, TransientError } from '../../functions/platform/errors.ts';
import { sqlDate, sqlDecimal, sqlJson } from '../../functions/ports.ts';

const mock = mockClient(RDSDataClient);
const client = new RDSDataClient({ region: 'eu-west-1' });
const target = {
  resourceArn: 'arn:aws:rds:eu-west-1:111122223333:cluster:a360',
  secretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:a360-db',
  database: 'a360',
};
const sql = createDataApiSql({ client, ...target, retry: { attempts: 3, baseDelayMs: 1 } });

afterEach(() => {
  mock.reset();
  vi.restoreAllMocks();
});
afterAll(() => mock.restore());

const resuming = () =>
  new DatabaseResumingException({ message: 'The Aurora DB instance db-1 is resuming', $metadata: {} });

describe('parameters', () => {
  it('sends every kind of parameter as the SqlParameter the Data API expects', async () => {
    mock.on(ExecuteStatementCommand).resolves({ records: [] });
    const text = 'SELECT :s, :i, :f, :b, :n, :t, :j, :d, :day';
    await sql.query(text, {
      s: 'text',
      i: 42,
      f: 1.5,
      b: false,
      n: null,
      t: new Date('2024-03-05T07:08:09.123Z'),
      j: sqlJson({ a: [1, 'x'] }),
      d: sqlDecimal('12345678901234.1234567890'),
      day: sqlDate('2024-03-05'),
    });
    expect(mock.commandCalls(ExecuteStatementCommand)[0]?.args[0].input).toEqual({
      ...target,
      sql: text,
      includeResultMetadata: true,
      parameters: [
        { name: 's', value: { stringValue: 'text' } },
        { name: 'i', value: { longValue: 42 } },
        { name: 'f', value: { doubleValue: 1.5 } },
        { name: 'b', value: { booleanValue: false } },
        { name: 'n', value: { isNull: true } },
        { name: 't', value: { stringValue: '2024-03-05 07:08:09.123' }, typeHint: 'TIMESTAMP' },
        { name: 'j', value: { stringValue: '{"a":[1,"x"]}' }, typeHint: 'JSON' },
        { name: 'd', value: { stringValue: '12345678901234.1234567890' }, typeHint: 'DECIMAL' },
        { name: 'day', value: { stringValue: '2024-03-05' }, typeHint: 'DATE' },
      ],
    });
  });

  it('rejects a referenced :name without a value and sends nothing', async () => {
    mock.on(ExecuteStatementCommand).resolves({ records: [] });
    await expect(sql.query('SELECT * FROM t WHERE a = :a AND b = :b', { a: 1 })).rejects.toThrow(
      new InvalidInputError('SQL parameter :b has no value'),
    );
    await expect(sql.execute('DELETE FROM t WHERE a = :a')).rejects.toBeInstanceOf(InvalidInputError);
    expect(mock.commandCalls(ExecuteStatementCommand)).toHaveLength(0);
  });

  it('leaves casts, literals and comments alone and passes the SQL text through unchanged', async () => {
    mock.on(ExecuteStatementCommand).resolves({ numberOfRecordsUpdated: 1 });
    const text = "INSERT INTO t (doc, note) VALUES (:doc::jsonb, ':not_a_param') -- :nor_this\n";
    await expect(sql.execute(text, { doc: sqlJson({}) })).resolves.toBe(1);
    expect(mock.commandCalls(ExecuteStatementCommand)[0]?.args[0].input).toEqual({
      ...target,
      sql: text,
      parameters: [{ name: 'doc', value: { stringValue: '{}' }, typeHint: 'JSON' }],
    });
  });
});

describe('results', () => {
  const columnMetadata = [
    { name: 'amount', typeName: 'numeric' },
    { name: 'small', typeName: 'int2' },
    { name: 'count', typeName: 'int4' },
    { name: 'big', typeName: 'int8' },
    { name: 'big_text', typeName: 'int8' },
    { name: 'id', typeName: 'serial' },
    { name: 'ratio', typeName: 'float8' },
    { name: 'flag', typeName: 'bool' },
    { name: 'name', typeName: 'text' },
    { name: 'code', typeName: 'bpchar' },
    { name: 'uid', typeName: 'uuid' },
    { name: 'day', typeName: 'date' },
    { name: 'at', typeName: 'timestamptz' },
    { name: 'local_at', typeName: 'timestamp' },
    { name: 'doc', typeName: 'jsonb' },
    { name: 'ids', typeName: '_int4' },
    { name: 'tags', typeName: '_text' },
    { name: 'other', typeName: 'interval' },
  ];

  it('normalises every column type the way the port says', async () => {
    mock.on(ExecuteStatementCommand).resolves({
      columnMetadata,
      records: [
        [
          { stringValue: '12345678901234.1234567890' },
          { longValue: -3 },
          { longValue: 7 },
          { longValue: 9007199254740991 },
          { stringValue: '1234567890123' },
          { longValue: 1 },
          { doubleValue: 0.25 },
          { booleanValue: true },
          { stringValue: 'alpha' },
          { stringValue: 'EU ' },
          { stringValue: '0f8fad5b-d9cb-469f-a165-70867728950e' },
          { stringValue: '2024-02-29' },
          { stringValue: '2024-03-05 07:08:09.123456' },
          { stringValue: '2024-03-05 07:08:09' },
          { stringValue: '{"a":[1,{"b":null}],"n":1.50}' },
          { arrayValue: { longValues: [1, 2, 3] } },
          { arrayValue: { stringValues: ['x', 'y'] } },
          { stringValue: '1 day 02:00:00' },
        ],
      ],
    });
    const rows = await sql.query('SELECT * FROM everything');
    expect(rows).toEqual([
      {
        amount: '12345678901234.1234567890',
        small: -3,
        count: 7,
        big: 9007199254740991,
        big_text: 1234567890123,
        id: 1,
        ratio: 0.25,
        flag: true,
        name: 'alpha',
        code: 'EU ',
        uid: '0f8fad5b-d9cb-469f-a165-70867728950e',
        day: '2024-02-29',
        at: new Date('2024-03-05T07:08:09.123Z'),
        local_at: new Date('2024-03-05T07:08:09.000Z'),
        doc: { a: [1, { b: null }], n: 1.5 },
        ids: [1, 2, 3],
        tags: ['x', 'y'],
        other: '1 day 02:00:00',
      },
    ]);
    expect(rows.map((row) => (row.at as Date).getTime())).toEqual([Date.UTC(2024, 2, 5, 7, 8, 9, 123)]);
  });

  it('maps NULL to null for every type, including inside arrays', async () => {
    mock.on(ExecuteStatementCommand).resolves({
      columnMetadata: [...columnMetadata, { name: 'stamps', typeName: '_timestamptz' }],
      records: [
        [
          ...columnMetadata.map((column) =>
            column.name === 'ids' ? { arrayValue: { longValues: [1, null] } } : { isNull: true },
          ),
          { arrayValue: { stringValues: ['2024-01-01 00:00:00.5', null] } },
        ],
      ],
    });
    const [row] = await sql.query('SELECT * FROM everything');
    expect(row).toEqual({
      ...Object.fromEntries(columnMetadata.map((column) => [column.name, null])),
      ids: [1, null],
      stamps: [new Date('2024-01-01T00:00:00.500Z'), null],
    });
  });

  it('keys rows by label before name and keeps the order of records', async () => {
    mock.on(ExecuteStatementCommand).resolves({
      columnMetadata: [{ name: 'count', label: 'n', typeName: 'int8' }, { name: 'total' }],
      records: [
        [{ longValue: 1 }, { stringValue: 'raw' }],
        [{ longValue: 2 }, { longValue: 5 }],
      ],
    });
    await expect(sql.query('SELECT count(*) AS n, total FROM t')).resolves.toEqual([
      { n: 1, total: 'raw' },
      { n: 2, total: 5 },
    ]);
  });

  it('returns no rows when the statement returns no records', async () => {
    mock.on(ExecuteStatementCommand).resolves({ numberOfRecordsUpdated: 3 });
    await expect(sql.query('UPDATE t SET a = 1')).resolves.toEqual([]);
  });

  it('execute returns numberOfRecordsUpdated (0 when absent) without asking for metadata', async () => {
    mock.on(ExecuteStatementCommand).resolvesOnce({ numberOfRecordsUpdated: 17 }).resolvesOnce({});
    await expect(sql.execute('DELETE FROM t WHERE a = :a', { a: 'x' })).resolves.toBe(17);
    await expect(sql.execute('CREATE TABLE u (a int)')).resolves.toBe(0);
    const input = mock.commandCalls(ExecuteStatementCommand)[0]?.args[0].input;
    expect(input).toEqual({
      ...target,
      sql: 'DELETE FROM t WHERE a = :a',
      parameters: [{ name: 'a', value: { stringValue: 'x' } }],
    });
  });
});

describe('transactions', () => {
  it('runs every statement in one transaction and commits it', async () => {
    mock.on(BeginTransactionCommand).resolves({ transactionId: 'tx-1' });
    mock.on(ExecuteStatementCommand).resolves({ numberOfRecordsUpdated: 1 });
    mock.on(CommitTransactionCommand).resolves({ transactionStatus: 'Transaction Committed' });
    const result = await sql.transaction(async (tx) => {
      await tx.execute('DELETE FROM t');
      await tx.transaction((inner) => inner.execute('INSERT INTO t VALUES (:a)', { a: 1 }));
      return 'done';
    });
    expect(result).toBe('done');
    expect(mock.commandCalls(BeginTransactionCommand).map((c) => c.args[0].input)).toEqual([target]);
    const statements = mock.commandCalls(ExecuteStatementCommand).map((c) => c.args[0].input);
    expect(statements.map((input) => input.transactionId)).toEqual(['tx-1', 'tx-1']);
    expect(mock.commandCalls(CommitTransactionCommand).map((c) => c.args[0].input)).toEqual([
      { resourceArn: target.resourceArn, secretArn: target.secretArn, transactionId: 'tx-1' },
    ]);
    expect(mock.commandCalls(RollbackTransactionCommand)).toHaveLength(0);
  });

  it('rolls back and rethrows when the work throws, even if the rollback fails', async () => {
    mock.on(BeginTransactionCommand).resolves({ transactionId: 'tx-2' });
    mock.on(ExecuteStatementCommand).resolves({});
    mock.on(RollbackTransactionCommand).rejects(new Error('rollback lost'));
    const boom = new Error('boom');
    await expect(
      sql.transaction(async (tx) => {
        await tx.execute('DELETE FROM t');
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(mock.commandCalls(RollbackTransactionCommand).map((c) => c.args[0].input)).toEqual([
      { resourceArn: target.resourceArn, secretArn: target.secretArn, transactionId: 'tx-2' },
    ]);
    expect(mock.commandCalls(CommitTransactionCommand)).toHaveLength(0);
  });

  it('does not retry inside a transaction: a transient error becomes TransientError and rolls back', async () => {
    mock.on(BeginTransactionCommand).resolves({ transactionId: 'tx-3' });
    mock.on(ExecuteStatementCommand).rejects(resuming());
    mock.on(RollbackTransactionCommand).resolves({});
    const error = await sql.transaction((tx) => tx.execute('DELETE FROM t')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toBe(
      'DatabaseResumingException: The Aurora DB instance db-1 is resuming [in: DELETE FROM t]',
    );
    expect(mock.commandCalls(ExecuteStatementCommand)).toHaveLength(1);
    expect(mock.commandCalls(RollbackTransactionCommand)).toHaveLength(1);
  });

  it('makes a deadlock or serialization failure transient, so the state machine retries the whole category', async () => {
    mock.on(BeginTransactionCommand).resolves({ transactionId: 'tx-5' });
    mock
      .on(ExecuteStatementCommand)
      .rejects(
        new DatabaseErrorException({ message: 'ERROR: deadlock detected; SQLState: 40P01', $metadata: {} }),
      );
    mock.on(RollbackTransactionCommand).resolves({});
    const error = await sql.transaction((tx) => tx.execute('UPDATE t SET a = 1')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(mock.commandCalls(ExecuteStatementCommand)).toHaveLength(1);
    expect(mock.commandCalls(RollbackTransactionCommand)).toHaveLength(1);
  });

  it('retries BeginTransaction while the database resumes', async () => {
    mock.on(BeginTransactionCommand).rejectsOnce(resuming()).resolves({ transactionId: 'tx-4' });
    mock.on(CommitTransactionCommand).resolves({});
    await expect(sql.transaction(async () => 1)).resolves.toBe(1);
    expect(mock.commandCalls(BeginTransactionCommand)).toHaveLength(2);
    expect(mock.commandCalls(CommitTransactionCommand)[0]?.args[0].input.transactionId).toBe('tx-4');
  });
});

describe('errors', () => {
  it('retries DatabaseResumingException until the database is back', async () => {
    mock
      .on(ExecuteStatementCommand)
      .rejectsOnce(resuming())
      .rejectsOnce(resuming())
      .resolves({ columnMetadata: [{ name: 'one', typeName: 'int4' }], records: [[{ longValue: 1 }]] });
    await expect(sql.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
    expect(mock.commandCalls(ExecuteStatementCommand)).toHaveLength(3);
  });

  it('retries throttling and lost connections too', async () => {
    // Unmodelled errors arrive as the service's base exception carrying the name AWS sent.
    const throttled = new RDSDataServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    mock
      .on(ExecuteStatementCommand)
      .rejectsOnce(throttled)
      .rejectsOnce(reset)
      .resolves({ numberOfRecordsUpdated: 2 });
    await expect(sql.execute('DELETE FROM t')).resolves.toBe(2);
    expect(mock.commandCalls(ExecuteStatementCommand)).toHaveLength(3);
  });

  it('throws TransientError naming the AWS error when the attempts run out', async () => {
    const last = resuming();
    mock.on(ExecuteStatementCommand).rejects(last);
    const error = await sql.query('SELECT 1\nFROM t').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).message).toBe(
      'DatabaseResumingException: The Aurora DB instance db-1 is resuming [in: SELECT 1] (after 3 attempts)',
    );
    expect((error as TransientError).cause).toBe(last);
    expect(mock.commandCalls(ExecuteStatementCommand)).toHaveLength(3);
  });

  it('makes 6 attempts by default', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    mock.on(ExecuteStatementCommand).rejects(resuming());
    const byDefault = createDataApiSql({ client, ...target });
    await expect(byDefault.execute('DELETE FROM t')).rejects.toBeInstanceOf(TransientError);
    expect(mock.commandCalls(ExecuteStatementCommand)).toHaveLength(6);
  });

  it('turns a SQL error into LoadError with the PostgreSQL message and the statement, without retrying', async () => {
    const message = 'ERROR: relation "missing" does not exist\n  Position: 15; SQLState: 42P01';
    mock.on(ExecuteStatementCommand).rejects(new BadRequestException({ message, $metadata: {} }));
    const error = await sql.query('SELECT * FROM missing\nWHERE a = 1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoadError);
    expect((error as LoadError).message).toBe(`BadRequestException: ${message} [in: SELECT * FROM missing]`);
    expect(mock.commandCalls(ExecuteStatementCommand)).toHaveLength(1);
  });

  it('treats DatabaseErrorException (SQL errors outside Serverless v1) and ForbiddenException as LoadError', async () => {
    mock
      .on(ExecuteStatementCommand)
      .rejectsOnce(
        new DatabaseErrorException({ message: 'ERROR: duplicate key value; SQLState: 23505', $metadata: {} }),
      )
      .rejectsOnce(new ForbiddenException({ message: 'not allowed', $metadata: {} }));
    await expect(sql.execute('INSERT INTO t VALUES (1)')).rejects.toThrow(
      new LoadError(
        'DatabaseErrorException: ERROR: duplicate key value; SQLState: 23505 [in: INSERT INTO t VALUES (1)]',
      ),
    );
    await expect(sql.execute('INSERT INTO t VALUES (2)')).rejects.toBeInstanceOf(LoadError);
    expect(mock.commandCalls(ExecuteStatementCommand)).toHaveLength(2);
  });

  it('close leaves the client alone', async () => {
    const destroy = vi.spyOn(client, 'destroy');
    await sql.close();
    expect(destroy).not.toHaveBeenCalled();
    expect(mock.calls()).toHaveLength(0);
  });
});
