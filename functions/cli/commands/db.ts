import { migrate, readSchemaFiles } from '../../core/migrate.ts';
import { InvalidInputError } from '../../platform/errors.ts';
import { parseArgs, stringOption } from '../args.ts';
import { openDatabase, stateDirectory } from '../local-environment.ts';
import { dim, type Output, table } from '../render.ts';

export const DB_USAGE = `a360 db migrate
  Applies pending migrations (sql/migrations, forward-only) and re-applies the views (sql/views) if they changed.
a360 query "<SQL>" [--json]
  Runs one read-only query against the local database (PGlite, or DATABASE_URL) and prints the rows.`;

export async function dbCommand(
  argv: readonly string[],
  io: { output: Output; env: NodeJS.ProcessEnv },
): Promise<number> {
  const args = parseArgs(argv, { values: ['state-dir'], flags: [] });
  const [action, extra] = args.positionals;
  if (action !== 'migrate' || extra !== undefined) throw new InvalidInputError('usage: a360 db migrate');
  const database = await openDatabase({
    stateDir: stateDirectory(stringOption(args, 'state-dir'), io.env),
    databaseUrl: io.env.DATABASE_URL,
  });
  try {
    const result = await migrate(database.sql, await readSchemaFiles());
    io.output.write(
      result.applied.length === 0
        ? `${database.label}: schema is up to date${result.viewsApplied ? '; views re-applied' : ''}\n`
        : `${database.label}: applied ${result.applied.join(', ')}${result.viewsApplied ? '; views re-applied' : ''}\n`,
    );
    return 0;
  } finally {
    await database.release();
  }
}

export async function queryCommand(
  argv: readonly string[],
  io: { output: Output; env: NodeJS.ProcessEnv },
): Promise<number> {
  const args = parseArgs(argv, { values: ['state-dir'], flags: ['json'] });
  const [text, extra] = args.positionals;
  if (!text || extra !== undefined)
    throw new InvalidInputError('a360 query takes one SQL statement in quotes');
  const database = await openDatabase({
    stateDir: stateDirectory(stringOption(args, 'state-dir'), io.env),
    databaseUrl: io.env.DATABASE_URL,
  });
  try {
    const rows = await database.sql.transaction(async (tx) => {
      await tx.execute('SET TRANSACTION READ ONLY');
      return tx.query(text);
    });
    if (args.options.has('json')) {
      io.output.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    const headers = Object.keys(rows[0] ?? {});
    io.output.write(
      rows.length === 0
        ? `${dim('(no rows)')}\n`
        : `${table(
            headers,
            rows.map((row) => headers.map((h) => cellText(row[h]))),
          )}\n${dim(`(${rows.length} row${rows.length === 1 ? '' : 's'})`)}\n`,
    );
    return 0;
  } finally {
    await database.release();
  }
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
