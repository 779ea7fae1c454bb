import { describe, expect, it } from 'vitest';
import { type SampleAccount, sampleAccounts } from '../../../functions/adapters/local/sample-org/accounts.ts';
import { accountBuckets, regionInventory } from '../../../functions/adapters/local/sample-org/inventory.ts';
import type { ResourcesPayload, ServiceResource } from '../../../functions/collectors/resources.ts';
import { removalRegions, resourcesLoader, resourcesRows } from '../../../functions/loaders/resources.ts';
import type { LoadContext } from '../../../functions/loaders/types.ts';
import type { Sql } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const day1 = new Date('2026-11-27T06:00:00Z');
const day2 = new Date('2026-11-28T06:00:00Z');

function context(
  accountId: string,
  seenAt: Date,
  completeRegions: LoadContext['completeRegions'] = 'all',
): LoadContext {
  const start = seenAt.toISOString().slice(0, 10);
  return {
    accountId,
    window: { period: 'DAILY', start, end: start },
    runId: 'r-test',
    seenAt,
    completeRegions,
  };
}

const NONE = {
  resource_name: null,
  availability_zone: null,
  state: null,
  instance_type: null,
  platform: null,
  architecture: null,
  vpc_id: null,
  subnet_id: null,
  engine: null,
  instance_class: null,
  multi_az: null,
  size_gb: null,
  volume_type: null,
  creation_date: null,
  type: null,
  scheme: null,
  instance_count: null,
  min_size: null,
  max_size: null,
  available_ip_count: null,
  memory_mb: null,
  runtime: null,
  ephemeral_storage_mb: null,
  package_type: null,
  last_modified: null,
} as const;

type Identity = Pick<ServiceResource, 'service_name' | 'resource_type' | 'resource_id' | 'arn' | 'region'>;
const resource = (identity: Identity, facts: Partial<ServiceResource> = {}): ServiceResource => ({
  ...NONE,
  ...facts,
  ...identity,
});

/** What the collector makes of the sample account's inventory at `at`: the payload of that day's run. */
function inventoryPayload(account: SampleAccount, at: Date): ResourcesPayload {
  const regional = REGIONS.flatMap((region) => {
    const inventory = regionInventory(account, region, REGIONS, at);
    const arn = (kind: string, id: string) => `arn:aws:ec2:${region}:${account.id}:${kind}/${id}`;
    return [
      ...inventory.instances.map((i) =>
        resource(
          {
            service_name: 'EC2',
            resource_type: 'Instance',
            resource_id: i.id,
            arn: arn('instance', i.id),
            region,
          },
          {
            resource_name: i.name,
            availability_zone: i.availabilityZone,
            state: i.state,
            instance_type: i.instanceType,
            platform: i.platform === 'Windows' ? 'Windows' : 'Linux/UNIX',
            architecture: i.architecture,
            vpc_id: i.vpcId,
            subnet_id: i.subnetId,
            creation_date: i.createdAt.toISOString(),
          },
        ),
      ),
      ...inventory.volumes.map((v) =>
        resource(
          {
            service_name: 'EBS',
            resource_type: 'Volume',
            resource_id: v.id,
            arn: arn('volume', v.id),
            region,
          },
          {
            availability_zone: v.availabilityZone,
            state: v.instanceId ? 'in-use' : 'available',
            size_gb: v.sizeGb,
            volume_type: v.volumeType,
            creation_date: v.createdAt.toISOString(),
            instance_count: v.instanceId ? 1 : 0,
          },
        ),
      ),
      ...inventory.subnets.map((s) =>
        resource(
          { service_name: 'VPC', resource_type: 'Subnet', resource_id: s.id, arn: s.arn, region },
          {
            availability_zone: s.availabilityZone,
            state: 'available',
            vpc_id: s.vpcId,
            subnet_id: s.id,
            available_ip_count: s.availableIpAddressCount,
          },
        ),
      ),
      ...inventory.databases.map((d) =>
        resource(
          { service_name: 'RDS', resource_type: 'DBInstance', resource_id: d.arn, arn: d.arn, region },
          {
            resource_name: d.identifier,
            state: d.status,
            engine: d.engine,
            instance_class: d.instanceClass,
            multi_az: d.multiAz,
            size_gb: d.allocatedStorageGb,
            creation_date: d.createdAt.toISOString(),
          },
        ),
      ),
      ...inventory.loadBalancers.map((lb) =>
        resource(
          { service_name: 'ELB', resource_type: 'LoadBalancer', resource_id: lb.arn, arn: lb.arn, region },
          { resource_name: lb.name, state: 'active', type: lb.type, scheme: lb.scheme, vpc_id: lb.vpcId },
        ),
      ),
      ...inventory.autoScalingGroups.map((g) =>
        resource(
          {
            service_name: 'AutoScaling',
            resource_type: 'AutoScalingGroup',
            resource_id: g.arn,
            arn: g.arn,
            region,
          },
          {
            resource_name: g.name,
            availability_zone: g.availabilityZones.join(','),
            instance_count: g.instanceIds.length,
            min_size: g.minSize,
            max_size: g.maxSize,
          },
        ),
      ),
      ...inventory.functions.map((f) =>
        resource(
          { service_name: 'Lambda', resource_type: 'Function', resource_id: f.arn, arn: f.arn, region },
          {
            resource_name: f.name,
            architecture: f.architecture,
            memory_mb: f.memoryMb,
            runtime: f.packageType === 'Zip' ? f.runtime : null,
            ephemeral_storage_mb: f.ephemeralStorageMb,
            package_type: f.packageType,
            last_modified: f.lastModified.toISOString(),
          },
        ),
      ),
    ];
  });
  const buckets = accountBuckets(account, REGIONS, at).map((b) =>
    resource(
      {
        service_name: 'S3',
        resource_type: 'Bucket',
        resource_id: b.name,
        arn: `arn:aws:s3:::${b.name}`,
        region: b.region,
      },
      { resource_name: b.name, state: 'Active', creation_date: b.createdAt.toISOString() },
    ),
  );
  return { service_resources: [...regional, ...buckets] };
}

const keyOf = (r: { service_name: unknown; resource_id: unknown }) => `${r.service_name}|${r.resource_id}`;

async function addAccount(sql: Sql, id: string, name: string) {
  await sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', { id, name });
}

async function rowsOf(sql: Sql, accountId: string) {
  return sql.query<{
    service_name: string;
    resource_id: string;
    region: string;
    first_seen: Date;
    last_seen: Date;
    removed_at: Date | null;
  }>(
    `SELECT service_name, resource_id, region, first_seen, last_seen, removed_at FROM service_resources
     WHERE account_id = :a ORDER BY service_name, resource_id`,
    { a: accountId },
  );
}

/** The production account `network-hub` of the sample organization, and its runs on two consecutive days. */
const sampleAccount = sampleAccounts(20, REGIONS)[3] as SampleAccount;
const first = inventoryPayload(sampleAccount, day1);
const second = inventoryPayload(sampleAccount, day2);
const firstKeys = new Set(first.service_resources.map(keyOf));
const secondKeys = new Set(second.service_resources.map(keyOf));
const gone = first.service_resources.filter((r) => !secondKeys.has(keyOf(r)));
const arrived = second.service_resources.filter((r) => !firstKeys.has(keyOf(r)));

describe('resources rows', () => {
  it('adds the account to every resource and keeps Lambda memory in MB, not in size_gb', () => {
    const lambda = resource(
      {
        service_name: 'Lambda',
        resource_type: 'Function',
        resource_id: 'arn:aws:lambda:eu-west-1:123456789012:function:api',
        arn: 'arn:aws:lambda:eu-west-1:123456789012:function:api',
        region: 'eu-west-1',
      },
      { resource_name: 'api', memory_mb: 1769, ephemeral_storage_mb: 512 },
    );
    expect(resourcesRows({ service_resources: [lambda] }, '123456789012')).toEqual([
      { account_id: '123456789012', ...lambda },
    ]);
    expect(resourcesRows({ service_resources: [lambda] }, '123456789012')[0]?.size_gb).toBeNull();
  });

  it('marks removed only where both the region and the bucket list were complete', () => {
    expect(removalRegions('all')).toBe('all');
    expect(removalRegions(['global', 'us-east-1', 'eu-west-1'])).toEqual(['us-east-1', 'eu-west-1']);
    expect(removalRegions(['us-east-1', 'eu-west-1'])).toEqual([]);
    expect(removalRegions([])).toEqual([]);
  });

  it('the sample account changes from one day to the next: some resources go, some arrive, most stay', () => {
    expect(gone.length).toBeGreaterThan(0);
    expect(arrived.length).toBeGreaterThan(0);
    expect(first.service_resources.length - gone.length).toBeGreaterThan(100);
  });
});

describe.each(databaseBackends())('resources loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes every resource exactly, and a reload changes nothing', async () => {
    const accountId = '111111111111';
    await addAccount(db.sql, accountId, 'shop-prod');
    const instance = resource(
      {
        service_name: 'EC2',
        resource_type: 'Instance',
        resource_id: 'i-0aaaaaaaaaaaaaaaa',
        arn: `arn:aws:ec2:us-east-1:${accountId}:instance/i-0aaaaaaaaaaaaaaaa`,
        region: 'us-east-1',
      },
      {
        resource_name: 'shop-web-1',
        availability_zone: 'us-east-1a',
        state: 'running',
        instance_type: 't3.medium',
        platform: 'Linux/UNIX',
        architecture: 'x86_64',
        vpc_id: 'vpc-0a1b2c3d4e5f60718',
        subnet_id: 'subnet-0aaaaaaaaaaaaaaaa',
        creation_date: '2026-10-01T08:30:00.000Z',
      },
    );
    const fn = resource(
      {
        service_name: 'Lambda',
        resource_type: 'Function',
        resource_id: `arn:aws:lambda:eu-west-1:${accountId}:function:shop-api`,
        arn: `arn:aws:lambda:eu-west-1:${accountId}:function:shop-api`,
        region: 'eu-west-1',
      },
      {
        resource_name: 'shop-api',
        architecture: 'arm64',
        memory_mb: 1769,
        runtime: 'nodejs22.x',
        ephemeral_storage_mb: 512,
        package_type: 'Zip',
        last_modified: '2026-11-20T10:15:30.123Z',
      },
    );
    const volume = resource(
      {
        service_name: 'EBS',
        resource_type: 'Volume',
        resource_id: 'vol-0aaaaaaaaaaaaaaaa',
        arn: `arn:aws:ec2:us-east-1:${accountId}:volume/vol-0aaaaaaaaaaaaaaaa`,
        region: 'us-east-1',
      },
      { state: 'in-use', size_gb: 8, volume_type: 'gp3', instance_count: 1 },
    );
    const payload: ResourcesPayload = { service_resources: [instance, fn, volume] };
    const written = await db.sql.transaction((tx) =>
      resourcesLoader.load(tx, payload, context(accountId, day1)),
    );
    expect(written).toBe(3);
    const before = await db.sql.query('SELECT * FROM service_resources WHERE account_id = :a ORDER BY id', {
      a: accountId,
    });
    const {
      id: _id,
      created_at: _created,
      updated_at: _updated,
      ...ec2
    } = before[0] as Record<string, unknown>;
    expect(ec2).toEqual({
      account_id: accountId,
      ...instance,
      creation_date: new Date('2026-10-01T08:30:00.000Z'),
      first_seen: day1,
      last_seen: day1,
      removed_at: null,
    });
    expect(before[1]).toMatchObject({
      service_name: 'Lambda',
      memory_mb: 1769,
      ephemeral_storage_mb: 512,
      size_gb: null,
      last_modified: new Date('2026-11-20T10:15:30.123Z'),
    });
    expect(before[2]).toMatchObject({ service_name: 'EBS', size_gb: '8', instance_count: 1 });

    await db.sql.transaction((tx) => resourcesLoader.load(tx, payload, context(accountId, day1)));
    expect(
      await db.sql.query('SELECT * FROM service_resources WHERE account_id = :a ORDER BY id', {
        a: accountId,
      }),
    ).toEqual(before);
  });

  it('marks what the sample organization removed overnight as removed on the next day, and keeps the rest', async () => {
    const accountId = sampleAccount.id;
    await addAccount(db.sql, accountId, sampleAccount.name);
    await db.sql.transaction((tx) => resourcesLoader.load(tx, first, context(accountId, day1)));
    await db.sql.transaction((tx) => resourcesLoader.load(tx, second, context(accountId, day2)));

    const rows = await rowsOf(db.sql, accountId);
    expect(rows).toHaveLength(first.service_resources.length + arrived.length);
    const goneKeys = new Set(gone.map(keyOf));
    const arrivedKeys = new Set(arrived.map(keyOf));
    for (const row of rows) {
      const key = keyOf(row);
      if (goneKeys.has(key)) {
        expect(row).toMatchObject({ first_seen: day1, last_seen: day1, removed_at: day2 });
      } else if (arrivedKeys.has(key)) {
        expect(row).toMatchObject({ first_seen: day2, last_seen: day2, removed_at: null });
      } else {
        expect(row).toMatchObject({ first_seen: day1, last_seen: day2, removed_at: null });
      }
    }
    expect(
      rows
        .filter((r) => r.removed_at !== null)
        .map(keyOf)
        .sort(),
    ).toEqual([...goneKeys].sort());
  });

  it('marks nothing removed on a day the collection failed, while what it did see is seen', async () => {
    const accountId = '222222222222';
    const renamed = (payload: ResourcesPayload): ResourcesPayload => ({
      service_resources: payload.service_resources.map((r) => ({
        ...r,
        resource_id: r.resource_id.replace(sampleAccount.id, accountId),
        arn: r.arn.replace(sampleAccount.id, accountId),
      })),
    });
    await addAccount(db.sql, accountId, 'failing-prod');
    await db.sql.transaction((tx) => resourcesLoader.load(tx, renamed(first), context(accountId, day1)));
    const afterFirst = await rowsOf(db.sql, accountId);

    // Every region and the bucket list failed; what some calls answered still came through.
    const partial = renamed({
      service_resources: second.service_resources.filter((r) => r.service_name === 'EC2'),
    });
    await db.sql.transaction((tx) => resourcesLoader.load(tx, partial, context(accountId, day2, [])));
    const rows = await rowsOf(db.sql, accountId);
    expect(rows.filter((r) => r.removed_at !== null)).toEqual([]);
    expect(rows.filter((r) => r.last_seen.getTime() === day2.getTime())).toHaveLength(
      partial.service_resources.length,
    );
    const known = new Set(afterFirst.map(keyOf));
    expect(rows).toHaveLength(
      afterFirst.length + partial.service_resources.filter((r) => !known.has(keyOf(r))).length,
    );

    // The regions all succeeded but the bucket list failed: bucket rows share the regions' `region` values, so
    // nothing can be marked removed safely.
    await db.sql.transaction((tx) =>
      resourcesLoader.load(
        tx,
        renamed({ service_resources: second.service_resources.filter((r) => r.service_name !== 'S3') }),
        context(accountId, day2, REGIONS),
      ),
    );
    expect((await rowsOf(db.sql, accountId)).filter((r) => r.removed_at !== null)).toEqual([]);
  });

  it('marks removed only in the regions whose collection was complete', async () => {
    const accountId = '333333333333';
    await addAccount(db.sql, accountId, 'partial-prod');
    const renamed = (payload: ResourcesPayload): ResourcesPayload => ({
      service_resources: payload.service_resources.map((r) => ({
        ...r,
        resource_id: r.resource_id.replace(sampleAccount.id, accountId),
        arn: r.arn.replace(sampleAccount.id, accountId),
      })),
    });
    await db.sql.transaction((tx) => resourcesLoader.load(tx, renamed(first), context(accountId, day1)));
    // eu-west-1 failed: its rows of the calls that answered are in the payload, nothing there is marked removed.
    await db.sql.transaction((tx) =>
      resourcesLoader.load(
        tx,
        renamed(second),
        context(accountId, day2, ['global', 'us-east-1', 'ap-southeast-2']),
      ),
    );
    const removed = (await rowsOf(db.sql, accountId)).filter((r) => r.removed_at !== null);
    const expected = gone.filter((r) => r.region !== 'eu-west-1');
    expect(removed.map(keyOf).sort()).toEqual(
      expected
        .map((r) => keyOf({ ...r, resource_id: r.resource_id.replace(sampleAccount.id, accountId) }))
        .sort(),
    );
    expect(gone.some((r) => r.region === 'eu-west-1')).toBe(true);
    expect(expected.length).toBeGreaterThan(0);
  });
});
