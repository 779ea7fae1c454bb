import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { createClientFactory } from '../adapters/aws/clients.ts';
import { createDataApiSql } from '../adapters/aws/data-api-sql.ts';
import { createOrganizationDirectory } from '../adapters/aws/organization-directory.ts';
import { createS3BlobStore } from '../adapters/aws/s3-blob-store.ts';
import { createSqsDeadLetterQueue } from '../adapters/aws/sqs-dead-letter-queue.ts';
import type { CollectDeps } from '../core/collect-category.ts';
import type { DiscoverDeps } from '../core/discover-accounts.ts';
import type { FinalizeDeps } from '../core/finalize-load.ts';
import type { PlanDeps } from '../core/plan-run.ts';
import type { PrefetchDeps } from '../core/prefetch-cost-explorer.ts';
import type { SettleDeps } from '../core/settle-run.ts';
import type { Log } from '../ports.ts';
import { systemClock } from '../ports.ts';
import {
  loadCollectConfig,
  loadCostExplorerConfig,
  loadDiscoverConfig,
  loadLoadConfig,
  loadPlanConfig,
  loadTenantConfig,
} from './config.ts';
import { metricsSink } from './observability.ts';

/**
 * The Lambda composition root: AWS adapters built from the environment at the first invocation (never at
 * import), so importing a handler reads no environment and creates no client.
 */
export function awsPlanDeps(env: NodeJS.ProcessEnv = process.env): PlanDeps {
  const config = loadPlanConfig(env);
  return {
    clock: systemClock,
    regions: config.regions,
    enabledCategories: config.enabledCategories,
    collectorFunction: (category) => config.collectorFunctions[category] as string,
  };
}

/** The account this code runs in, from the Lambda's own ARN (no STS call). */
function ownAccount(functionArn: string | undefined): string | undefined {
  return functionArn?.split(':')[4];
}

export function awsCollectDeps(
  log: Log,
  functionArn: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): CollectDeps {
  const config = loadCollectConfig(env);
  const self = ownAccount(functionArn);
  return {
    blobs: createS3BlobStore({
      client: new S3Client({}),
      bucket: config.bucket,
      ...(config.kmsKeyId ? { kmsKeyId: config.kmsKeyId } : {}),
    }),
    clock: systemClock,
    log,
    metrics: metricsSink,
    homeRegion: config.homeRegion,
    costExplorerPrefetch: config.costExplorerPrefetch,
    clientsFor: (scope, stats, prefetched) =>
      createClientFactory(
        {
          // The hub reads member accounts through their read-only role; its own account and a sender use their own role.
          credentials: (accountId) =>
            config.memberRoleName && accountId !== self
              ? fromTemporaryCredentials({
                  params: {
                    RoleArn: `arn:aws:iam::${accountId}:role/${config.memberRoleName}`,
                    RoleSessionName: `a360-${scope.category}`.slice(0, 64),
                    ...(config.externalId ? { ExternalId: config.externalId } : {}),
                  },
                })
              : undefined,
        },
        scope,
        stats,
        prefetched,
      ),
  };
}

export function awsLoadDeps(log: Log, env: NodeJS.ProcessEnv = process.env): FinalizeDeps {
  const config = loadLoadConfig(env);
  return {
    blobs: createS3BlobStore({
      client: new S3Client({}),
      bucket: config.bucket,
      ...(config.kmsKeyId ? { kmsKeyId: config.kmsKeyId } : {}),
    }),
    sql: createDataApiSql({
      client: new RDSDataClient({ maxAttempts: 2 }),
      resourceArn: config.database.clusterArn,
      secretArn: config.database.secretArn,
      database: config.database.database,
    }),
    clock: systemClock,
    log,
    metrics: metricsSink,
    deadLetters: createSqsDeadLetterQueue(new SQSClient({}), config.dlqUrl),
  };
}

export function awsDiscoverDeps(log: Log, env: NodeJS.ProcessEnv = process.env): DiscoverDeps {
  const config = loadDiscoverConfig(env);
  return {
    blobs: createS3BlobStore({
      client: new S3Client({}),
      bucket: config.bucket,
      ...(config.kmsKeyId ? { kmsKeyId: config.kmsKeyId } : {}),
    }),
    clock: systemClock,
    log,
    accounts: config.accounts,
    // Organizations is a global service served from us-east-1 in the commercial partition.
    directory: createOrganizationDirectory(new OrganizationsClient({ region: 'us-east-1' })),
    enabledCategories: config.enabledCategories,
    maxConcurrency: config.maxConcurrency,
    toleratedFailurePercentage: config.toleratedFailurePercentage,
    products: config.products,
  };
}

export function awsSettleDeps(log: Log, env: NodeJS.ProcessEnv = process.env): SettleDeps {
  return { ...awsLoadDeps(log, env), tenant: loadTenantConfig(env) };
}

export function awsPrefetchDeps(log: Log, env: NodeJS.ProcessEnv = process.env): PrefetchDeps {
  const config = loadCostExplorerConfig(env);
  const blobs = createS3BlobStore({
    client: new S3Client({}),
    bucket: config.bucket,
    ...(config.kmsKeyId ? { kmsKeyId: config.kmsKeyId } : {}),
  });
  if (config.source === 'per-account') return { blobs, clock: systemClock, log };
  const client = new CostExplorerClient({
    region: config.homeRegion,
    retryMode: 'adaptive',
    maxAttempts: 6,
    ...(config.roleArn
      ? {
          credentials: fromTemporaryCredentials({
            params: {
              RoleArn: config.roleArn,
              RoleSessionName: 'a360-cost-explorer',
              ...(config.externalId ? { ExternalId: config.externalId } : {}),
            },
          }),
        }
      : {}),
  });
  return { blobs, clock: systemClock, log, managementCostExplorer: () => client };
}
