import { describe, expect, it } from 'vitest';
import { mapPostgresError } from '../../functions/adapters/sql/postgres-sql.ts';
import { InvalidInputError, LoadError, TransientError } from '../../functions/platform/errors.ts';
import { sqlDate, sqlDecimal, sqlJson } from '../../functions/ports.ts';
import { dataApiOnPgliteBackend } from '../support/data-api-on-pglite.ts';
import { type DatabaseBackend, databaseBackends, useDatabase } from '../support/database.ts';

const WHEN = new Date('2026-11-26T06:07:08.123Z');
const DECIMAL = '12345678901234.1234567890';

let tables = 0;
const scratch = () => {
  tables += 1;
  return `sql_contract_${tables}`;
};

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

/**
 * PGlite, PostgreSQL when DATABASE_URL is set, and the RDS Data API adapter over the Data API stand-in (a real
 * RDSDataClient answered by PGlite below the SDK), so the one contract holds for all three adapters.
 */
const backends = [...databaseBackends(), dataApiOnPgliteBackend()];

describe.each(backends)('Sql port on $name', (backend) => {
  // useDatabase only calls create(); its type predates the Data API backend.
  const db = useDatabase(backend as DatabaseBackend);

  it('names its backend', () => {
    expect(db.sql.backend).toBe(backend.name);
  });

  describe('parameters', () => {
    it('round-trip every SqlParam kind through explicit casts', async () => {
      const [row] = await db.sql.query(
        `SELECT CAST(:text AS text) AS text, CAST(:int AS integer) AS int, CAST(:float AS double precision) AS float,
                CAST(:yes AS boolean) AS yes, CAST(:no AS boolean) AS no, CAST(:nothing AS text) AS nothing,
                CAST(:when AS timestamptz) AS "when", CAST(:json AS jsonb) AS json,
                CAST(:decimal AS numeric) AS decimal, CAST(:day AS date) AS day`,
        {
          text: "héllo 'world'; ünïcode 😀",
          int: -2_147_483_648,
          float: 0.1,
          yes: true,
          no: false,
          nothing: null,
          when: WHEN,
          json: sqlJson({ a: [1, 'two', null], nested: { ok: true }, quote: "it's" }),
          decimal: sqlDecimal(DECIMAL),
          day: sqlDate('2024-02-29'),
        },
      );
      expect(row).toEqual({
        text: "héllo 'world'; ünïcode 😀",
        int: -2_147_483_648,
        float: 0.1,
        yes: true,
        no: false,
        nothing: null,
        when: WHEN,
        json: { a: [1, 'two', null], nested: { ok: true }, quote: "it's" },
        decimal: DECIMAL,
        day: '2024-02-29',
      });
    });

    it('round-trip every SqlParam kind through typed table columns', async () => {
      const table = scratch();
      await db.sql.execute(`CREATE TABLE ${table} (
        t text, i integer, f double precision, b boolean, n text, ts timestamptz, j jsonb,
        d numeric(24, 10), day date)`);
      const params = {
        t: 'x',
        i: 7,
        f: 2.5,
        b: true,
        n: null,
        ts: WHEN,
        j: sqlJson([{ k: 'v' }]),
        d: sqlDecimal(DECIMAL),
        day: sqlDate('2025-12-31'),
      };
      await db.sql.execute(
        `INSERT INTO ${table} (t, i, f, b, n, ts, j, d, day) VALUES (:t, :i, :f, :b, :n, :ts, :j, :d, :day)`,
        params,
      );
      expect(await db.sql.query(`SELECT * FROM ${table}`)).toEqual([
        {
          t: 'x',
          i: 7,
          f: 2.5,
          b: true,
          n: null,
          ts: WHEN,
          j: [{ k: 'v' }],
          d: DECIMAL,
          day: '2025-12-31',
        },
      ]);
      // The Data API sends a JSON-hinted parameter as an object of JSON type (API reference), and PostgreSQL has
      // no `jsonb = json` operator: cast it.
      const matched = await db.sql.query(
        `SELECT t FROM ${table} WHERE ts = :ts AND d = :d AND day = :day AND j = CAST(:j AS jsonb)`,
        params,
      );
      expect(matched).toEqual([{ t: 'x' }]);
    });

    it('keeps a decimal exact where a float would round', async () => {
      const [row] = await db.sql.query('SELECT CAST(:d AS numeric) + 0.0000000001 AS sum', {
        d: sqlDecimal('99999999999999.9999999999'),
      });
      expect(row?.sum).toBe('100000000000000.0000000000');
    });

    it('rejects a missing parameter with an InvalidInputError before running anything', async () => {
      const error = await rejectionOf(db.sql.query('SELECT :present, :absent', { present: 1 }));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toBe('SQL parameter :absent has no value');
    });
  });

  describe('result normalisation', () => {
    it('returns every type as documented in ports.ts', async () => {
      const [row] = await db.sql.query(`SELECT
          CAST('1.50' AS numeric) AS numeric_value,
          CAST('12345678901234567890.123456789' AS numeric) AS big_numeric,
          CAST(7 AS int4) AS int4_value,
          CAST(-3 AS int2) AS int2_value,
          (SELECT count(*) FROM generate_series(1, 3)) AS count_value,
          CAST(9007199254740991 AS int8) AS int8_value,
          CAST(2.5 AS float8) AS float8_value,
          CAST(1.25 AS float4) AS float4_value,
          CAST('2024-02-29' AS date) AS date_value,
          CAST('2026-01-02T03:04:05.678Z' AS timestamptz) AS timestamptz_value,
          CAST('2026-01-02 03:04:05.678' AS timestamp) AS timestamp_value,
          CAST('{"a": [1, 2], "b": "x"}' AS json) AS json_value,
          CAST('{"c": null, "d": 1.5}' AS jsonb) AS jsonb_value,
          CAST('[1, "two"]' AS jsonb) AS jsonb_array,
          true AS true_value,
          false AS false_value,
          CAST('text' AS varchar(10)) AS varchar_value,
          CAST(NULL AS numeric) AS null_numeric,
          CAST(NULL AS date) AS null_date`);
      expect(row).toEqual({
        numeric_value: '1.50',
        big_numeric: '12345678901234567890.123456789',
        int4_value: 7,
        int2_value: -3,
        count_value: 3,
        int8_value: 9_007_199_254_740_991,
        float8_value: 2.5,
        float4_value: 1.25,
        date_value: '2024-02-29',
        timestamptz_value: new Date('2026-01-02T03:04:05.678Z'),
        timestamp_value: new Date('2026-01-02T03:04:05.678Z'),
        json_value: { a: [1, 2], b: 'x' },
        jsonb_value: { c: null, d: 1.5 },
        jsonb_array: [1, 'two'],
        true_value: true,
        false_value: false,
        varchar_value: 'text',
        null_numeric: null,
        null_date: null,
      });
      expect(typeof row?.count_value).toBe('number');
      expect(typeof row?.int8_value).toBe('number');
      expect(row?.timestamptz_value).toBeInstanceOf(Date);
      expect(row?.timestamp_value).toBeInstanceOf(Date);
    });

    it('reads timestamps as the same UTC instant whatever the session time zone', async () => {
      const row = await db.sql.transaction(async (tx) => {
        await tx.execute("SET LOCAL TimeZone = 'Asia/Kolkata'");
        const [result] = await tx.query(
          `SELECT CAST('2026-01-02T03:04:05Z' AS timestamptz) AS tz,
                  CAST('2026-01-02 03:04:05' AS timestamp) AS plain,
                  CAST('2026-01-02' AS date) AS day`,
        );
        return result;
      });
      expect(row).toEqual({
        tz: new Date('2026-01-02T03:04:05.000Z'),
        plain: new Date('2026-01-02T03:04:05.000Z'),
        day: '2026-01-02',
      });
    });

    it('returns no rows as an empty array', async () => {
      expect(await db.sql.query('SELECT 1 AS one WHERE false')).toEqual([]);
    });
  });

  describe('execute', () => {
    it('returns how many rows the statement changed', async () => {
      const table = scratch();
      expect(await db.sql.execute(`CREATE TABLE ${table} (x integer PRIMARY KEY)`)).toBe(0);
      expect(await db.sql.execute(`INSERT INTO ${table} SELECT generate_series(1, 5)`)).toBe(5);
      expect(await db.sql.execute(`UPDATE ${table} SET x = x + 100 WHERE x > :min`, { min: 2 })).toBe(3);
      expect(await db.sql.execute(`DELETE FROM ${table} WHERE x = :x`, { x: 999 })).toBe(0);
      expect(await db.sql.execute(`DELETE FROM ${table} WHERE x < 100`)).toBe(2);
      expect(await db.sql.execute(`INSERT INTO ${table} VALUES (103), (1) ON CONFLICT (x) DO NOTHING`)).toBe(
        1,
      );
    });
  });

  describe('transaction', () => {
    it('commits when the work resolves and returns its value', async () => {
      const table = scratch();
      await db.sql.execute(`CREATE TABLE ${table} (x integer)`);
      const result = await db.sql.transaction(async (tx) => {
        await tx.execute(`INSERT INTO ${table} VALUES (1), (2)`);
        return 'done';
      });
      expect(result).toBe('done');
      expect(await db.sql.query(`SELECT x FROM ${table} ORDER BY x`)).toEqual([{ x: 1 }, { x: 2 }]);
    });

    it('rolls back when the work throws, and the thrown error propagates as it is', async () => {
      const table = scratch();
      await db.sql.execute(`CREATE TABLE ${table} (x integer)`);
      const boom = new Error('boom');
      const error = await rejectionOf(
        db.sql.transaction(async (tx) => {
          await tx.execute(`INSERT INTO ${table} VALUES (1)`);
          throw boom;
        }),
      );
      expect(error).toBe(boom);
      expect(await db.sql.query(`SELECT x FROM ${table}`)).toEqual([]);
    });

    it('rolls back when a statement in it fails, with the LoadError propagating', async () => {
      const table = scratch();
      await db.sql.execute(`CREATE TABLE ${table} (x integer PRIMARY KEY)`);
      const error = await rejectionOf(
        db.sql.transaction(async (tx) => {
          await tx.execute(`INSERT INTO ${table} VALUES (1)`);
          await tx.execute(`INSERT INTO ${table} VALUES (1)`);
        }),
      );
      expect(error).toBeInstanceOf(LoadError);
      expect(await db.sql.query(`SELECT x FROM ${table}`)).toEqual([]);
    });

    it('rolls back DDL too', async () => {
      const table = scratch();
      await rejectionOf(
        db.sql.transaction(async (tx) => {
          await tx.execute(`CREATE TABLE ${table} (x integer)`);
          throw new Error('undo');
        }),
      );
      expect(await db.sql.query('SELECT to_regclass(:name) AS found', { name: table })).toEqual([
        { found: null },
      ]);
    });

    it('runs a nested transaction() in the same transaction', async () => {
      const table = scratch();
      await db.sql.execute(`CREATE TABLE ${table} (x integer)`);
      const ids = await db.sql.transaction(async (outer) => {
        await outer.execute(`INSERT INTO ${table} VALUES (1)`);
        const [o] = await outer.query<{ id: string }>('SELECT CAST(txid_current() AS text) AS id');
        const inner = await outer.transaction(async (tx) => {
          const seen = await tx.query(`SELECT x FROM ${table}`);
          await tx.execute(`INSERT INTO ${table} VALUES (2)`);
          const [i] = await tx.query<{ id: string }>('SELECT CAST(txid_current() AS text) AS id');
          return { id: i?.id, seen };
        });
        return { outer: o?.id, inner };
      });
      expect(ids.inner.id).toBe(ids.outer);
      expect(ids.inner.seen).toEqual([{ x: 1 }]);
      expect(await db.sql.query(`SELECT x FROM ${table} ORDER BY x`)).toEqual([{ x: 1 }, { x: 2 }]);
    });

    it('rolls back the work of a nested transaction() when the outer one throws', async () => {
      const table = scratch();
      await db.sql.execute(`CREATE TABLE ${table} (x integer)`);
      await rejectionOf(
        db.sql.transaction(async (outer) => {
          await outer.transaction((tx) => tx.execute(`INSERT INTO ${table} VALUES (2)`));
          throw new Error('outer fails after the inner one resolved');
        }),
      );
      expect(await db.sql.query(`SELECT x FROM ${table}`)).toEqual([]);
    });

    it('rolls back the outer work when a nested transaction() throws', async () => {
      const table = scratch();
      await db.sql.execute(`CREATE TABLE ${table} (x integer)`);
      const inner = new Error('inner fails');
      const error = await rejectionOf(
        db.sql.transaction(async (outer) => {
          await outer.execute(`INSERT INTO ${table} VALUES (1)`);
          await outer.transaction(async () => {
            throw inner;
          });
        }),
      );
      expect(error).toBe(inner);
      expect(await db.sql.query(`SELECT x FROM ${table}`)).toEqual([]);
    });

    it('leaves the connection usable after a rollback', async () => {
      await rejectionOf(db.sql.transaction((tx) => tx.query('SELECT * FROM no_such_table_either')));
      expect(await db.sql.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    });
  });

  describe('errors', () => {
    it('turns an SQL error into a LoadError whose message contains PostgreSQL’s message', async () => {
      const error = await rejectionOf(db.sql.query('SELECT * FROM no_such_table'));
      expect(error).toBeInstanceOf(LoadError);
      expect(error.name).toBe('LoadError');
      expect(error.message).toContain('relation "no_such_table" does not exist');
      expect(error.message).toContain('[in: SELECT * FROM no_such_table]');
      expect((error.cause as { code?: string }).code).toBe('42P01');
    });

    it('turns a constraint violation into a LoadError naming the constraint', async () => {
      const table = scratch();
      await db.sql.execute(`CREATE TABLE ${table} (x integer PRIMARY KEY)`);
      await db.sql.execute(`INSERT INTO ${table} VALUES (1)`);
      const error = await rejectionOf(db.sql.execute(`INSERT INTO ${table} VALUES (:x)`, { x: 1 }));
      expect(error).toBeInstanceOf(LoadError);
      expect(error.message).toContain(`duplicate key value violates unique constraint "${table}_pkey"`);
      expect((error.cause as { code?: string }).code).toBe('23505');
    });

    it('turns a bad parameter value into a LoadError', async () => {
      const error = await rejectionOf(
        db.sql.query('SELECT CAST(:d AS date) AS d', { d: sqlDate('2026-02-30') }),
      );
      expect(error).toBeInstanceOf(LoadError);
      expect(error.message).toContain('2026-02-30');
    });
  });
});

describe('mapPostgresError', () => {
  it.each([
    ['40001', 'could not serialize access due to concurrent update'],
    ['40P01', 'deadlock detected'],
    ['57P01', 'terminating connection due to administrator command'],
    ['53300', 'sorry, too many clients already'],
    ['08006', 'connection failure'],
  ])('maps SQLSTATE %s to a retryable TransientError', (code, message) => {
    const cause = { code, message };
    const error = mapPostgresError(cause, 'UPDATE t SET x = 1');
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retryable).toBe(true);
    expect(error.message).toBe(`${message} [in: UPDATE t SET x = 1]`);
    expect(error.cause).toBe(cause);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'])(
    'maps the network error %s to a TransientError',
    (code) => {
      expect(mapPostgresError({ code, message: `connect ${code}` }, 'connect')).toBeInstanceOf(
        TransientError,
      );
    },
  );

  it.each(['23505', '42P01', '22P02', undefined])('maps %s to a non-retryable LoadError', (code) => {
    const error = mapPostgresError({ code, message: 'nope' }, 'SELECT 1');
    expect(error).toBeInstanceOf(LoadError);
    expect((error as LoadError).retryable).toBe(false);
  });

  it('adds the detail and names the first line of the statement, cut at 80 characters', () => {
    const long = `INSERT INTO ${'x'.repeat(100)} VALUES (1)\nON CONFLICT DO NOTHING`;
    const error = mapPostgresError(
      { code: '23505', message: 'duplicate key', detail: 'Key (id)=(1) already exists.' },
      `\n  ${long}`,
    );
    expect(error.message).toBe(
      `duplicate key (Key (id)=(1) already exists.) [in: ${`INSERT INTO ${'x'.repeat(100)}`.slice(0, 80)}]`,
    );
  });

  it('describes a thrown value that is not an error object', () => {
    const error = mapPostgresError('socket hang up', 'SELECT 1');
    expect(error).toBeInstanceOf(LoadError);
    expect(error.message).toBe('socket hang up [in: SELECT 1]');
  });
});
