import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { createDataApiSql } from '../../adapters/aws/data-api-sql.ts';
import { startDashboard } from '../../dashboard/server.ts';
import { ConfigError, InvalidInputError } from '../../platform/errors.ts';
import type { Sql } from '../../ports.ts';
import { integerOption, parseArgs, stringOption } from '../args.ts';
import { openDatabase, stateDirectory } from '../local-environment.ts';
import { bold, dim, type Output } from '../render.ts';

export const DASHBOARD_USAGE = `a360 dashboard [--port N] [--state-dir DIR]
a360 dashboard --aurora-cluster-arn ARN --aurora-secret-arn ARN [--database NAME] [--port N]
  Serves a read-only web dashboard on http://127.0.0.1:N (default 8360; 0 picks a free port) over the
  analytics views: overview, cost, security, compliance, inventory, operations, with filters in the URL.
  The database is the local one (PGlite in the state dir, or DATABASE_URL), or Aurora through the RDS Data
  API (also from A360_CLUSTER_ARN, A360_SECRET_ARN, A360_DATABASE; credentials from the default AWS chain).
  Stop with Ctrl-C.`;

export const DEFAULT_DASHBOARD_PORT = 8360;

export interface DashboardHooks {
  /** Resolves when the server should stop (default: SIGINT or SIGTERM). */
  readonly until?: Promise<void>;
  /** Test seam: the RDS Data API client for Aurora (default: a real one in the cluster's region). */
  readonly dataApiClient?: RDSDataClient;
  /** Called once the server listens. */
  readonly onListening?: (url: string) => void;
}

interface AuroraTarget {
  readonly resourceArn: string;
  readonly secretArn: string;
  readonly database: string;
}

/** The Aurora target from the options, else the environment; none when neither names a cluster. */
export function auroraTarget(
  options: { clusterArn?: string | undefined; secretArn?: string | undefined; database?: string | undefined },
  env: NodeJS.ProcessEnv,
): AuroraTarget | undefined {
  const resourceArn = options.clusterArn ?? env.A360_CLUSTER_ARN;
  const secretArn = options.secretArn ?? env.A360_SECRET_ARN;
  const database = options.database ?? env.A360_DATABASE;
  if (!resourceArn && !secretArn) {
    if (options.database) throw new InvalidInputError('--database goes with --aurora-cluster-arn');
    return undefined;
  }
  if (!resourceArn || !secretArn) {
    throw new InvalidInputError(
      'Aurora needs both the cluster ARN and the secret ARN (--aurora-cluster-arn and --aurora-secret-arn, or A360_CLUSTER_ARN and A360_SECRET_ARN)',
    );
  }
  if (!/^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:cluster:.+$/.test(resourceArn)) {
    throw new InvalidInputError(`not an Aurora cluster ARN: ${resourceArn}`);
  }
  if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(secretArn)) {
    throw new InvalidInputError(`not a Secrets Manager secret ARN: ${secretArn}`);
  }
  return { resourceArn, secretArn, database: database ?? 'a360' };
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function dashboardCommand(
  argv: readonly string[],
  io: { output: Output; env: NodeJS.ProcessEnv },
  hooks: DashboardHooks = {},
): Promise<number> {
  const args = parseArgs(argv, {
    values: ['port', 'state-dir', 'aurora-cluster-arn', 'aurora-secret-arn', 'database'],
    flags: [],
  });
  if (args.positionals.length > 0)
    throw new InvalidInputError(`unexpected argument "${args.positionals[0]}"`);
  const port = integerOption(args, 'port', { min: 0, max: 65535 }) ?? DEFAULT_DASHBOARD_PORT;
  const aurora = auroraTarget(
    {
      clusterArn: stringOption(args, 'aurora-cluster-arn'),
      secretArn: stringOption(args, 'aurora-secret-arn'),
      database: stringOption(args, 'database'),
    },
    io.env,
  );
  if (aurora && args.options.has('state-dir')) {
    throw new InvalidInputError('--state-dir is for the local database; Aurora is read through the Data API');
  }

  let database: { sql: Sql; label: string; release(): Promise<void> };
  if (aurora) {
    const region = aurora.resourceArn.split(':')[3] as string;
    const client = hooks.dataApiClient ?? new RDSDataClient({ region, maxAttempts: 2 });
    const sql = createDataApiSql({ client, ...aurora });
    database = {
      sql,
      label: `Aurora ${aurora.resourceArn} (database ${aurora.database}) through the RDS Data API`,
      release: async () => {
        await sql.close();
        if (!hooks.dataApiClient) client.destroy();
      },
    };
  } else {
    database = await openDatabase({
      stateDir: stateDirectory(stringOption(args, 'state-dir'), io.env),
      databaseUrl: io.env.DATABASE_URL,
    });
  }
  try {
    const server = await startDashboard({
      sql: database.sql,
      port,
      onError: (error, path) =>
        io.output.error(`a360 dashboard: ${path}: ${(error as Error)?.message ?? String(error)}\n`),
    }).catch((error: unknown) => {
      if ((error as { code?: string }).code === 'EADDRINUSE') {
        throw new ConfigError(
          `port ${port} is in use on 127.0.0.1; choose another with --port (0: any free port)`,
        );
      }
      throw error;
    });
    io.output.write(
      `${bold('a360 dashboard')} on ${server.url}/overview\n${dim(`${database.label}; read-only. Ctrl-C to stop.`)}\n`,
    );
    hooks.onListening?.(server.url);
    await (hooks.until ?? untilSignal());
    await server.close();
    return 0;
  } finally {
    await database.release();
  }
}
