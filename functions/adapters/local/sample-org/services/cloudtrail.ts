import type { Environment, SampleAccount } from '../accounts.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';

/** A trail of the sample organization, as its owner account created it. */
export interface SampleTrail {
  readonly name: string;
  readonly arn: string;
  readonly ownerId: string;
  readonly homeRegion: string;
  readonly multiRegion: boolean;
  readonly organization: boolean;
  readonly includeGlobalEvents: boolean;
  readonly s3Bucket: string;
  readonly s3KeyPrefix: string | null;
  readonly kmsKeyId: string | null;
  readonly logFileValidation: boolean;
  readonly cloudWatchLogGroupArn: string | null;
  readonly insights: boolean;
  /** GetEventSelectors' answer: basic or advanced selectors. */
  readonly selectors: Record<string, unknown>;
  readonly createdAt: Date;
  /** When logging was stopped, for a trail that no longer logs. */
  readonly stoppedAt: Date | null;
  readonly deliveryError: string | null;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const EVENT_HISTORY_MS = 90 * DAY_MS;

/** Management events a day in the account's home region, for a scale-1 account; other regions see fewer. */
const EVENTS_PER_DAY: Record<Environment, number> = {
  management: 900,
  security: 1200,
  production: 420,
  staging: 260,
  development: 160,
  sandbox: 40,
};

/** Short-lived trails created by pipelines and investigations; replaced every few days. */
const EPHEMERAL_PURPOSES = ['ci-audit', 'incident-review', 'forensics', 'migration-audit', 'pentest-window'];

const MANAGEMENT_ALL = {
  EventSelectors: [
    {
      ReadWriteType: 'All',
      IncludeManagementEvents: true,
      DataResources: [],
      ExcludeManagementEventSources: [],
    },
  ],
};

/** The trail in one slot at `day`: its generation seeds it, so it is replaced when its period ends. */
function slotOccupant(
  seed: readonly (string | number)[],
  day: number,
  periodDays: readonly [number, number],
  emptyShare: number,
): { random: Random; createdAt: Date } | null {
  const shape = new Random(...seed, 'slot');
  const period = shape.int(periodDays[0], periodDays[1]);
  const phase = shape.int(0, period - 1);
  const generation = Math.floor((day + phase) / period);
  const random = new Random(...seed, generation);
  if (random.chance(emptyShare)) return null;
  return {
    random,
    createdAt: new Date((generation * period - phase) * DAY_MS + random.int(0, 7_200) * 1000),
  };
}

function trailArn(region: string, accountId: string, name: string): string {
  return `arn:aws:cloudtrail:${region}:${accountId}:trail/${name}`;
}

/** The organization trail, created by the management account in its home region and applied to every member. */
export function organizationTrail(
  accounts: readonly SampleAccount[],
  regions: readonly string[],
): SampleTrail {
  const management = accounts[0] as SampleAccount;
  const logArchive = accounts[2] ?? management;
  const home = regions[0] as string;
  const random = new Random(management.id, 'cloudtrail', 'organization');
  const name = 'org-management-events';
  return {
    name,
    arn: trailArn(home, management.id, name),
    ownerId: management.id,
    homeRegion: home,
    multiRegion: true,
    organization: true,
    includeGlobalEvents: true,
    s3Bucket: `org-cloudtrail-logs-${logArchive.id}`,
    s3KeyPrefix: null,
    kmsKeyId: `arn:aws:kms:${home}:${logArchive.id}:key/${random.uuid()}`,
    logFileValidation: true,
    cloudWatchLogGroupArn: `arn:aws:logs:${home}:${management.id}:log-group:aws-cloudtrail-logs-org:*`,
    insights: true,
    selectors: MANAGEMENT_ALL,
    createdAt: new Date(management.joinedAt.getTime() + 2 * DAY_MS),
    stoppedAt: null,
    deliveryError: null,
  };
}

/** The trails an account owns at `now` (not the organization trail). */
export function accountTrails(account: SampleAccount, regions: readonly string[], now: Date): SampleTrail[] {
  if (account.index === 0) return [];
  const random = new Random(account.id, 'cloudtrail', 'own');
  const base = account.product ?? account.name;
  const home = regions[0] as string;
  const bucket = `${base}-cloudtrail-${account.id}`;
  const since = (days: number) => new Date(account.joinedAt.getTime() + days * DAY_MS);
  const trails: SampleTrail[] = [];
  const own = (
    name: string,
    region: string,
    options: Partial<SampleTrail> & Pick<SampleTrail, 'selectors' | 'createdAt'>,
  ): SampleTrail => ({
    name,
    arn: trailArn(region, account.id, name),
    ownerId: account.id,
    homeRegion: region,
    multiRegion: false,
    organization: false,
    includeGlobalEvents: false,
    s3Bucket: bucket,
    s3KeyPrefix: name,
    kmsKeyId: null,
    logFileValidation: false,
    cloudWatchLogGroupArn: null,
    insights: false,
    stoppedAt: null,
    deliveryError: null,
    ...options,
  });

  if (account.environment === 'security' && account.index === 1) {
    trails.push(
      own('security-audit', home, {
        multiRegion: true,
        includeGlobalEvents: true,
        kmsKeyId: `arn:aws:kms:${home}:${account.id}:key/${random.uuid()}`,
        logFileValidation: true,
        cloudWatchLogGroupArn: `arn:aws:logs:${home}:${account.id}:log-group:security-audit-trail:*`,
        insights: true,
        selectors: {
          AdvancedEventSelectors: [
            {
              Name: 'Management events',
              FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
            },
            {
              Name: 'Lambda invocations',
              FieldSelectors: [
                { Field: 'eventCategory', Equals: ['Data'] },
                { Field: 'resources.type', Equals: ['AWS::Lambda::Function'] },
              ],
            },
          ],
        },
        createdAt: since(20),
      }),
    );
  }
  if (account.environment === 'production' && random.chance(0.7)) {
    trails.push(
      own(`${base}-data-events`, home, {
        kmsKeyId: random.chance(0.6) ? `arn:aws:kms:${home}:${account.id}:key/${random.uuid()}` : null,
        logFileValidation: true,
        selectors: {
          AdvancedEventSelectors: [
            {
              Name: 'S3 object-level events',
              FieldSelectors: [
                { Field: 'eventCategory', Equals: ['Data'] },
                { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
                { Field: 'readOnly', Equals: ['false'] },
              ],
            },
          ],
        },
        createdAt: since(random.int(30, 300)),
      }),
    );
  }
  // A trail from before the organization trail, in a second region: some still log, some were stopped when their
  // bucket went away.
  const legacyRegion = regions[1];
  if (legacyRegion && account.environment !== 'sandbox' && random.chance(0.3)) {
    const createdAt = since(random.int(1, 30));
    const stopped = random.chance(0.5);
    trails.push(
      own(`${base}-legacy-trail`, legacyRegion, {
        selectors: {
          EventSelectors: [
            {
              ReadWriteType: 'WriteOnly',
              IncludeManagementEvents: true,
              DataResources: [],
              ExcludeManagementEventSources: [],
            },
          ],
        },
        createdAt,
        stoppedAt: stopped ? new Date(createdAt.getTime() + random.int(200, 600) * DAY_MS) : null,
        deliveryError: stopped ? 'NoSuchBucket' : null,
      }),
    );
  }
  const day = Math.floor(now.getTime() / DAY_MS);
  for (let slot = 0; slot < 2; slot++) {
    const taken = slotOccupant([account.id, 'cloudtrail', 'ephemeral', slot], day, [3, 9], 0.4);
    if (!taken || taken.createdAt > now) continue;
    const r = taken.random;
    const name = `${base}-${r.pick(EPHEMERAL_PURPOSES)}-${r.hex(6)}`;
    trails.push(
      own(name, r.pick(regions), {
        selectors: {
          EventSelectors: [
            {
              ReadWriteType: r.pick(['All', 'WriteOnly']),
              IncludeManagementEvents: true,
              DataResources: r.chance(0.3)
                ? [{ Type: 'AWS::S3::Object', Values: [`arn:aws:s3:::${base}-uploads-${account.id}/`] }]
                : [],
              ExcludeManagementEventSources: r.chance(0.5) ? ['kms.amazonaws.com'] : [],
            },
          ],
        },
        createdAt: taken.createdAt,
      }),
    );
  }
  return trails.filter((t) => t.createdAt <= now);
}

/** The trails a call sees in its region: its own, and shadows of multi-region and organization trails. */
function visibleTrails(call: SampleCall): Array<{ trail: SampleTrail; shadow: boolean }> {
  const trails = [
    organizationTrail(call.accounts, call.regions),
    ...accountTrails(call.account, call.regions, call.now),
  ];
  return trails
    .filter((t) => t.createdAt <= call.now && (t.homeRegion === call.region || t.multiRegion))
    .map((trail) => ({
      trail,
      shadow: trail.homeRegion !== call.region || trail.ownerId !== call.account.id,
    }));
}

function trailOutput(trail: SampleTrail): object {
  return {
    Name: trail.name,
    S3BucketName: trail.s3Bucket,
    ...(trail.s3KeyPrefix ? { S3KeyPrefix: trail.s3KeyPrefix } : {}),
    IncludeGlobalServiceEvents: trail.includeGlobalEvents,
    IsMultiRegionTrail: trail.multiRegion,
    HomeRegion: trail.homeRegion,
    TrailARN: trail.arn,
    LogFileValidationEnabled: trail.logFileValidation,
    ...(trail.cloudWatchLogGroupArn
      ? {
          CloudWatchLogsLogGroupArn: trail.cloudWatchLogGroupArn,
          CloudWatchLogsRoleArn: `arn:aws:iam::${trail.ownerId}:role/CloudTrailRoleForCloudWatchLogs`,
        }
      : {}),
    ...(trail.kmsKeyId ? { KmsKeyId: trail.kmsKeyId } : {}),
    HasCustomEventSelectors: true,
    HasInsightSelectors: trail.insights,
    IsOrganizationTrail: trail.organization,
  };
}

const ARN_RE = /^arn:aws:cloudtrail:([a-z0-9-]+):(\d{12}):trail\/(.+)$/;
const NAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{1,126})[A-Za-z0-9]$/;

/**
 * The trail a GetTrailStatus or GetEventSelectors names: by name, a trail of this account and region; by ARN, any
 * trail the region shows (shadow and organization trails are found only so).
 */
function findTrail(call: SampleCall, nameOrArn: unknown): SampleTrail {
  if (typeof nameOrArn !== 'string' || nameOrArn === '') {
    throw awsError('InvalidTrailNameException', 'Trail name cannot be null or empty.');
  }
  const visible = visibleTrails(call);
  if (nameOrArn.startsWith('arn:')) {
    if (!ARN_RE.test(nameOrArn)) {
      throw awsError('CloudTrailARNInvalidException', `Invalid trail ARN: ${nameOrArn}`);
    }
    const found = visible.find((v) => v.trail.arn === nameOrArn);
    if (found) return found.trail;
  } else {
    if (!NAME_RE.test(nameOrArn)) {
      throw awsError(
        'InvalidTrailNameException',
        'Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).',
      );
    }
    const found = visible.find((v) => !v.shadow && v.trail.name === nameOrArn);
    if (found) return found.trail;
  }
  throw awsError('TrailNotFoundException', `Unknown trail: ${nameOrArn} for the user: ${call.account.id}`);
}

function describeTrails(call: SampleCall): object {
  const { trailNameList, includeShadowTrails } = call.input;
  const wanted: string[] = trailNameList ?? [];
  const visible = visibleTrails(call).filter((v) => includeShadowTrails !== false || !v.shadow);
  const listed =
    wanted.length === 0
      ? visible
      : visible.filter((v) => wanted.includes(v.trail.arn) || (!v.shadow && wanted.includes(v.trail.name)));
  return { trailList: listed.map((v) => trailOutput(v.trail)) };
}

const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

function getTrailStatus(call: SampleCall): object {
  const trail = findTrail(call, call.input.Name);
  // Logs are delivered about every five minutes while the trail logs.
  const until = (trail.stoppedAt ?? call.now).getTime();
  const random = new Random(trail.arn, 'delivery', Math.floor(until / 300_000));
  const lastDelivery = new Date(Math.max(trail.createdAt.getTime(), until - random.int(20, 290) * 1000));
  const digest = new Date(Math.floor(lastDelivery.getTime() / HOUR_MS) * HOUR_MS + 120_000);
  return {
    IsLogging: trail.stoppedAt === null,
    LatestDeliveryTime: lastDelivery,
    StartLoggingTime: trail.createdAt,
    TimeLoggingStarted: iso(trail.createdAt),
    LatestDeliveryAttemptTime: iso(lastDelivery),
    LatestNotificationAttemptTime: '',
    LatestNotificationAttemptSucceeded: '',
    LatestDeliveryAttemptSucceeded: trail.deliveryError ? '' : iso(lastDelivery),
    ...(trail.deliveryError ? { LatestDeliveryError: trail.deliveryError } : {}),
    ...(trail.logFileValidation && digest <= lastDelivery ? { LatestDigestDeliveryTime: digest } : {}),
    ...(trail.cloudWatchLogGroupArn ? { LatestCloudWatchLogsDeliveryTime: lastDelivery } : {}),
    ...(trail.stoppedAt
      ? { StopLoggingTime: trail.stoppedAt, TimeLoggingStopped: iso(trail.stoppedAt) }
      : { TimeLoggingStopped: '' }),
  };
}

function getEventSelectors(call: SampleCall): object {
  const trail = findTrail(call, call.input.TrailName);
  return { TrailARN: trail.arn, ...structuredClone(trail.selectors) };
}

// Event history ------------------------------------------------------------------------------------------

const EVENTS: ReadonlyArray<{ source: string; name: string; readOnly: boolean; weight: number }> = [
  { source: 'sts.amazonaws.com', name: 'AssumeRole', readOnly: true, weight: 14 },
  { source: 'ec2.amazonaws.com', name: 'DescribeInstances', readOnly: true, weight: 10 },
  { source: 'kms.amazonaws.com', name: 'Decrypt', readOnly: true, weight: 12 },
  { source: 's3.amazonaws.com', name: 'GetBucketAcl', readOnly: true, weight: 6 },
  { source: 'logs.amazonaws.com', name: 'CreateLogStream', readOnly: false, weight: 5 },
  { source: 'ssm.amazonaws.com', name: 'UpdateInstanceInformation', readOnly: false, weight: 6 },
  { source: 'lambda.amazonaws.com', name: 'UpdateFunctionCode20150331v2', readOnly: false, weight: 1 },
  { source: 'ec2.amazonaws.com', name: 'RunInstances', readOnly: false, weight: 1 },
  { source: 'iam.amazonaws.com', name: 'GetRole', readOnly: true, weight: 3 },
  { source: 'config.amazonaws.com', name: 'PutEvaluations', readOnly: false, weight: 4 },
  { source: 'signin.amazonaws.com', name: 'ConsoleLogin', readOnly: false, weight: 0.3 },
];

/** The share of a day's events in each UTC hour: busier in working hours. */
const HOURLY = Array.from({ length: 24 }, (_, h) => (h >= 7 && h <= 18 ? 1.5 : 0.55));
const HOURLY_TOTAL = HOURLY.reduce((a, b) => a + b, 0);

function eventsInHour(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  hour: number,
): number {
  const perDay =
    EVENTS_PER_DAY[account.environment] * Math.max(0.5, account.scale) * (region === regions[0] ? 1 : 0.3);
  const random = new Random(account.id, region, 'cloudtrail-hour', hour);
  const share = (HOURLY[((hour % 24) + 24) % 24] as number) / HOURLY_TOTAL;
  return Math.round(perDay * share * random.float(0.7, 1.3));
}

/** When event `index` (0 = the latest) of an hour with `inHour` events happened: spread over the hour. */
function eventTime(hour: number, index: number, inHour: number): number {
  return hour * HOUR_MS + Math.floor(((inHour - index - 0.5) * HOUR_MS) / inHour / 1000) * 1000;
}

function eventOf(call: SampleCall, hour: number, index: number, inHour: number): object {
  const random = new Random(call.account.id, call.region, 'cloudtrail-event', hour, index);
  const kind = random.weighted(
    EVENTS,
    EVENTS.map((e) => e.weight),
  );
  const time = new Date(eventTime(hour, index, inHour));
  const user = random.pick([
    'a360-member-read',
    'github-deploy',
    'AWSServiceRoleForConfig',
    'platform-admin',
  ]);
  const id = random.uuid();
  return {
    EventId: id,
    EventName: kind.name,
    ReadOnly: String(kind.readOnly),
    AccessKeyId: `ASIA${random.hex(16).toUpperCase()}`,
    EventTime: time,
    EventSource: kind.source,
    Username: user,
    Resources: [],
    CloudTrailEvent: JSON.stringify({
      eventVersion: '1.09',
      eventTime: iso(time),
      eventSource: kind.source,
      eventName: kind.name,
      awsRegion: call.region,
      sourceIPAddress: kind.source,
      readOnly: kind.readOnly,
      eventID: id,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: call.account.id,
      eventCategory: 'Management',
    }),
  };
}

function timeOf(value: unknown, parameter: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const time = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(time)) throw awsError('ValidationException', `${parameter} is not a valid timestamp.`);
  return time;
}

function lookupEvents(call: SampleCall): object {
  const { LookupAttributes, StartTime, EndTime, EventCategory, MaxResults, NextToken } = call.input;
  if (MaxResults !== undefined && (!Number.isInteger(MaxResults) || MaxResults < 1 || MaxResults > 50)) {
    throw awsError('InvalidMaxResultsException', 'Maximum number of results is 50.');
  }
  if (LookupAttributes !== undefined && LookupAttributes.length > 0) {
    throw awsError(
      LookupAttributes.length > 1 ? 'InvalidLookupAttributesException' : 'ValidationException',
      LookupAttributes.length > 1
        ? 'You can specify only one lookup attribute.'
        : 'the sample organization does not filter events by lookup attribute',
    );
  }
  if (EventCategory !== undefined && EventCategory !== 'insight') {
    throw awsError('InvalidEventCategoryException', `Event category ${EventCategory} is not valid.`);
  }
  const now = call.now.getTime();
  const requestedStart = timeOf(StartTime, 'StartTime');
  const requestedEnd = timeOf(EndTime, 'EndTime');
  if (requestedStart !== undefined && requestedEnd !== undefined && requestedStart > requestedEnd) {
    throw awsError('InvalidTimeRangeException', 'Start time must be before end time.');
  }
  const end = Math.min(requestedEnd ?? now, now);
  const start = Math.max(requestedStart ?? now - EVENT_HISTORY_MS, now - EVENT_HISTORY_MS);
  // Insights events would need a trail with insight selectors in this region and an unusual day: none.
  const { spans, offsets } =
    EventCategory === undefined && start <= end ? eventSpans(call, start, end) : { spans: [], offsets: [] };
  const { page, nextToken } = paginate(offsets, {
    token: NextToken,
    pageSize: MaxResults ?? 50,
    request: { StartTime, EndTime, EventCategory, region: call.region, account: call.account.id },
    invalidToken: () => awsError('InvalidNextTokenException', 'Invalid NextToken.'),
  });
  return {
    Events: page.map((offset) => {
      const span = spans.find((s) => offset < s.offset + s.count) as EventSpan;
      return eventOf(call, span.hour, span.first + offset - span.offset, span.inHour);
    }),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

/** The events of one hour within a time range: indexes first..first+count-1, at `offset` in the whole list. */
interface EventSpan {
  readonly hour: number;
  readonly inHour: number;
  readonly first: number;
  readonly count: number;
  readonly offset: number;
}

/** Recently listed ranges: a collection pages through the same range up to 20 times in a row. */
const recentSpans = new Map<string, EventList>();
const RECENT_SPANS = 16;

/** The events of a range: their spans, and the offsets 0..n-1 that pages are cut from. */
interface EventList {
  readonly spans: readonly EventSpan[];
  readonly offsets: readonly number[];
}

/** The events between start and end (inclusive), latest first, as spans of hours: a month is a few hundred. */
function eventSpans(call: SampleCall, start: number, end: number): EventList {
  const key = `${call.account.id}|${call.account.environment}|${call.account.scale}|${call.region}|${call.regions.join(',')}|${start}|${end}`;
  const cached = recentSpans.get(key);
  if (cached) return cached;
  const spans: EventSpan[] = [];
  let offset = 0;
  for (let hour = Math.floor(end / HOUR_MS); hour >= Math.floor(start / HOUR_MS); hour--) {
    const inHour = eventsInHour(call.account, call.region, call.regions, hour);
    let first = 0;
    while (first < inHour && eventTime(hour, first, inHour) > end) first++;
    let last = inHour;
    while (last > first && eventTime(hour, last - 1, inHour) < start) last--;
    if (last > first) {
      spans.push({ hour, inHour, first, count: last - first, offset });
      offset += last - first;
    }
  }
  const list = { spans, offsets: Array.from({ length: offset }, (_, i) => i) };
  const oldest = recentSpans.keys().next().value;
  if (oldest !== undefined && recentSpans.size >= RECENT_SPANS) recentSpans.delete(oldest);
  recentSpans.set(key, list);
  return list;
}

export const cloudTrailSimulator: ServiceSimulator = {
  service: 'CloudTrail',
  operations: {
    DescribeTrails: describeTrails,
    GetTrailStatus: getTrailStatus,
    GetEventSelectors: getEventSelectors,
    LookupEvents: lookupEvents,
  },
  // CloudTrail needs no enabling (event history is always on); what fails is a region the account has not opted
  // in to, where AWS does not recognise the account's credentials.
  notEnabled: () =>
    awsError('UnrecognizedClientException', 'The security token included in the request is invalid.'),
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    if (operation === 'DescribeTrails') {
      const first = (copy.trailList as Array<Record<string, unknown>>)[0];
      if (first) delete first.TrailARN;
    } else if (operation === 'GetTrailStatus') {
      delete copy.IsLogging;
    }
    return copy;
  },
};
