import { accountBuckets } from '../inventory.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';

/** S3 may end a page before MaxBuckets with a ContinuationToken; four a page makes a sample account page. */
const SERVER_PAGE = 4;
const MAX_BUCKETS = 10_000;

function invalidArgument(message: string): Error {
  return awsError('InvalidArgument', message);
}

/**
 * ListBuckets is global: the same buckets from every endpoint. Without any parameter it returns every bucket
 * at once and leaves out BucketRegion; with one (MaxBuckets, ContinuationToken, Prefix, BucketRegion) it pages
 * and tells each bucket's region.
 */
function listBuckets(call: SampleCall): object {
  const { MaxBuckets, ContinuationToken, Prefix, BucketRegion } = call.input;
  if (
    MaxBuckets !== undefined &&
    (!Number.isInteger(MaxBuckets) || MaxBuckets < 1 || MaxBuckets > MAX_BUCKETS)
  ) {
    throw invalidArgument(`Argument max-buckets must be an integer between 1 and ${MAX_BUCKETS}`);
  }
  const parameterised = [MaxBuckets, ContinuationToken, Prefix, BucketRegion].some((p) => p !== undefined);
  const buckets = accountBuckets(call.account, call.regions, call.now)
    .filter((b) => Prefix === undefined || b.name.startsWith(Prefix))
    .filter((b) => BucketRegion === undefined || b.region === BucketRegion)
    .sort((a, b) => a.name.localeCompare(b.name));
  const { page, nextToken } = parameterised
    ? paginate(buckets, {
        token: ContinuationToken,
        pageSize: Math.min(MaxBuckets ?? MAX_BUCKETS, SERVER_PAGE),
        request: { MaxBuckets, Prefix, BucketRegion, account: call.account.id },
        invalidToken: () => invalidArgument('The continuation token provided is incorrect'),
      })
    : { page: buckets, nextToken: undefined };
  return {
    Buckets: page.map((bucket) => ({
      Name: bucket.name,
      CreationDate: bucket.createdAt,
      ...(parameterised ? { BucketRegion: bucket.region } : {}),
    })),
    Owner: { ID: new Random(call.account.id, 's3-canonical-user').hex(64) },
    ...(nextToken ? { ContinuationToken: nextToken } : {}),
    ...(Prefix !== undefined ? { Prefix } : {}),
  };
}

export const s3Simulator: ServiceSimulator = {
  service: 'S3',
  operations: { ListBuckets: listBuckets },
  notEnabled: () =>
    awsError('NotSignedUp', 'Your account is not signed up for the Amazon S3 service.', { status: 403 }),
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    if (operation === 'ListBuckets') {
      const first = (copy.Buckets as Array<Record<string, unknown>>)[0];
      if (first) delete first.Name;
    }
    return copy;
  },
};
