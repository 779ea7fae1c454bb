import { regionInventory, type SampleDatabase } from '../inventory.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';
import { malformRdsReservations, rdsReservationOperations } from './rds-reservations.ts';

/** RDS may return fewer records than MaxRecords with a Marker; two a page makes a sample account page. */
const SERVER_PAGE = 2;
const MIN_RECORDS = 20;
const MAX_RECORDS = 100;

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function chars(random: Random, length: number): string {
  let out = '';
  while (out.length < length) out += ALNUM[random.int(0, ALNUM.length - 1)];
  return out;
}

function invalidParameter(message: string): Error {
  return awsError('InvalidParameterValue', message);
}

const isAurora = (db: SampleDatabase) => db.engine.startsWith('aurora');

function dbInstanceOf(call: SampleCall, db: SampleDatabase) {
  const random = new Random(db.arn, 'rds-details');
  const postgres = db.engine.includes('postgres');
  const port = postgres ? 5432 : 3306;
  const endpointSuffix = `${chars(new Random(call.account.id, call.region, 'rds-endpoint'), 12)}.${call.region}.rds.amazonaws.com`;
  const family = `${db.engine}${db.engineVersion.split('.')[0]}${db.engine.includes('mysql') ? '.0' : ''}`;
  const subnetGroup = `${call.account.product ?? call.account.name}-db-subnets`;
  return {
    DBInstanceIdentifier: db.identifier,
    DBInstanceClass: db.instanceClass,
    Engine: db.engine,
    DBInstanceStatus: db.status,
    MasterUsername: postgres ? 'postgres' : 'admin',
    Endpoint: { Address: `${db.identifier}.${endpointSuffix}`, Port: port, HostedZoneId: 'Z2R2ITUGPM61AM' },
    // Aurora keeps storage in the cluster volume: its instances report 1 GiB of type aurora.
    AllocatedStorage: isAurora(db) ? 1 : db.allocatedStorageGb,
    InstanceCreateTime: db.createdAt,
    PreferredBackupWindow: '03:00-03:30',
    BackupRetentionPeriod: call.account.environment === 'production' ? 14 : 7,
    DBSecurityGroups: [],
    VpcSecurityGroups: [{ VpcSecurityGroupId: `sg-${random.hex(17)}`, Status: 'active' }],
    DBParameterGroups: [{ DBParameterGroupName: `default.${family}`, ParameterApplyStatus: 'in-sync' }],
    AvailabilityZone: db.availabilityZone,
    DBSubnetGroup: {
      DBSubnetGroupName: subnetGroup,
      DBSubnetGroupDescription: `Subnets of ${subnetGroup}`,
      VpcId: db.vpcId,
      SubnetGroupStatus: 'Complete',
    },
    PreferredMaintenanceWindow: 'sun:05:00-sun:05:30',
    PendingModifiedValues: {},
    ...(db.status === 'available' ? { LatestRestorableTime: new Date(call.now.getTime() - 5 * 60_000) } : {}),
    // Aurora is Multi-AZ through the cluster's replicas, not the instance.
    MultiAZ: isAurora(db) ? false : db.multiAz,
    EngineVersion: db.engineVersion,
    AutoMinorVersionUpgrade: true,
    ReadReplicaDBInstanceIdentifiers: [],
    LicenseModel: postgres ? 'postgresql-license' : 'general-public-license',
    ...(isAurora(db) ? {} : { Iops: 3000, StorageThroughput: 125 }),
    OptionGroupMemberships: [
      { OptionGroupName: `default:${db.engine}-${db.engineVersion.split('.')[0]}`, Status: 'in-sync' },
    ],
    PubliclyAccessible: false,
    StorageType: isAurora(db) ? 'aurora' : 'gp3',
    DbInstancePort: 0,
    ...(isAurora(db) ? { DBClusterIdentifier: `${db.identifier}-cluster` } : {}),
    StorageEncrypted: true,
    KmsKeyId: `arn:aws:kms:${call.region}:${call.account.id}:key/${new Random(call.account.id, call.region, 'rds-key').uuid()}`,
    DbiResourceId: `db-${chars(random, 26).toUpperCase()}`,
    CACertificateIdentifier: 'rds-ca-rsa2048-g1',
    DomainMemberships: [],
    CopyTagsToSnapshot: true,
    MonitoringInterval: 0,
    DBInstanceArn: db.arn,
    IAMDatabaseAuthenticationEnabled: false,
    PerformanceInsightsEnabled: call.account.environment === 'production',
    DeletionProtection: call.account.environment === 'production',
    AssociatedRoles: [],
    TagList: [
      { Key: 'Environment', Value: call.account.environment },
      ...(call.account.product ? [{ Key: 'Product', Value: call.account.product }] : []),
    ],
    CustomerOwnedIpEnabled: false,
    BackupTarget: 'region',
    NetworkType: 'IPV4',
    CertificateDetails: { CAIdentifier: 'rds-ca-rsa2048-g1', ValidTill: new Date(Date.UTC(2061, 4, 25)) },
    DedicatedLogVolume: false,
    EngineLifecycleSupport: 'open-source-rds-extended-support',
  };
}

/** Applies DescribeDBInstances `Filters`, refusing a filter name RDS does not support for it. */
function applyFilters(databases: readonly SampleDatabase[], filters: unknown): SampleDatabase[] {
  if (filters === undefined) return [...databases];
  const known: Record<string, (db: SampleDatabase) => string[]> = {
    'db-instance-id': (db) => [db.identifier, db.arn],
    'db-cluster-id': (db) => (isAurora(db) ? [`${db.identifier}-cluster`] : []),
    engine: (db) => [db.engine],
  };
  let kept = [...databases];
  for (const filter of filters as Array<{ Name?: string; Values?: string[] }>) {
    const read = known[filter.Name ?? ''];
    if (!read) throw invalidParameter(`Unrecognized filter name: ${filter.Name}`);
    kept = kept.filter((db) => read(db).some((v) => (filter.Values ?? []).includes(v)));
  }
  return kept;
}

function describeDbInstances(call: SampleCall): object {
  const { DBInstanceIdentifier, Filters, Marker, MaxRecords } = call.input;
  if (
    MaxRecords !== undefined &&
    (!Number.isInteger(MaxRecords) || MaxRecords < MIN_RECORDS || MaxRecords > MAX_RECORDS)
  ) {
    throw invalidParameter(
      `Invalid value ${MaxRecords} for MaxRecords. Must be between ${MIN_RECORDS} and ${MAX_RECORDS}`,
    );
  }
  let databases = regionInventory(call.account, call.region, call.regions, call.now).databases;
  if (DBInstanceIdentifier !== undefined) {
    const wanted = String(DBInstanceIdentifier).toLowerCase();
    databases = databases.filter((db) => db.identifier === wanted || db.arn === DBInstanceIdentifier);
    if (databases.length === 0) {
      throw awsError('DBInstanceNotFound', `DBInstance ${DBInstanceIdentifier} not found.`, { status: 404 });
    }
  }
  const { page, nextToken } = paginate(applyFilters(databases, Filters), {
    token: Marker,
    pageSize: Math.min(MaxRecords ?? MAX_RECORDS, SERVER_PAGE),
    request: { DBInstanceIdentifier, Filters, MaxRecords, account: call.account.id, region: call.region },
    invalidToken: () => invalidParameter(`The marker ${Marker} is not valid.`),
  });
  return {
    DBInstances: page.map((db) => dbInstanceOf(call, db)),
    ...(nextToken ? { Marker: nextToken } : {}),
  };
}

export const rdsSimulator: ServiceSimulator = {
  service: 'RDS',
  operations: { DescribeDBInstances: describeDbInstances, ...rdsReservationOperations },
  // What the Query APIs answer an account not subscribed to the service.
  notEnabled: () =>
    awsError('OptInRequired', 'The AWS Access Key Id needs a subscription for the service', { status: 403 }),
  malform(operation, output) {
    if (operation !== 'DescribeDBInstances') return malformRdsReservations(operation, output) ?? output;
    const copy = structuredClone(output) as { DBInstances: Array<Record<string, unknown>> };
    const first = copy.DBInstances[0];
    if (first) delete first.DBInstanceArn;
    return copy;
  },
};
