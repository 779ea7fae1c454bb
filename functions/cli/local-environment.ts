import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { CliCredentials } from '../adapters/aws/cli-credentials.ts';
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
import type { AccountSource } from '../core/discover-accounts.ts';
import { ensureSchema } from '../core/migrate.ts';
import { ConfigError } from '../platform/errors.ts';
import { type AccountDirectory, type Clock, type MetricsSink, type Sql, systemClock } from '../ports.ts';

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
  /** Real AWS accounts instead of the sample organization (exclusive with `sample`). */
  readonly aws?: AwsEnvironmentOptions;
  readonly clock?: Clock;
  /** Accounts collected at once by `orchestrate`. */
  readonly concurrency?: number;
  /**
   * `organization`: orchestrate asks the management account's Cost Explorer once for all (the default with the
   * sample organization); `per-account`: each account asks its own (the default with `aws`).
   */
  readonly costExplorer?: 'organization' | 'per-account';
}

/** Collecting real accounts: the same collectors and state machines, only the clients' credentials differ. */
export interface AwsEnvironmentOptions {
  /** The checked current identity and the per-account credentials (`createCliCredentials`). */
  readonly credentials: CliCredentials;
  /**
   * The accounts: a list, or the organization the current credentials list (ACTIVE accounts; with `include`,
   * only those of them).
   */
  readonly accounts: AccountSource;
  /** What the run header calls this source. */
  readonly label: string;
  /** Test seam: extra client options below the SDK (middleware that answers calls); never set by the CLI. */
  readonly clientOptions?: Omit<ClientFactoryOptions, 'credentials'>;
}

export interface LocalEnvironment {
  readonly stateDir: string;
  readonly deps: PipelineDeps;
  readonly sample: SampleOrganization | undefined;
  /** What is collected, for headers: `sample organization of 5 accounts`, `AWS account 123456789012`, ... */
  readonly sourceLabel: string;
  /** The accounts a run collects when known before discovery (a list); `undefined` for an organization. */
  readonly accounts: readonly string[] | undefined;
  /** The current AWS identity (aws source only). */
  readonly aws: { readonly callerAccount: string; readonly callerArn: string } | undefined;
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
    if (options.sample && options.aws)
      throw new ConfigError('choose one source: the sample organization or AWS');
    const sample = options.sample
      ? createSampleOrganization({
          accounts: options.sample.accounts,
          regions: options.regions,
          faults: options.sample.faults,
          clock,
        })
      : undefined;
    const source = options.aws
      ? awsSource(options.aws, options.costExplorer)
      : sampleSource(sample, options.costExplorer);
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
      costExplorerPrefetch: source.managementCostExplorer !== undefined,
      clientsFor: (scope, stats, prefetched) =>
        createClientFactory(source.clientOptions, scope, stats, prefetched),
      orchestration: {
        accounts: source.accounts,
        ...(source.directory ? { directory: source.directory } : {}),
        maxConcurrency: options.concurrency ?? 4,
        // Locally every account is attempted; the summary reports what failed.
        toleratedFailurePercentage: 100,
        directoryCacheMs: 0,
        ...(source.managementCostExplorer ? { managementCostExplorer: source.managementCostExplorer } : {}),
      },
    };
    return {
      stateDir,
      deps,
      sample,
      sourceLabel: options.aws?.label ?? (sample ? sampleLabel(sample.accounts.length) : 'no source'),
      accounts: source.accounts.source === 'list' ? source.accounts.ids : undefined,
      aws: options.aws
        ? {
            callerAccount: options.aws.credentials.callerAccount,
            callerArn: options.aws.credentials.callerArn,
          }
        : undefined,
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

/** What a source contributes to the pipeline: clients below the SDK, the accounts, the Cost Explorer mode. */
interface SourceParts {
  readonly clientOptions: ClientFactoryOptions;
  readonly accounts: AccountSource;
  readonly directory: AccountDirectory | undefined;
  readonly managementCostExplorer: ((category: string) => CostExplorerClient) | undefined;
}

export function sampleLabel(accounts: number): string {
  return `sample organization of ${accounts} account${accounts === 1 ? '' : 's'}`;
}

/** The sample organization (or none, for `load`): its accounts are discovered as in AWS, through Organizations. */
function sampleSource(
  sample: SampleOrganization | undefined,
  costExplorer: 'organization' | 'per-account' | undefined,
): SourceParts {
  const clientOptions = sample?.clientOptions() ?? {};
  // The sample organization's accounts are discovered as in AWS: Organizations, asked by the management account.
  const management = sample?.accounts[0];
  return {
    clientOptions,
    accounts: { source: 'organization', organizationalUnits: [], include: [], exclude: [] },
    directory: management
      ? createOrganizationDirectory(
          createClientFactory(
            clientOptions,
            { accountId: management.id, category: 'discovery', runId: 'discovery' },
            { apiCalls: 0, throttled: 0 },
          ).client(OrganizationsClient, 'us-east-1'),
        )
      : undefined,
    managementCostExplorer:
      management && costExplorer !== 'per-account'
        ? managementCostExplorer(clientOptions, management.id)
        : undefined,
  };
}

/**
 * Real accounts: each client gets the account's credentials (the current ones for the caller's own account,
 * the assumed role for the others); Organizations and the organization-wide Cost Explorer use the current ones.
 */
function awsSource(
  aws: AwsEnvironmentOptions,
  costExplorer: 'organization' | 'per-account' | undefined,
): SourceParts {
  const clientOptions: ClientFactoryOptions = {
    ...aws.clientOptions,
    credentials: (accountId) => aws.credentials.forAccount(accountId),
  };
  const caller = aws.credentials.callerAccount;
  const accounts = aws.accounts;
  const directory =
    accounts.source === 'organization'
      ? onlyIncluded(
          createOrganizationDirectory(
            createClientFactory(
              clientOptions,
              { accountId: caller, category: 'discovery', runId: 'discovery' },
              { apiCalls: 0, throttled: 0 },
            ).client(OrganizationsClient, 'us-east-1'),
          ),
          accounts.include,
        )
      : undefined;
  return {
    clientOptions,
    accounts,
    directory,
    managementCostExplorer:
      costExplorer === 'organization' ? managementCostExplorer(clientOptions, caller) : undefined,
  };
}

/**
 * The organization restricted to some accounts (`--organization --accounts`): discovery still drops the ones
 * that are not ACTIVE and warns about the ones that are not in the organization.
 */
function onlyIncluded(directory: AccountDirectory, include: readonly string[]): AccountDirectory {
  if (include.length === 0) return directory;
  const wanted = new Set(include);
  return {
    list: async (organizationalUnits) =>
      (await directory.list(organizationalUnits)).filter((account) => wanted.has(account.id)),
    tags: (accountId) => directory.tags(accountId),
  };
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

/** The management account's Cost Explorer, one client per category (the sample's faults are keyed on it). */
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
