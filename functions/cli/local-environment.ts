import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { type ClientFactoryOptions, createClientFactory } from '../adapters/aws/clients.ts';
import { createOrganizationDirectory } from '../adapters/aws/organization-directory.ts';
import { createS3BlobStore } from '../adapters/aws/s3-blob-store.ts';
import { createFileDeadLetterQueue } from '../adapters/local/file-dead-letter-queue.ts';
import { createFileLog } from '../adapters/local/file-log.ts';
import type { PipelineDeps } from '../adapters/local/pipeline.ts';
import { startLocalS3 } from '../adapters/local/s3-server.ts';
import { createSampleOrganization } from '../adapters/local/sample-org/index.ts';
import type { Fault, SampleOrganization } from '../adapters/local/sample-org/organization.ts';
import { createPgliteSql } from '../adapters/sql/pglite-sql.ts';
import { createPostgresSql } from '../adapters/sql/postgres-sql.ts';
import { CATEGORY_IDS } from '../collectors/registry.ts';
import { ensureSchema } from '../core/migrate.ts';
import { ConfigError } from '../platform/errors.ts';
import { type Clock, type MetricsSink, type Sql, systemClock } from '../ports.ts';

export const LOCAL_BUCKET = 'a360-local';
export const DEFAULT_STATE_DIR = '.a360';

/** `--state-dir`, else A360_STATE_DIR, else `.a360` in the working directory. */
export function stateDirectory(option: string | undefined, env: NodeJS.ProcessEnv): string {
  return resolve(option ?? env.A360_STATE_DIR ?? DEFAULT_STATE_DIR);
}

export interface LocalEnvironmentOptions {
  /** Where PGlite, the local bucket, the DLQ and the log live (default `.a360` in the working directory). */
  readonly stateDir?: string | undefined;
  /** A PostgreSQL server instead of PGlite. */
  readonly databaseUrl?: string | undefined;
  readonly regions: readonly string[];
  readonly sample?: { readonly accounts: number; readonly faults: readonly Fault[] };
  readonly clock?: Clock;
  /** Accounts collected at once by `orchestrate`. */
  readonly concurrency?: number;
  /** `organization` (default): orchestrate asks the management account's Cost Explorer once for all. */
  readonly costExplorer?: 'organization' | 'per-account';
}

export interface LocalEnvironment {
  readonly stateDir: string;
  readonly deps: PipelineDeps;
  readonly sample: SampleOrganization | undefined;
  readonly databaseLabel: string;
  readonly bucketLabel: string;
  close(): Promise<void>;
}

const noMetrics: MetricsSink = { record() {} };

/** Database only (status, migrate, query): no S3 server, no sample organization. */
export async function openDatabase(options: {
  stateDir?: string | undefined;
  databaseUrl?: string | undefined;
}): Promise<{ sql: Sql; label: string; release(): Promise<void> }> {
  const stateDir = resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  if (options.databaseUrl) {
    const sql = createPostgresSql(options.databaseUrl);
    return { sql, label: `PostgreSQL ${redact(options.databaseUrl)}`, release: () => sql.close() };
  }
  mkdirSync(stateDir, { recursive: true });
  const unlock = lockStateDir(stateDir);
  try {
    const sql = await createPgliteSql(join(stateDir, 'pglite'));
    return {
      sql,
      label: `PGlite in ${join(stateDir, 'pglite')}`,
      release: async () => {
        await sql.close();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

/** Builds the local adapters: a local S3 server on 127.0.0.1, PGlite or PostgreSQL, the file DLQ. */
export async function openLocalEnvironment(options: LocalEnvironmentOptions): Promise<LocalEnvironment> {
  const stateDir = resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  mkdirSync(join(stateDir, 's3'), { recursive: true });
  const database = await openDatabase({ stateDir, databaseUrl: options.databaseUrl });
  const closers: Array<() => Promise<void>> = [database.release];
  try {
    await ensureSchema(database.sql);
    const s3 = await startLocalS3({ directory: join(stateDir, 's3'), bucket: LOCAL_BUCKET });
    closers.unshift(() => s3.stop());
    const clock = options.clock ?? systemClock;
    const sample = options.sample
      ? createSampleOrganization({
          accounts: options.sample.accounts,
          regions: options.regions,
          faults: options.sample.faults,
          clock,
        })
      : undefined;
    const clientOptions = sample?.clientOptions() ?? {};
    // The sample organization's accounts are discovered as in AWS: Organizations, asked by the management account.
    const management = sample?.accounts[0];
    const directory = management
      ? createOrganizationDirectory(
          createClientFactory(
            clientOptions,
            { accountId: management.id, category: 'discovery', runId: 'discovery' },
            { apiCalls: 0, throttled: 0 },
          ).client(OrganizationsClient, 'us-east-1'),
        )
      : undefined;
    const deps: PipelineDeps = {
      blobs: createS3BlobStore({ client: s3.client, bucket: LOCAL_BUCKET }),
      sql: database.sql,
      clock,
      log: createFileLog(join(stateDir, 'a360.log')),
      metrics: noMetrics,
      deadLetters: createFileDeadLetterQueue(join(stateDir, 'dlq')),
      homeRegion: 'us-east-1',
      regions: options.regions,
      enabledCategories: CATEGORY_IDS,
      costExplorerPrefetch: options.costExplorer !== 'per-account',
      clientsFor: (scope, stats, prefetched) => createClientFactory(clientOptions, scope, stats, prefetched),
      orchestration: {
        accounts: { source: 'organization', organizationalUnits: [], include: [], exclude: [] },
        ...(directory ? { directory } : {}),
        maxConcurrency: options.concurrency ?? 4,
        // Locally every account is attempted; the summary reports what failed.
        toleratedFailurePercentage: 100,
        directoryCacheMs: 0,
        ...(management && options.costExplorer !== 'per-account'
          ? { managementCostExplorer: managementCostExplorer(clientOptions, management.id) }
          : {}),
      },
    };
    return {
      stateDir,
      deps,
      sample,
      databaseLabel: database.label,
      bucketLabel: `s3://${LOCAL_BUCKET} (local S3 server, files in ${join(stateDir, 's3', LOCAL_BUCKET)})`,
      async close() {
        for (const close of closers) await close();
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    throw error;
  }
}

/** PGlite is one process's database: a second a360 on the same folder would corrupt it. */
function lockStateDir(stateDir: string): () => void {
  const lock = join(stateDir, 'lock');
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = Number(readFileSync(lock, 'utf8'));
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new ConfigError(
        `another a360 (pid ${holder}) is using ${stateDir}; wait for it or use --state-dir`,
      );
    }
    writeFileSync(lock, String(process.pid));
  }
  return () => rmSync(lock, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'from DATABASE_URL';
  }
}

/** The sample management account's Cost Explorer, one client per category (faults are keyed on it). */
export function managementCostExplorer(
  clientOptions: ClientFactoryOptions,
  managementId: string,
): (category: string) => CostExplorerClient {
  return (category) =>
    createClientFactory(
      clientOptions,
      { accountId: managementId, category, runId: 'organization-cost-explorer' },
      { apiCalls: 0, throttled: 0 },
    ).client(CostExplorerClient, 'us-east-1');
}
