import { AppError } from '../platform/errors.ts';
import { BACKFILL_USAGE, backfillCommand } from './commands/backfill.ts';
import { DASHBOARD_USAGE, dashboardCommand } from './commands/dashboard.ts';
import { DB_USAGE, dbCommand, queryCommand } from './commands/db.ts';
import { DLQ_USAGE, dlqCommand } from './commands/dlq.ts';
import { LOAD_USAGE, loadCommand } from './commands/load.ts';
import { RERUN_USAGE, rerunCommand } from './commands/rerun.ts';
import { RUN_USAGE, runCommand } from './commands/run.ts';
import { STATUS_USAGE, statusCommand } from './commands/status.ts';
import { type Output, processOutput } from './render.ts';

const USAGE = `a360: multi-account AWS observability, run locally

Usage:
${[RUN_USAGE, BACKFILL_USAGE, RERUN_USAGE, DLQ_USAGE, LOAD_USAGE, STATUS_USAGE, DB_USAGE, DASHBOARD_USAGE].map((u) => `  ${u.replace(/\n/g, '\n  ')}`).join('\n\n')}

Local state lives in .a360/ (PGlite database, local bucket, dead letters, log) unless --state-dir is given;
set DATABASE_URL to use a PostgreSQL server instead of PGlite.
`;

type Command = (argv: readonly string[], io: { output: Output; env: NodeJS.ProcessEnv }) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  run: runCommand,
  backfill: backfillCommand,
  rerun: rerunCommand,
  dlq: dlqCommand,
  load: loadCommand,
  status: statusCommand,
  db: dbCommand,
  query: queryCommand,
  dashboard: dashboardCommand,
};

/** The `a360` command. Returns the exit status: 0 ok, 2 some categories failed, 1 error. */
export async function main(
  argv: readonly string[],
  io: { output: Output; env: NodeJS.ProcessEnv } = { output: processOutput, env: process.env },
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.output.write(USAGE);
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.output.error(
      `a360: unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')} (a360 help)\n`,
    );
    return 1;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof AppError) {
      io.output.error(`a360: ${error.message}\n`);
    } else {
      io.output.error(`a360: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    }
    return 1;
  }
}
