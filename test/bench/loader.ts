/**
 * `npm run bench [-- --json out.json] [--rows N] [--accounts N] [--runs N]`: a360's loader against a COPY
 * baseline and a row-by-row baseline, on the same generated data and the same PostgreSQL server.
 *
 * The data is the `resources` category (table `service_resources`): N rows shaped like the collector's payload,
 * generated deterministically (`resources-data.ts`), split over accounts and loaded one account per transaction,
 * as the `load` state machine does:
 *
 * - loader: `resourcesLoader.load` through the `Sql` port and the node-postgres adapter: the statements the Data
 *   API adapter sends (one JSON parameter per chunk, `jsonb_to_recordset`, `INSERT ... ON CONFLICT`);
 * - copy-merge: `COPY ... FROM STDIN` into a temporary staging table, then the loader's own INSERT ... ON CONFLICT
 *   reading the staging table instead of the JSON parameter;
 * - row-by-row: the loader's INSERT ... ON CONFLICT for one row at a time, one parameterised statement per row
 *   (parsed and planned each time, as the original's ExecuteStatement per row was), and the same again as a
 *   prepared statement (parsed and planned once).
 *
 * Every method also runs the loader's removal step, so all of them do the same work, and the bench checks that
 * they leave the same table. Each runs `--runs` times on a freshly emptied table, interleaved; medians are
 * reported. The loader also reloads the data into the table that holds it. Before that, the data goes through the
 * Data API adapter into the Data API stand-in (`test/support/data-api-on-pglite.ts`) to count the requests the
 * loader sends in AWS. It needs DATABASE_URL (a PostgreSQL server; it creates and drops its own throwaway
 * database there).
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { toPositional } from '../../functions/adapters/sql/named-params.ts';
import { createPostgresSql } from '../../functions/adapters/sql/postgres-sql.ts';
import { migrate, readSchemaFiles } from '../../functions/core/migrate.ts';
import { resourcesLoader } from '../../functions/loaders/resources.ts';
import type { LoadContext } from '../../functions/loaders/types.ts';
import { compactRowJson, MAX_CHUNK_BYTES } from '../../functions/loaders/upsert.ts';
import { type Sql, type SqlParams, type SqlRow, sqlJson } from '../../functions/ports.ts';
import { createDataApiOnPglite } from '../support/data-api-on-pglite.ts';
import { type Dataset, dataset } from './resources-data.ts';

const TABLE = 'service_resources';
const DAY_1 = new Date('2026-11-27T06:00:00.000Z');
const DAY_2 = new Date('2026-11-28T06:00:00.000Z');

// ---------------------------------------------------------------------------------------------- arguments

function options() {
  const { values } = parseArgs({
    options: {
      json: { type: 'string' },
      rows: { type: 'string', default: '100000' },
      accounts: { type: 'string', default: '20' },
      runs: { type: 'string', default: '3' },
    },
    strict: true,
  });
  const int = (name: string, value: string, min: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer of at least ${min}`);
    return n;
  };
  return {
    // npm runs scripts in the package root; a relative --json path means the caller's directory.
    json: values.json === undefined ? undefined : resolve(process.env.INIT_CWD ?? process.cwd(), values.json),
    rows: int('rows', values.rows, 1),
    accounts: int('accounts', values.accounts, 1),
    runs: int('runs', values.runs, 1),
  };
}

// ---------------------------------------------------------------------------------------------- the data

const context = (accountId: string, seenAt: Date): LoadContext => ({
  accountId,
  window: {
    period: 'DAILY',
    start: seenAt.toISOString().slice(0, 10),
    end: seenAt.toISOString().slice(0, 10),
  },
  runId: 'r-bench',
  seenAt,
  completeRegions: 'all',
});

// ---------------------------------------------------------------------------------------------- the loader's SQL

interface Statement {
  readonly text: string;
  readonly params: SqlParams;
}

/**
 * A `Sql` that records what the loader sends and runs nothing, as the Data API adapter would see it: one
 * ExecuteStatement per `execute`/`query`, plus BeginTransaction and CommitTransaction per transaction.
 */
class RecordingSql implements Sql {
  readonly backend = 'data-api' as const;
  readonly statements: Statement[] = [];
  transactions = 0;

  async query<T extends SqlRow = SqlRow>(text: string, params: SqlParams = {}): Promise<T[]> {
    this.statements.push({ text, params });
    return [];
  }

  async execute(text: string, params: SqlParams = {}): Promise<number> {
    this.statements.push({ text, params });
    return 0;
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    this.transactions += 1;
    return work(this);
  }

  async close(): Promise<void> {}
}

/** The statements the loader sends for one account, captured without a database. */
async function loaderStatements(data: Dataset, seenAt: Date): Promise<Statement[]> {
  const recorder = new RecordingSql();
  const [first] = data.accounts;
  if (!first) throw new Error('no account to load');
  await recorder.transaction((tx) =>
    resourcesLoader.load(tx, first.payload, context(first.accountId, seenAt)),
  );
  return recorder.statements;
}

/**
 * Loads the data through the Data API adapter (`createDataApiSql`, a real RDSDataClient) into the Data API
 * stand-in over PGlite, which measures every HTTP request as it would go on the wire and refuses what the service
 * refuses: the requests the loader sends in AWS for this data.
 */
async function dataApiRequests(label: string, data: Dataset, seenAt: Date) {
  const standIn = await createDataApiOnPglite();
  try {
    await migrate(standIn.sql, await readSchemaFiles());
    await standIn.sql.execute(
      `INSERT INTO accounts (id, account_name)
       SELECT id, 'bench ' || id FROM jsonb_array_elements_text(CAST(:ids AS jsonb)) AS id`,
      { ids: sqlJson(data.accounts.map((a) => a.accountId)) },
    );
    const before = standIn.calls.length;
    for (const { accountId, payload } of data.accounts) {
      await standIn.sql.transaction((tx) => resourcesLoader.load(tx, payload, context(accountId, seenAt)));
    }
    const calls = standIn.calls.slice(before);
    const failed = calls.find((c) => c.error !== undefined);
    if (failed) throw new Error(`the Data API stand-in refused ${failed.operation}: ${failed.error}`);
    const loaded = await standIn.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${TABLE}`);
    if (loaded.rows[0]?.n !== data.rows)
      throw new Error(`the Data API path loaded ${loaded.rows[0]?.n} rows`);
    const upserts = calls.filter((c) => c.statement?.startsWith(`INSERT INTO ${TABLE}`));
    return {
      label,
      rows: data.rows,
      /** The payloads as the snapshot stores them. */
      payloadBytes: data.accounts.reduce((sum, a) => sum + Buffer.byteLength(JSON.stringify(a.payload)), 0),
      requests: calls.length,
      executeStatements: calls.filter((c) => c.operation === 'ExecuteStatement').length,
      upserts: upserts.length,
      upsertBytes: upserts.reduce((sum, c) => sum + c.requestBytes, 0),
      largestRequestBytes: Math.max(...calls.map((c) => c.requestBytes)),
    };
  } finally {
    await standIn.close();
  }
}

/** The loader's upsert, split so the baselines can run the very same INSERT ... ON CONFLICT. */
function loaderUpsert(statements: readonly Statement[]) {
  const upsert = statements.find((s) => s.text.startsWith(`INSERT INTO ${TABLE}`));
  const removal = statements.find((s) => s.text.startsWith(`WITH unseen AS (\n       UPDATE ${TABLE} `));
  if (!upsert || !removal) throw new Error(`the loader sent no upsert or no removal for ${TABLE}`);
  const lines = upsert.text.split('\n');
  const from = lines.findIndex((l) => /^FROM jsonb?_to_recordset\(/.test(l));
  const record = /AS r\((.*)\)$/.exec(lines[from] ?? '')?.[1];
  if (from < 0 || !record) throw new Error(`unexpected upsert shape:\n${upsert.text}`);
  const fields = record.split(', ').map((definition) => {
    const [name = '', type = ''] = definition.split(' ');
    return { name, type };
  });
  return {
    fields,
    /** The INSERT ... SELECT ... ON CONFLICT with `r` read from `source` and :seen_at as $1. */
    from(source: string, seenAt = '$1') {
      return lines
        .map((line, i) => (i === from ? `FROM ${source}` : line))
        .join('\n')
        .replaceAll(':seen_at', seenAt);
    },
    removalText: removal.text,
  };
}

// ---------------------------------------------------------------------------------------------- the methods

type Upsert = ReturnType<typeof loaderUpsert>;

interface Database {
  readonly url: string;
  readonly sql: Sql;
  readonly client: pg.Client;
}

async function loaderMethod(db: Database, data: Dataset, seenAt: Date) {
  for (const { accountId, payload } of data.accounts) {
    await db.sql.transaction((tx) => resourcesLoader.load(tx, payload, context(accountId, seenAt)));
  }
}

async function removal(client: pg.Client, upsert: Upsert, accountId: string, seenAt: Date) {
  const { text, values } = toPositional(upsert.removalText, {
    account_id: accountId,
    category: 'resources',
    seen_at: seenAt,
  });
  await client.query(text, values);
}

/** COPY text format: tab-separated, `\N` for null, backslash escapes. */
function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return String(value).replace(
    /[\\\t\n\r]/g,
    (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] ?? c,
  );
}

async function copyMergeMethod(db: Database, data: Dataset, upsert: Upsert, seenAt: Date) {
  const { client } = db;
  const names = upsert.fields.map((f) => f.name);
  const merge = upsert.from('bench_staging AS r');
  for (const { accountId, payload } of data.accounts) {
    await client.query('BEGIN');
    await client.query(
      `CREATE TEMP TABLE bench_staging (${upsert.fields.map((f) => `${f.name} ${f.type}`).join(', ')}) ON COMMIT DROP`,
    );
    const rows = payload.service_resources;
    const lines = function* () {
      let batch = '';
      for (const resource of rows) {
        const row: Record<string, unknown> = { account_id: accountId, ...resource };
        batch += `${names.map((n) => copyValue(row[n])).join('\t')}\n`;
        if (batch.length > 65_536) {
          yield batch;
          batch = '';
        }
      }
      if (batch) yield batch;
    };
    await pipeline(
      Readable.from(lines()),
      client.query(copyFrom(`COPY bench_staging (${names.join(', ')}) FROM STDIN`)),
    );
    await client.query(merge, [seenAt]);
    await removal(client, upsert, accountId, seenAt);
    await client.query('COMMIT');
  }
}

/**
 * One parameterised INSERT ... ON CONFLICT per row, in one transaction per account: the original system's
 * statement per row without its second round trip (it SELECTed each row's id first). `prepared` names the
 * statement so the server parses and plans it once per connection, which the original (ExecuteStatement per
 * row) never did.
 */
async function rowByRowMethod(db: Database, data: Dataset, upsert: Upsert, seenAt: Date, prepared = false) {
  const { client } = db;
  const names = upsert.fields.map((f) => f.name);
  const values = upsert.fields.map((f, i) => `CAST($${i + 2} AS ${f.type})`).join(', ');
  const text = upsert.from(`(VALUES (${values})) AS r (${names.join(', ')})`);
  for (const { accountId, payload } of data.accounts) {
    await client.query('BEGIN');
    for (const resource of payload.service_resources) {
      const row: Record<string, unknown> = { account_id: accountId, ...resource };
      const values = [seenAt, ...names.map((n) => row[n] ?? null)];
      await client.query(prepared ? { name: 'bench_row', text, values } : { text, values });
    }
    await removal(client, upsert, accountId, seenAt);
    await client.query('COMMIT');
  }
}

// ---------------------------------------------------------------------------------------------- measuring

async function emptyTable(client: pg.Client) {
  await client.query(`TRUNCATE ${TABLE} RESTART IDENTITY`);
  // Start each timed run with no dirty pages left over from the one before.
  await client.query('CHECKPOINT').catch(() => undefined);
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** What a load leaves, ids and the server's own timestamps aside: the three methods must agree on it. */
async function fingerprint(client: pg.Client): Promise<string> {
  const result = await client.query<{ n: string; h: string }>(
    `SELECT count(*) AS n, coalesce(sum(hashtextextended(
       (account_id, service_name, resource_type, resource_id, resource_name, arn, region, availability_zone, state,
        instance_type, platform, architecture, vpc_id, subnet_id, engine, instance_class, multi_az, size_gb,
        volume_type, creation_date, type, scheme, instance_count, min_size, max_size, available_ip_count, memory_mb,
        runtime, ephemeral_storage_mb, package_type, last_modified, first_seen, last_seen, removed_at)::text, 0)
       ::numeric), 0) AS h
     FROM ${TABLE}`,
  );
  return `${result.rows[0]?.n}:${result.rows[0]?.h}`;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const round = (value: number, digits: number) => Number(value.toFixed(digits));
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function freshDatabase(url: string) {
  const name = `a360_bench_${randomBytes(5).toString('hex')}`;
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

interface Timings {
  readonly server: string;
  readonly seconds: {
    readonly loader: number[];
    readonly copy: number[];
    readonly rowByRow: number[];
    readonly rowByRowPrepared: number[];
    readonly reloadSameSnapshot: number[];
    readonly reloadNextDay: number[];
  };
}

/** The timed runs, on a throwaway database of the server at `url`. */
async function measure(
  url: string,
  data: Dataset,
  runs: number,
  log: (line?: string) => void,
): Promise<Timings> {
  const database = await freshDatabase(url);
  const sql = createPostgresSql(database.url, { max: 2 });
  const client = new pg.Client({ connectionString: database.url });
  try {
    await client.connect();
    await migrate(sql, await readSchemaFiles());
    const server =
      (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?';
    await client.query(
      `INSERT INTO accounts (id, account_name) SELECT id, 'bench ' || id FROM unnest($1::text[]) AS id`,
      [data.accounts.map((a) => a.accountId)],
    );
    const db: Database = { url: database.url, sql, client };
    const upsert = loaderUpsert(await loaderStatements(data, DAY_1));
    const seconds = {
      loader: [] as number[],
      copy: [] as number[],
      rowByRow: [] as number[],
      rowByRowPrepared: [] as number[],
      reloadSameSnapshot: [] as number[],
      reloadNextDay: [] as number[],
    };
    log(`PostgreSQL ${server}, ${runs} runs of each method, each on a freshly emptied table (seconds):`);
    for (let run = 1; run <= runs; run++) {
      await emptyTable(client);
      seconds.loader.push(await timed(() => loaderMethod(db, data, DAY_1)));
      const expected = await fingerprint(client);
      // The same data again: an identical rerun (same snapshot), then the next day's collection of it.
      seconds.reloadSameSnapshot.push(await timed(() => loaderMethod(db, data, DAY_1)));
      if ((await fingerprint(client)) !== expected)
        throw new Error('rerunning the same snapshot changed rows');
      seconds.reloadNextDay.push(await timed(() => loaderMethod(db, data, DAY_2)));

      await emptyTable(client);
      seconds.copy.push(await timed(() => copyMergeMethod(db, data, upsert, DAY_1)));
      if ((await fingerprint(client)) !== expected)
        throw new Error('COPY + merge left other rows than the loader');

      await emptyTable(client);
      seconds.rowByRow.push(await timed(() => rowByRowMethod(db, data, upsert, DAY_1)));
      if ((await fingerprint(client)) !== expected)
        throw new Error('row by row left other rows than the loader');

      await emptyTable(client);
      seconds.rowByRowPrepared.push(await timed(() => rowByRowMethod(db, data, upsert, DAY_1, true)));
      if ((await fingerprint(client)) !== expected)
        throw new Error('row by row left other rows than the loader');
      const last = (values: number[]) => values.at(-1)?.toFixed(2);
      log(
        `  run ${run}: loader ${last(seconds.loader)}  copy+merge ${last(seconds.copy)}  row by row ${last(seconds.rowByRow)}, prepared ${last(seconds.rowByRowPrepared)}  reload: same snapshot ${last(seconds.reloadSameSnapshot)}, next day ${last(seconds.reloadNextDay)}`,
      );
    }
    return { server, seconds };
  } finally {
    await client.end().catch(() => undefined);
    await sql.close();
    await database.drop();
  }
}

async function main(): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error(
      'npm run bench needs DATABASE_URL set to a PostgreSQL 15 server it may create a database in, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres',
    );
    return 1;
  }
  const args = options();
  const log = (line = '') => console.log(line);

  const generated = Date.now();
  const data = dataset(args.rows, args.accounts);
  const payloadBytes = data.accounts.reduce(
    (sum, a) => sum + Buffer.byteLength(JSON.stringify(a.payload)),
    0,
  );
  log(
    `${data.rows} ${TABLE} rows in ${args.accounts} accounts (${mib(payloadBytes)} of payload JSON), generated in ${Date.now() - generated} ms`,
  );
  log();

  // First the timed runs, while this process holds nothing else.
  const { server, seconds } = await measure(url, data, args.runs, log);

  // Then the Data API requests for this data, for half as many rows, and for the same rows each carrying twice
  // the bytes the loader sends for it (a longer name): the requests follow the bytes, not the rows.
  const half = dataset(Math.floor(args.rows / 2), args.accounts);
  const wide: Dataset = {
    rows: data.rows,
    accounts: data.accounts.map(({ accountId, payload }) => ({
      accountId,
      payload: {
        service_resources: payload.service_resources.map((r) => ({
          ...r,
          resource_name: `${r.resource_name ?? ''}${'-'.repeat(Buffer.byteLength(compactRowJson({ account_id: accountId, ...r })))}`,
        })),
      },
    })),
  };
  log();
  log(
    `Data API requests of the loader, through the Data API adapter into the stand-in (at most ${mib(MAX_CHUNK_BYTES)} of JSON per statement, one transaction per account):`,
  );
  log(
    '  data                     rows  payload  requests  upserts  rows/upsert  KiB/upsert  largest request',
  );
  const requestRows = [];
  for (const [label, variant] of [
    ['bench data', data],
    ['half the rows', half],
    ['same rows, 2x bytes', wide],
  ] as const) {
    const r = await dataApiRequests(label, variant, DAY_1);
    requestRows.push(r);
    log(
      `  ${r.label.padEnd(20)} ${String(r.rows).padStart(7)} ${mib(r.payloadBytes).padStart(8)}  ${String(r.requests).padStart(8)}  ${String(r.upserts).padStart(7)}  ${String(Math.round(r.rows / r.upserts)).padStart(11)}  ${String(Math.round(r.upsertBytes / r.upserts / 1024)).padStart(10)}  ${mib(r.largestRequestBytes).padStart(15)}`,
    );
  }

  const rate = (values: number[]) => data.rows / median(values);
  const loaderRate = rate(seconds.loader);
  const copyRate = rate(seconds.copy);
  const rowRate = rate(seconds.rowByRow);
  const preparedRate = rate(seconds.rowByRowPrepared);
  const result = {
    loader_rows_per_s: Math.round(loaderRate),
    copy_merge_rows_per_s: Math.round(copyRate),
    row_by_row_rows_per_s: Math.round(rowRate),
    loader_vs_copy_ratio: round(loaderRate / copyRate, 3),
    loader_vs_row_by_row_ratio: round(loaderRate / rowRate, 2),
    row_by_row_prepared_rows_per_s: Math.round(preparedRate),
    loader_vs_row_by_row_prepared_ratio: round(loaderRate / preparedRate, 2),
    /** Seconds to load the data into the table that holds it (the next day's collection) over into an empty one. */
    reload_vs_empty_ratio: round(median(seconds.reloadNextDay) / median(seconds.loader), 3),
    /** The same for an identical rerun (the same snapshot again). */
    rerun_vs_empty_ratio: round(median(seconds.reloadSameSnapshot) / median(seconds.loader), 3),
    rows: data.rows,
    accounts: args.accounts,
    runs: args.runs,
    table: TABLE,
    payload_bytes: payloadBytes,
    data_api_requests: requestRows[0]?.requests,
    data_api_requests_detail: requestRows.map((r) => ({
      data: r.label,
      rows: r.rows,
      payload_bytes: r.payloadBytes,
      requests: r.requests,
      execute_statements: r.executeStatements,
      upsert_statements: r.upserts,
      upsert_request_bytes: r.upsertBytes,
      largest_request_bytes: r.largestRequestBytes,
    })),
    seconds,
    machine: {
      cpus: os.cpus().length,
      cpu_model: os.cpus()[0]?.model ?? 'unknown',
      memory_gib: round(os.totalmem() / 1024 ** 3, 1),
      node: process.version,
      postgresql: server,
      platform: `${os.platform()} ${os.arch()}`,
    },
  };
  log();
  log('median rows/s');
  log(`  loader (Data API SQL, node-postgres)  ${String(result.loader_rows_per_s).padStart(8)}`);
  log(`  COPY + INSERT ... ON CONFLICT         ${String(result.copy_merge_rows_per_s).padStart(8)}`);
  log(`  row by row, one transaction           ${String(result.row_by_row_rows_per_s).padStart(8)}`);
  log(`  row by row, prepared statement        ${String(result.row_by_row_prepared_rows_per_s).padStart(8)}`);
  log(`loader / COPY + merge: ${result.loader_vs_copy_ratio} (target >= 0.5)`);
  log(
    `loader / row by row: ${result.loader_vs_row_by_row_ratio} (target >= 10); / row by row, prepared: ${result.loader_vs_row_by_row_prepared_ratio}`,
  );
  log(
    `reload into the table holding the data / load into an empty one: next day ${result.reload_vs_empty_ratio}, same snapshot ${result.rerun_vs_empty_ratio} (target <= 2)`,
  );
  if (args.json) {
    await writeFile(args.json, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${args.json}`);
  }
  return 0;
}

process.exitCode = await main();
