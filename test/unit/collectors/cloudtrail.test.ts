import {
  CloudTrailClient,
  DescribeTrailsCommand,
  type Event,
  GetEventSelectorsCommand,
  type GetEventSelectorsCommandOutput,
  GetTrailStatusCommand,
  type GetTrailStatusCommandOutput,
  LookupEventsCommand,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cloudtrailCollector, selectedEvents } from '../../../functions/collectors/cloudtrail.ts';
import {
  DataContractError,
  SourceAccessError,
  SourceRequestError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const trail = mockClient(CloudTrailClient);
afterEach(() => trail.reset());
afterAll(() => trail.restore());

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const account = '123456789012';
const management = '111122223333';
const ORG = `arn:aws:cloudtrail:us-east-1:${management}:trail/org-trail`;
const DATA = `arn:aws:cloudtrail:eu-west-1:${account}:trail/shop-data-events`;
const FAR = `arn:aws:cloudtrail:us-west-2:${account}:trail/audit-everywhere`;
const LEGACY = `arn:aws:cloudtrail:us-east-1:${account}:trail/legacy`;

const trails: Record<string, Trail> = {
  [ORG]: {
    Name: 'org-trail',
    S3BucketName: 'org-cloudtrail-logs',
    IncludeGlobalServiceEvents: true,
    IsMultiRegionTrail: true,
    HomeRegion: 'us-east-1',
    TrailARN: ORG,
    LogFileValidationEnabled: true,
    KmsKeyId: `arn:aws:kms:us-east-1:${management}:key/11111111-2222-3333-4444-555555555555`,
    HasCustomEventSelectors: false,
    HasInsightSelectors: false,
    IsOrganizationTrail: true,
  },
  [DATA]: {
    Name: 'shop-data-events',
    S3BucketName: 'shop-trail',
    IncludeGlobalServiceEvents: false,
    IsMultiRegionTrail: false,
    HomeRegion: 'eu-west-1',
    TrailARN: DATA,
    LogFileValidationEnabled: false,
    IsOrganizationTrail: false,
  },
  [FAR]: {
    Name: 'audit-everywhere',
    S3BucketName: 'audit-trail',
    IsMultiRegionTrail: true,
    HomeRegion: 'us-west-2',
    TrailARN: FAR,
  },
  [LEGACY]: {
    Name: 'legacy',
    S3BucketName: 'legacy-trail',
    IncludeGlobalServiceEvents: true,
    IsMultiRegionTrail: false,
    HomeRegion: 'us-east-1',
    TrailARN: LEGACY,
    LogFileValidationEnabled: false,
    IsOrganizationTrail: false,
  },
};

/** us-east-1 lists the organization trail, the far trail's shadow and the legacy trail; eu-west-1 the rest. */
const LISTED: Record<string, string[]> = {
  'us-east-1': [ORG, FAR, LEGACY],
  'eu-west-1': [ORG, DATA, FAR],
};

const statuses: Record<string, GetTrailStatusCommandOutput> = {
  [ORG]: {
    $metadata: {},
    IsLogging: true,
    LatestDeliveryTime: new Date('2026-11-26T05:55:00Z'),
    StartLoggingTime: new Date('2024-01-02T03:04:05Z'),
    LatestDeliveryError: '',
  },
  [DATA]: { $metadata: {}, IsLogging: true, LatestDeliveryTime: new Date('2026-11-26T05:58:00Z') },
  [FAR]: { $metadata: {}, IsLogging: true },
  [LEGACY]: {
    $metadata: {},
    IsLogging: false,
    LatestDeliveryTime: new Date('2025-03-01T10:00:00Z'),
    LatestDeliveryError: 'NoSuchBucket',
    StartLoggingTime: new Date('2021-05-01T00:00:00Z'),
    StopLoggingTime: new Date('2025-03-01T10:05:00Z'),
  },
};

const selectors: Record<string, Omit<GetEventSelectorsCommandOutput, '$metadata'>> = {
  [ORG]: { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] }] },
  [DATA]: {
    AdvancedEventSelectors: [
      {
        Name: 'S3 writes',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
        ],
      },
    ],
  },
  [FAR]: {
    AdvancedEventSelectors: [
      { Name: 'Management', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
      { Name: 'Lambda', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }] },
    ],
  },
  [LEGACY]: { EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] },
};

const events = (n: number): Event[] => Array.from({ length: n }, (_, i) => ({ EventId: `e-${i}` }));

interface Call {
  readonly operation: string;
  readonly region: string;
  // biome-ignore lint/suspicious/noExplicitAny: the commands' own inputs
  readonly input: any;
}

/**
 * The account above: us-east-1 has 70 events over two pages; eu-west-1 is busy, a next page after every page.
 * `errors` makes an operation fail in a region.
 */
function serve(options: { errors?: Record<string, Error>; listed?: Record<string, string[]> } = {}): Call[] {
  const calls: Call[] = [];
  const listed = options.listed ?? LISTED;
  const answer =
    (operation: string, fallback: (call: Call) => unknown) =>
    // biome-ignore lint/suspicious/noExplicitAny: the mock's own signature
    async (input: any, getClient: () => { config: { region: () => Promise<string> } }) => {
      const call = { operation, region: await getClient().config.region(), input };
      calls.push(call);
      const error = options.errors?.[`${operation} ${call.region}`];
      if (error) throw error;
      return fallback(call);
    };
  trail.on(DescribeTrailsCommand).callsFake(
    answer('DescribeTrails', ({ region }) => ({
      trailList: (listed[region] ?? []).map((arn) => trails[arn]),
    })),
  );
  trail.on(LookupEventsCommand).callsFake(
    answer('LookupEvents', ({ region, input }) => {
      if (region === 'us-east-1') {
        return input.NextToken ? { Events: events(20) } : { Events: events(50), NextToken: 'east-2' };
      }
      const page = Number(input.NextToken ?? 0) + 1;
      return { Events: events(50), NextToken: String(page) };
    }),
  );
  trail
    .on(GetTrailStatusCommand)
    .callsFake(answer('GetTrailStatus', ({ input }) => statuses[input.Name] ?? {}));
  trail.on(GetEventSelectorsCommand).callsFake(
    answer('GetEventSelectors', ({ input }) => ({
      TrailARN: input.TrailName,
      ...selectors[input.TrailName],
    })),
  );
  return calls;
}

const lookup = {
  StartTime: new Date('2026-11-25T00:00:00.000Z'),
  EndTime: new Date('2026-11-25T23:59:59.999Z'),
  MaxResults: 50,
};

describe('cloudtrail collector', () => {
  it('reports each trail once, from its home region, with status, selectors and the events it covers', async () => {
    const calls = serve();
    const result = await cloudtrailCollector.collect(collectContext({ window }));

    const of = (operation: string, region: string) =>
      calls.filter((c) => c.operation === operation && c.region === region).map((c) => c.input);
    for (const region of ['us-east-1', 'eu-west-1']) {
      expect(of('DescribeTrails', region)).toEqual([{ includeShadowTrails: true }]);
    }
    expect(of('LookupEvents', 'us-east-1')).toEqual([lookup, { ...lookup, NextToken: 'east-2' }]);
    expect(of('LookupEvents', 'eu-west-1')).toEqual([
      lookup,
      ...Array.from({ length: 19 }, (_, i) => ({ ...lookup, NextToken: String(i + 1) })),
    ]);
    // The organization trail from its home region; the far trail, whose home is not collected, from the first
    // region that lists it; every trail by its ARN.
    expect(of('GetTrailStatus', 'us-east-1')).toEqual(
      expect.arrayContaining([{ Name: ORG }, { Name: FAR }, { Name: LEGACY }]),
    );
    expect(of('GetTrailStatus', 'us-east-1')).toHaveLength(3);
    expect(of('GetTrailStatus', 'eu-west-1')).toEqual([{ Name: DATA }]);
    expect(of('GetEventSelectors', 'eu-west-1')).toEqual([{ TrailName: DATA }]);
    expect(of('GetEventSelectors', 'us-east-1')).toHaveLength(3);

    expect(result.regions).toEqual({
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': { status: 'SUCCEEDED' },
    });
    expect(result.rows).toBe(4);
    expect(cloudtrailCollector.schema.safeParse(result.payload).success).toBe(true);
    // Sorted by ARN.
    expect(result.payload.cloudtrail).toEqual([
      {
        name: 'shop-data-events',
        arn: DATA,
        region: 'eu-west-1',
        home_region: 'eu-west-1',
        is_logging: true,
        is_multi_region: false,
        include_global_events: false,
        is_organization_trail: false,
        s3_bucket: 'shop-trail',
        kms_key_id: null,
        log_file_validation: false,
        management_events: false,
        data_events: true,
        recent_events_count: null,
        recent_events_count_capped: false,
        latest_delivery_time: '2026-11-26T05:58:00.000Z',
        latest_delivery_error: null,
        start_logging_time: null,
        stop_logging_time: null,
      },
      {
        name: 'org-trail',
        arn: ORG,
        region: 'us-east-1',
        home_region: 'us-east-1',
        is_logging: true,
        is_multi_region: true,
        include_global_events: true,
        is_organization_trail: true,
        s3_bucket: 'org-cloudtrail-logs',
        kms_key_id: `arn:aws:kms:us-east-1:${management}:key/11111111-2222-3333-4444-555555555555`,
        log_file_validation: true,
        management_events: true,
        data_events: false,
        recent_events_count: 1070,
        recent_events_count_capped: true,
        latest_delivery_time: '2026-11-26T05:55:00.000Z',
        latest_delivery_error: null,
        start_logging_time: '2024-01-02T03:04:05.000Z',
        stop_logging_time: null,
      },
      {
        name: 'legacy',
        arn: LEGACY,
        region: 'us-east-1',
        home_region: 'us-east-1',
        is_logging: false,
        is_multi_region: false,
        include_global_events: true,
        is_organization_trail: false,
        s3_bucket: 'legacy-trail',
        kms_key_id: null,
        log_file_validation: false,
        management_events: true,
        data_events: false,
        recent_events_count: 70,
        recent_events_count_capped: false,
        latest_delivery_time: '2025-03-01T10:00:00.000Z',
        latest_delivery_error: 'NoSuchBucket',
        start_logging_time: '2021-05-01T00:00:00.000Z',
        stop_logging_time: '2025-03-01T10:05:00.000Z',
      },
      {
        name: 'audit-everywhere',
        arn: FAR,
        region: 'us-east-1',
        home_region: 'us-west-2',
        is_logging: true,
        is_multi_region: true,
        include_global_events: false,
        is_organization_trail: false,
        s3_bucket: 'audit-trail',
        kms_key_id: null,
        log_file_validation: false,
        management_events: true,
        data_events: true,
        recent_events_count: 1070,
        recent_events_count_capped: true,
        latest_delivery_time: null,
        latest_delivery_error: null,
        start_logging_time: null,
        stop_logging_time: null,
      },
    ]);
  });

  it('declares exactly the IAM actions of the calls it makes', async () => {
    serve();
    await cloudtrailCollector.collect(collectContext({ window }));
    const sent = new Set(
      trail
        .calls()
        .map((call) => `cloudtrail:${(call.args[0] as object).constructor.name.replace(/Command$/, '')}`),
    );
    expect([...cloudtrailCollector.actions].sort()).toEqual([...sent].sort());
    expect(cloudtrailCollector.scope).toBe('regional');
    expect(cloudtrailCollector.tables).toEqual(['cloudtrail_logs']);
  });

  it("leaves out a trail whose home region failed rather than reading its shadow, and keeps the region's others", async () => {
    serve({
      errors: { 'DescribeTrails us-east-1': serviceError('AccessDeniedException', 'not authorized', 403) },
    });
    const result = await cloudtrailCollector.collect(collectContext({ window }));
    expect(result.regions).toEqual({
      'us-east-1': {
        status: 'FAILED',
        error: { name: 'SourceAccessError', message: 'AccessDeniedException: not authorized' },
      },
      'eu-west-1': { status: 'SUCCEEDED' },
    });
    expect(result.payload.cloudtrail.map((t) => [t.name, t.region, t.recent_events_count])).toEqual([
      ['shop-data-events', 'eu-west-1', null],
      // Not homed in a collected region: read where it is listed, counting only that region's events.
      ['audit-everywhere', 'eu-west-1', 1000],
    ]);
  });

  it('records a region whose trail status cannot be read as FAILED and drops its trails', async () => {
    serve({
      errors: { 'GetTrailStatus eu-west-1': serviceError('ThrottlingException', 'Rate exceeded', 400) },
    });
    const result = await cloudtrailCollector.collect(collectContext({ window }));
    expect(result.regions?.['eu-west-1']).toMatchObject({
      status: 'FAILED',
      error: { name: 'TransientError' },
    });
    expect(result.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
    expect(result.payload.cloudtrail.map((t) => t.name).sort()).toEqual([
      'audit-everywhere',
      'legacy',
      'org-trail',
    ]);
  });

  it('drops a trail deleted between listing and status', async () => {
    const calls = serve();
    trail
      .on(GetTrailStatusCommand, { Name: LEGACY })
      .rejects(serviceError('TrailNotFoundException', `Unknown trail: ${LEGACY} for the user: ${account}`));
    const result = await cloudtrailCollector.collect(collectContext({ window }));
    expect(result.payload.cloudtrail.map((t) => t.name)).not.toContain('legacy');
    expect(result.payload.cloudtrail).toHaveLength(3);
    expect(result.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
    expect(calls.some((c) => c.operation === 'GetEventSelectors' && c.input.TrailName === LEGACY)).toBe(true);
  });

  it('counts nothing for a window older than event history, and calls no LookupEvents', async () => {
    const calls = serve();
    const result = await cloudtrailCollector.collect(
      collectContext({ window: { period: 'MONTHLY', start: '2026-07-01', end: '2026-08-01' } }),
    );
    expect(calls.filter((c) => c.operation === 'LookupEvents')).toEqual([]);
    expect(result.payload.cloudtrail.map((t) => t.recent_events_count)).toEqual([null, null, null, null]);
  });

  it('asks event history for the whole month of a monthly run', async () => {
    const calls = serve({ listed: { 'us-east-1': [LEGACY] } });
    await cloudtrailCollector.collect(
      collectContext({
        window: { period: 'MONTHLY', start: '2026-10-01', end: '2026-11-01' },
        regions: ['us-east-1'],
      }),
    );
    expect(calls.find((c) => c.operation === 'LookupEvents')?.input).toEqual({
      StartTime: new Date('2026-10-01T00:00:00.000Z'),
      EndTime: new Date('2026-10-31T23:59:59.999Z'),
      MaxResults: 50,
    });
  });

  it('reports no trails, and makes no other call, for an account without any', async () => {
    const calls = serve({ listed: {} });
    const result = await cloudtrailCollector.collect(collectContext({ window }));
    expect(result.payload).toEqual({ cloudtrail: [] });
    expect(result.skippedReason).toBeUndefined();
    expect(calls.map((c) => c.operation)).toEqual(['DescribeTrails', 'DescribeTrails']);
  });

  it('records an opt-in region that rejects the credentials as SKIPPED', async () => {
    serve({
      errors: {
        'DescribeTrails eu-west-1': serviceError(
          'UnrecognizedClientException',
          'The security token included in the request is invalid.',
        ),
      },
    });
    const result = await cloudtrailCollector.collect(collectContext({ window }));
    expect(result.regions?.['eu-west-1']).toMatchObject({
      status: 'SKIPPED',
      error: { name: 'ServiceNotEnabledError' },
    });
    expect(result.payload.cloudtrail.map((t) => t.name).sort()).toEqual([
      'audit-everywhere',
      'legacy',
      'org-trail',
    ]);
  });

  it.each([
    ['AccessDeniedException', 'not authorized to perform: cloudtrail:DescribeTrails', 403, SourceAccessError],
    ['ThrottlingException', 'Rate exceeded', 400, TransientError],
    ['InternalServerError', 'internal error', 500, TransientError],
    ['UnsupportedOperationException', 'unsupported', 400, SourceRequestError],
    [
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
      400,
      SourceAccessError,
    ],
  ])('classifies %s in every region as %s', async (name, message, status, type) => {
    const error = serviceError(name, message, status);
    serve({ errors: { 'DescribeTrails us-east-1': error, 'DescribeTrails eu-west-1': error } });
    await expect(cloudtrailCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(type);
  });

  it.each([
    ['TrailARN', { TrailARN: undefined }, 'trailList[0].TrailARN'],
    ['HomeRegion', { HomeRegion: undefined }, 'trailList[0].HomeRegion'],
    ['IsMultiRegionTrail', { IsMultiRegionTrail: undefined }, 'IsMultiRegionTrail'],
  ])('rejects a trail without %s, naming the field', async (_field, change, path) => {
    serve({ listed: { 'us-east-1': [LEGACY] } });
    trail.on(DescribeTrailsCommand).resolves({ trailList: [{ ...trails[LEGACY], ...change }] });
    const error = await cloudtrailCollector
      .collect(collectContext({ window, regions: ['us-east-1'] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toContain(path);
  });

  it('rejects a trail status without IsLogging', async () => {
    serve({ listed: { 'us-east-1': [LEGACY] } });
    trail.on(GetTrailStatusCommand).resolves({ LatestDeliveryTime: new Date() });
    const error = await cloudtrailCollector
      .collect(collectContext({ window, regions: ['us-east-1'] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toContain(`GetTrailStatus(${LEGACY}) IsLogging`);
  });
});

describe('selectedEvents', () => {
  it('reads basic and advanced selectors', () => {
    expect(selectedEvents([], [])).toEqual({ management: false, data: false });
    expect(selectedEvents([{ IncludeManagementEvents: false, DataResources: [] }], [])).toEqual({
      management: false,
      data: false,
    });
    expect(
      selectedEvents([{ DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }] }], []),
    ).toEqual({ management: true, data: true });
    expect(
      selectedEvents(
        [],
        [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Management'] },
              { Field: 'readOnly', Equals: ['false'] },
            ],
          },
        ],
      ),
    ).toEqual({ management: true, data: false });
  });
});
