import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../functions/adapters/aws/clients.ts';
import { sampleAccounts } from '../../../functions/adapters/local/sample-org/accounts.ts';
import { accountBuckets, regionInventory } from '../../../functions/adapters/local/sample-org/inventory.ts';
import { type Fault, SampleOrganization } from '../../../functions/adapters/local/sample-org/organization.ts';
import { autoScalingSimulator } from '../../../functions/adapters/local/sample-org/services/auto-scaling.ts';
import { ec2Simulator } from '../../../functions/adapters/local/sample-org/services/ec2.ts';
import { elasticLoadBalancingV2Simulator } from '../../../functions/adapters/local/sample-org/services/elastic-load-balancing-v2.ts';
import { lambdaSimulator } from '../../../functions/adapters/local/sample-org/services/lambda.ts';
import { rdsSimulator } from '../../../functions/adapters/local/sample-org/services/rds.ts';
import { s3Simulator } from '../../../functions/adapters/local/sample-org/services/s3.ts';
import {
  awsError,
  type SampleCall,
  type ServiceSimulator,
} from '../../../functions/adapters/local/sample-org/simulator.ts';
import { resourcesCollector } from '../../../functions/collectors/resources.ts';
import type { CallStats, CollectResult } from '../../../functions/collectors/types.ts';
import { resourcesLoader } from '../../../functions/loaders/resources.ts';
import type { LoadContext } from '../../../functions/loaders/types.ts';
import { SourceAccessError, TransientError } from '../../../functions/platform/errors.ts';
import type { Sql } from '../../../functions/ports.ts';
import { silentLog } from '../../support/collect-context.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { SAMPLE_REGIONS } from '../../support/sample.ts';

const day1 = new Date('2026-11-27T06:00:00Z');
const day2 = new Date('2026-11-28T06:00:00Z');
const window = { period: 'DAILY' as const, start: '2026-11-26', end: '2026-11-27' };
const simulators = [
  ec2Simulator,
  rdsSimulator,
  s3Simulator,
  elasticLoadBalancingV2Simulator,
  autoScalingSimulator,
  lambdaSimulator,
];
/** `network-hub`, a production account: several pages of every list in its home region. */
const PRODUCTION = 3;
const accounts = sampleAccounts(20, SAMPLE_REGIONS);

/** The simulators, recording every call they answer; `fail` may throw instead of answering. */
function recorded(fail?: (call: SampleCall) => Error | undefined) {
  const calls: SampleCall[] = [];
  const spied = simulators.map(
    (simulator): ServiceSimulator => ({
      ...simulator,
      operations: Object.fromEntries(
        Object.entries(simulator.operations).map(([name, answer]) => [
          name,
          (call: SampleCall) => {
            calls.push(call);
            const error = fail?.(call);
            if (error) throw error;
            return answer(call);
          },
        ]),
      ),
    }),
  );
  return { simulators: spied, calls };
}

async function collect(
  options: { accountIndex?: number; now?: Date; simulators?: ServiceSimulator[]; faults?: Fault[] } = {},
) {
  const now = options.now ?? day1;
  const org = new SampleOrganization({
    accounts: 20,
    regions: SAMPLE_REGIONS,
    simulators: options.simulators ?? simulators,
    faults: options.faults ?? [],
    clock: { now: () => now },
  });
  const account = org.accounts[options.accountIndex ?? PRODUCTION];
  if (!account) throw new Error('no such account');
  const stats: CallStats = { apiCalls: 0, throttled: 0 };
  const clients = createClientFactory(
    org.clientOptions(),
    { accountId: account.id, category: 'resources', runId: 'r-sample' },
    stats,
  );
  const result = await resourcesCollector.collect({
    accountId: account.id,
    window,
    regions: SAMPLE_REGIONS,
    homeRegion: 'us-east-1',
    clients,
    now,
    log: silentLog,
  });
  return { result, stats, account };
}

const ids =
  (result: CollectResult<{ service_resources: Array<{ service_name: string; resource_id: string }> }>) =>
  (service: string) =>
    result.payload.service_resources
      .filter((r) => r.service_name === service)
      .map((r) => r.resource_id)
      .sort();

describe('resources collector against the sample organization', () => {
  it('pages through every list of every region, and lists the buckets once, from the home region', async () => {
    const { simulators: spied, calls } = recorded();
    const { result, stats, account } = await collect({ simulators: spied });

    expect(resourcesCollector.schema.safeParse(result.payload).success).toBe(true);
    expect(result.regions).toEqual({
      global: { status: 'SUCCEEDED' },
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': { status: 'SUCCEEDED' },
      'ap-southeast-2': { status: 'SUCCEEDED' },
    });
    expect(stats.apiCalls).toBe(calls.length);
    const tokenOf: Record<string, string> = {
      DescribeInstances: 'NextToken',
      DescribeVolumes: 'NextToken',
      DescribeSubnets: 'NextToken',
      DescribeDBInstances: 'Marker',
      DescribeLoadBalancers: 'Marker',
      DescribeAutoScalingGroups: 'NextToken',
      ListFunctions: 'Marker',
      ListBuckets: 'ContinuationToken',
    };
    for (const [operation, token] of Object.entries(tokenOf)) {
      const home = calls.filter((c) => c.operation === operation && c.region === 'us-east-1');
      expect(home.length, operation).toBeGreaterThanOrEqual(2);
      expect(home[0]?.input[token], operation).toBeUndefined();
      expect(
        home.slice(1).every((c) => typeof c.input[token] === 'string'),
        operation,
      ).toBe(true);
    }
    expect(calls.filter((c) => c.operation === 'ListBuckets').every((c) => c.region === 'us-east-1')).toBe(
      true,
    );
    expect(calls.filter((c) => c.operation === 'ListBuckets')).toHaveLength(
      Math.ceil(accountBuckets(account, SAMPLE_REGIONS, day1).length / 4),
    );

    const of = ids(result);
    const inventories = SAMPLE_REGIONS.map((region) =>
      regionInventory(account, region, SAMPLE_REGIONS, day1),
    );
    expect(of('EC2')).toEqual(inventories.flatMap((i) => i.instances.map((x) => x.id)).sort());
    expect(of('EBS')).toEqual(inventories.flatMap((i) => i.volumes.map((x) => x.id)).sort());
    expect(of('VPC')).toEqual(inventories.flatMap((i) => i.subnets.map((x) => x.id)).sort());
    expect(of('RDS')).toEqual(inventories.flatMap((i) => i.databases.map((x) => x.arn)).sort());
    expect(of('ELB')).toEqual(inventories.flatMap((i) => i.loadBalancers.map((x) => x.arn)).sort());
    expect(of('AutoScaling')).toEqual(
      inventories.flatMap((i) => i.autoScalingGroups.map((x) => x.arn)).sort(),
    );
    expect(of('Lambda')).toEqual(inventories.flatMap((i) => i.functions.map((x) => x.arn)).sort());
    const buckets = accountBuckets(account, SAMPLE_REGIONS, day1);
    expect(
      result.payload.service_resources
        .filter((r) => r.service_name === 'S3')
        .map((r) => [r.resource_id, r.region])
        .sort(),
    ).toEqual(buckets.map((b) => [b.name, b.region]).sort());
    expect(result.rows).toBe(result.payload.service_resources.length);

    const home = inventories[0];
    const instance = home?.instances[0];
    expect(result.payload.service_resources.find((r) => r.resource_id === instance?.id)).toMatchObject({
      resource_name: instance?.name,
      region: 'us-east-1',
      state: instance?.state,
      instance_type: instance?.instanceType,
      architecture: instance?.architecture,
      vpc_id: instance?.vpcId,
      subnet_id: instance?.subnetId,
      availability_zone: instance?.availabilityZone,
      creation_date: instance?.createdAt.toISOString(),
    });
    const fn = home?.functions[0];
    expect(result.payload.service_resources.find((r) => r.resource_id === fn?.arn)).toMatchObject({
      memory_mb: fn?.memoryMb,
      ephemeral_storage_mb: fn?.ephemeralStorageMb,
      architecture: fn?.architecture,
      package_type: fn?.packageType,
      last_modified: fn?.lastModified.toISOString(),
      size_gb: null,
    });
    const group = home?.autoScalingGroups[0];
    expect(result.payload.service_resources.find((r) => r.resource_id === group?.arn)).toMatchObject({
      resource_name: group?.name,
      min_size: group?.minSize,
      max_size: group?.maxSize,
      instance_count: group?.instanceIds.length,
      availability_zone: 'us-east-1a,us-east-1b,us-east-1c',
    });
  });

  it('is deterministic', async () => {
    const a = await collect();
    const b = await collect();
    expect(a.result.payload).toEqual(b.result.payload);
  });

  it('gives at least 18 of the first 20 sample accounts resources, across several regions', async () => {
    const withRows: string[] = [];
    for (let index = 0; index < 20; index++) {
      const { result, account } = await collect({ accountIndex: index });
      const regions = new Set(result.payload.service_resources.map((r) => r.region));
      if (result.payload.service_resources.length > 0 && regions.size >= 2) withRows.push(account.name);
      expect(result.skippedReason).toBeUndefined();
    }
    expect(withRows.length).toBeGreaterThanOrEqual(18);
  }, 60_000);

  it('keeps what answered in a region where a call failed, and records that region FAILED', async () => {
    const { simulators: spied } = recorded((call) =>
      call.operation === 'ListFunctions' && call.region === 'eu-west-1'
        ? awsError('AccessDeniedException', 'not authorized to perform: lambda:ListFunctions', {
            status: 403,
          })
        : undefined,
    );
    const { result, account } = await collect({ simulators: spied });
    expect(result.regions?.['eu-west-1']).toMatchObject({
      status: 'FAILED',
      error: {
        name: 'SourceAccessError',
        message: expect.stringContaining('Lambda.ListFunctions (eu-west-1)'),
      },
    });
    expect(result.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
    const europe = regionInventory(account, 'eu-west-1', SAMPLE_REGIONS, day1);
    const kept = result.payload.service_resources.filter((r) => r.region === 'eu-west-1');
    expect(kept.filter((r) => r.service_name === 'EC2')).toHaveLength(europe.instances.length);
    expect(kept.filter((r) => r.service_name === 'Lambda')).toEqual([]);
  });

  it.each([
    ['access-denied', SourceAccessError],
    ['throttle', TransientError],
  ] as const)('fails as a whole on the %s fault', async (kind, type) => {
    await expect(collect({ faults: [{ category: 'resources', kind }] })).rejects.toBeInstanceOf(type);
  });

  it('skips the category when the account is not subscribed to the services', async () => {
    const { result } = await collect({ faults: [{ category: 'resources', kind: 'not-enabled' }] });
    expect(result.skippedReason).toMatch(/OptInRequired|NotSignedUp/);
    expect(result.payload.service_resources).toEqual([]);
    expect(result.regions?.global?.error?.message).toMatch(/NotSignedUp/);
  });

  it('records malformed responses as failed calls, naming the missing field', async () => {
    const { result } = await collect({ faults: [{ category: 'resources', kind: 'malformed' }] });
    for (const outcome of Object.values(result.regions ?? {})) {
      expect(outcome).toMatchObject({ status: 'FAILED', error: { name: 'DataContractError' } });
    }
    expect(result.regions?.global?.error?.message).toBe('response is missing ListBuckets Buckets[0].Name');
  });
});

describe('the sample resource services validate requests as AWS does', () => {
  const account = accounts[PRODUCTION];
  if (!account) throw new Error('no account');
  const ask = (simulator: ServiceSimulator, operation: string, input: object, region = 'us-east-1') =>
    (simulator.operations[operation] as (c: SampleCall) => Record<string, unknown>)({
      account,
      region,
      service: simulator.service,
      operation,
      input,
      now: day1,
      accounts,
      regions: SAMPLE_REGIONS,
    });
  const errorOf = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return { name: (error as Error).name, message: (error as Error).message };
    }
    throw new Error('no error');
  };

  it('EC2: MaxResults bounds, no MaxResults with ids, its own token, known ids and filters only', () => {
    expect(errorOf(() => ask(ec2Simulator, 'DescribeInstances', { MaxResults: 4 })).name).toBe(
      'InvalidParameterValue',
    );
    expect(errorOf(() => ask(ec2Simulator, 'DescribeVolumes', { MaxResults: 501 })).name).toBe(
      'InvalidParameterValue',
    );
    expect(
      errorOf(() =>
        ask(ec2Simulator, 'DescribeInstances', { MaxResults: 5, InstanceIds: ['i-0123456789abcdef0'] }),
      ),
    ).toEqual({
      name: 'InvalidParameterCombination',
      message: 'The parameter instancesSet cannot be used with the parameter maxResults',
    });
    expect(
      errorOf(() => ask(ec2Simulator, 'DescribeInstances', { MaxResults: 5, NextToken: 'made-up' })).name,
    ).toBe('InvalidPaginationToken');
    expect(
      errorOf(() => ask(ec2Simulator, 'DescribeInstances', { InstanceIds: ['i-0123456789abcdef0'] })),
    ).toEqual({
      name: 'InvalidInstanceID.NotFound',
      message: "The instance ID 'i-0123456789abcdef0' does not exist",
    });
    expect(
      errorOf(() => ask(ec2Simulator, 'DescribeSubnets', { Filters: [{ Name: 'colour', Values: ['red'] }] }))
        .name,
    ).toBe('InvalidParameterValue');
    const inventory = regionInventory(account, 'us-east-1', SAMPLE_REGIONS, day1);
    const running = ask(ec2Simulator, 'DescribeInstances', {
      Filters: [{ Name: 'instance-state-name', Values: ['running'] }],
    }) as { Reservations: Array<{ Instances: Array<{ InstanceId: string }> }>; NextToken?: string };
    expect(running.NextToken).toBeUndefined();
    expect(running.Reservations.map((r) => r.Instances[0]?.InstanceId)).toEqual(
      inventory.instances.filter((i) => i.state === 'running').map((i) => i.id),
    );
    const firstPage = ask(ec2Simulator, 'DescribeVolumes', { MaxResults: 500 }) as {
      Volumes: unknown[];
      NextToken?: string;
    };
    expect(firstPage.Volumes).toHaveLength(10);
    expect(typeof firstPage.NextToken).toBe('string');
  });

  it('RDS, ELB, Auto Scaling and Lambda: page size bounds and their own token errors', () => {
    expect(errorOf(() => ask(rdsSimulator, 'DescribeDBInstances', { MaxRecords: 10 })).name).toBe(
      'InvalidParameterValue',
    );
    expect(
      errorOf(() => ask(rdsSimulator, 'DescribeDBInstances', { DBInstanceIdentifier: 'nope' })).name,
    ).toBe('DBInstanceNotFound');
    expect(errorOf(() => ask(rdsSimulator, 'DescribeDBInstances', { Marker: 'made-up' })).name).toBe(
      'InvalidParameterValue',
    );
    expect(
      errorOf(() => ask(elasticLoadBalancingV2Simulator, 'DescribeLoadBalancers', { PageSize: 401 })).name,
    ).toBe('ValidationError');
    expect(
      errorOf(() => ask(elasticLoadBalancingV2Simulator, 'DescribeLoadBalancers', { Names: ['not-there'] }))
        .name,
    ).toBe('LoadBalancerNotFound');
    expect(
      errorOf(() => ask(autoScalingSimulator, 'DescribeAutoScalingGroups', { MaxRecords: 101 })).name,
    ).toBe('ValidationError');
    expect(
      errorOf(() => ask(autoScalingSimulator, 'DescribeAutoScalingGroups', { NextToken: 'made-up' })).name,
    ).toBe('InvalidNextToken');
    expect(errorOf(() => ask(lambdaSimulator, 'ListFunctions', { MaxItems: 0 })).name).toBe(
      'ValidationException',
    );
    expect(errorOf(() => ask(lambdaSimulator, 'ListFunctions', { Marker: 'made-up' })).name).toBe(
      'InvalidParameterValueException',
    );
    expect(errorOf(() => ask(lambdaSimulator, 'ListFunctions', { MasterRegion: 'us-east-1' })).name).toBe(
      'InvalidParameterValueException',
    );
  });

  it('S3: BucketRegion only when the request has a parameter, MaxBuckets bounds, its own token', () => {
    const all = ask(s3Simulator, 'ListBuckets', {}) as {
      Buckets: Array<Record<string, unknown>>;
      ContinuationToken?: string;
    };
    const count = accountBuckets(account, SAMPLE_REGIONS, day1).length;
    expect(all.Buckets).toHaveLength(count);
    expect(all.ContinuationToken).toBeUndefined();
    expect(all.Buckets.every((b) => b.BucketRegion === undefined)).toBe(true);
    const paged = ask(s3Simulator, 'ListBuckets', { MaxBuckets: 10_000 }) as typeof all;
    expect(paged.Buckets).toHaveLength(4);
    expect(paged.Buckets.every((b) => typeof b.BucketRegion === 'string')).toBe(true);
    expect(typeof paged.ContinuationToken).toBe('string');
    expect(errorOf(() => ask(s3Simulator, 'ListBuckets', { MaxBuckets: 0 })).name).toBe('InvalidArgument');
    expect(errorOf(() => ask(s3Simulator, 'ListBuckets', { ContinuationToken: 'made-up' })).name).toBe(
      'InvalidArgument',
    );
  });
});

async function load(sql: Sql, accountId: string, result: CollectResult<unknown>, seenAt: Date) {
  // What load-category passes: everything for a SUCCEEDED category, the regions that succeeded for a PARTIAL one.
  const partial = Object.values(result.regions ?? {}).some((r) => r.status === 'FAILED');
  const completeRegions: LoadContext['completeRegions'] = partial
    ? Object.entries(result.regions ?? {})
        .filter(([, outcome]) => outcome.status === 'SUCCEEDED')
        .map(([region]) => region)
    : 'all';
  await sql.transaction((tx) =>
    resourcesLoader.load(tx, resourcesCollector.schema.parse(result.payload), {
      accountId,
      window,
      runId: 'r-sample',
      seenAt,
      completeRegions,
    }),
  );
}

describe.each(databaseBackends())('sample resources in the database on $name', (backend) => {
  const db = useDatabase(backend);

  it('marks what went overnight as removed on the next run, keeps the rest; a failed run marks nothing', async () => {
    const first = await collect({ now: day1 });
    const accountId = first.account.id;
    await db.sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', {
      id: accountId,
      name: first.account.name,
    });
    await load(db.sql, accountId, first.result, day1);

    // The next day's run fails as a whole: nothing is loaded, so nothing is marked removed.
    await expect(
      collect({ now: day2, faults: [{ category: 'resources', kind: 'access-denied' }] }),
    ).rejects.toBeInstanceOf(SourceAccessError);
    const untouched = await db.sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM service_resources WHERE removed_at IS NOT NULL',
    );
    expect(untouched).toEqual([{ n: 0 }]);

    // The next day's run where Lambda failed in ap-southeast-2: nothing in ap-southeast-2 is marked removed.
    const { simulators: spied } = recorded((call) =>
      call.operation === 'ListFunctions' && call.region === 'ap-southeast-2'
        ? awsError('ThrottlingException', 'Rate exceeded', { status: 400, throttling: true })
        : undefined,
    );
    const second = await collect({ now: day2, simulators: spied });
    expect(second.result.regions?.['ap-southeast-2']?.status).toBe('FAILED');
    await load(db.sql, accountId, second.result, day2);

    const key = (r: { service_name: string; resource_id: string }) => `${r.service_name}|${r.resource_id}`;
    const seenSecond = new Set(second.result.payload.service_resources.map(key));
    const gone = first.result.payload.service_resources.filter((r) => !seenSecond.has(key(r)));
    const rows = await db.sql.query<{
      service_name: string;
      resource_id: string;
      region: string;
      removed_at: Date | null;
    }>('SELECT service_name, resource_id, region, removed_at FROM service_resources WHERE account_id = :a', {
      a: accountId,
    });
    const removed = rows.filter((r) => r.removed_at !== null);
    expect(removed.map(key).sort()).toEqual(
      gone
        .filter((r) => r.region !== 'ap-southeast-2')
        .map(key)
        .sort(),
    );
    expect(removed.length).toBeGreaterThan(0);
    expect(removed.every((r) => r.removed_at?.getTime() === day2.getTime())).toBe(true);
    expect(gone.some((r) => r.region === 'ap-southeast-2' && r.service_name !== 'Lambda')).toBe(true);

    // A seed-style summary: active resources per service and region.
    const summary = await db.sql.query<{ service_name: string; active: number }>(
      `SELECT service_name, count(*) FILTER (WHERE state IN ('running', 'available', 'Active'))::int AS active
       FROM service_resources WHERE account_id = :a AND removed_at IS NULL GROUP BY service_name ORDER BY service_name`,
      { a: accountId },
    );
    expect(summary.find((s) => s.service_name === 'S3')?.active).toBe(
      accountBuckets(first.account, SAMPLE_REGIONS, day2).length,
    );
  }, 30_000);
});
