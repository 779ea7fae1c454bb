import {
  type AdvancedEventSelector,
  CloudTrailClient,
  DescribeTrailsCommand,
  type EventSelector,
  GetEventSelectorsCommand,
  type GetEventSelectorsCommandOutput,
  GetTrailStatusCommand,
  type GetTrailStatusCommandOutput,
  LookupEventsCommand,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { z } from 'zod';
import { mapLimit } from '../platform/concurrency.ts';
import type { Window } from '../platform/period.ts';
import { required } from './aws-errors.ts';
import { collectEachRegion } from './regional.ts';
import { type CollectContext, defineCollector } from './types.ts';

const timestamp = z.iso.datetime();
const count = z.number().int().nonnegative();

const trailSchema = z.object({
  name: z.string().min(1),
  arn: z.string().min(1),
  /** The region whose collection reports the trail: its home region whenever that region is collected. */
  region: z.string().min(1),
  home_region: z.string().min(1),
  is_logging: z.boolean(),
  is_multi_region: z.boolean(),
  include_global_events: z.boolean(),
  is_organization_trail: z.boolean(),
  s3_bucket: z.string().nullable(),
  kms_key_id: z.string().nullable(),
  log_file_validation: z.boolean(),
  /** The event selectors record management events (of any read/write type). */
  management_events: z.boolean(),
  /** The event selectors record data events of some resource type. */
  data_events: z.boolean(),
  /**
   * Management events of the window in CloudTrail event history, summed over the collected regions the trail
   * covers; null when the trail records no management events or the window is older than event history.
   */
  recent_events_count: count.nullable(),
  /** The count stopped at the page limit in some region: it is a lower bound. */
  recent_events_count_capped: z.boolean(),
  latest_delivery_time: timestamp.nullable(),
  latest_delivery_error: z.string().nullable(),
  start_logging_time: timestamp.nullable(),
  stop_logging_time: timestamp.nullable(),
});
export type CloudtrailTrail = z.infer<typeof trailSchema>;

export const cloudtrailPayloadSchema = z.object({
  /** One entry per trail ARN, whichever regions list it. */
  cloudtrail: z.array(trailSchema),
});
export type CloudtrailPayload = z.infer<typeof cloudtrailPayloadSchema>;

/** LookupEvents returns at most 50 events a page. */
const LOOKUP_PAGE_SIZE = 50;
/**
 * LookupEvents answers two requests a second per account and region, so counting a busy account's day to the
 * end could take minutes of throttled calls. 20 pages (1,000 events, about 10 s a region) tell a quiet
 * account from a busy one; beyond that the count is a lower bound, flagged as such.
 */
const MAX_LOOKUP_PAGES = 20;
/** How far back CloudTrail event history goes. */
const EVENT_HISTORY_DAYS = 90;
const DAY_MS = 86_400_000;
/** Trails examined at once per region: CloudTrail's control-plane rate limits are low. */
const TRAIL_CONCURRENCY = 2;

interface EventCount {
  readonly count: number;
  readonly capped: boolean;
}

interface RegionListing {
  readonly trails: readonly Trail[];
  /** Null when the region lists no trail (nothing to count for) or the window is beyond event history. */
  readonly events: EventCount | null;
}

const nameOf = (error: unknown) => (error as { name?: string } | null)?.name;

/**
 * Management events of the window in the region's event history (which records them whatever the trails),
 * up to MAX_LOOKUP_PAGES pages. LookupEvents' EndTime is inclusive, so the window's exclusive end becomes its
 * last millisecond.
 */
async function countEvents(client: CloudTrailClient, window: Window, now: Date): Promise<EventCount | null> {
  const start = new Date(`${window.start}T00:00:00.000Z`);
  const end = new Date(Date.parse(`${window.end}T00:00:00.000Z`) - 1);
  if (end.getTime() < now.getTime() - EVENT_HISTORY_DAYS * DAY_MS) return null;
  let events = 0;
  let pages = 0;
  let token: string | undefined;
  do {
    const page = await client.send(
      new LookupEventsCommand({
        StartTime: start,
        EndTime: end,
        MaxResults: LOOKUP_PAGE_SIZE,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    events += (page.Events ?? []).length;
    pages += 1;
    token = page.NextToken || undefined;
  } while (token && pages < MAX_LOOKUP_PAGES);
  return { count: events, capped: token !== undefined };
}

/**
 * Every trail the region shows, shadow trails included: in a member account an organization trail exists only
 * as a shadow trail, so `includeShadowTrails: false` would hide it. Copies are merged by ARN afterwards.
 */
async function listRegion(client: CloudTrailClient, ctx: CollectContext): Promise<RegionListing> {
  const response = await client.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
  const trails = response.trailList ?? [];
  return { trails, events: trails.length > 0 ? await countEvents(client, ctx.window, ctx.now) : null };
}

interface ChosenTrail {
  readonly trail: Trail;
  readonly arn: string;
  /** Where its status and selectors are read and where its row lives. */
  readonly region: string;
  /** The regions (collected, succeeded) that list it: the regions it covers. */
  readonly covered: readonly string[];
}

/**
 * One copy per trail ARN: the one read in the trail's home region when that region is collected (a failed
 * home region leaves the trail out rather than moving it), otherwise the first collected region that lists it.
 */
function chooseTrails(
  regions: readonly string[],
  listings: ReadonlyArray<{ readonly region: string; readonly value: RegionListing }>,
): ChosenTrail[] {
  const chosen = new Map<string, { trail: Trail; region: string }>();
  const covered = new Map<string, string[]>();
  for (const { region, value } of listings) {
    value.trails.forEach((trail, i) => {
      const at = `DescribeTrails (${region}) trailList[${i}]`;
      const arn = required(trail.TrailARN, `${at}.TrailARN`);
      const home = required(trail.HomeRegion, `${at}.HomeRegion`);
      covered.set(arn, [...(covered.get(arn) ?? []), region]);
      const keep = regions.includes(home) ? region === home : !chosen.has(arn);
      if (keep) chosen.set(arn, { trail, region });
    });
  }
  return [...chosen.entries()].map(([arn, c]) => ({ ...c, arn, covered: covered.get(arn) ?? [] }));
}

const recordsCategory = (selector: AdvancedEventSelector, category: string) =>
  (selector.FieldSelectors ?? []).some(
    (field) => field.Field === 'eventCategory' && (field.Equals ?? []).includes(category),
  );

/** What a trail's basic or advanced event selectors record. */
export function selectedEvents(
  basic: readonly EventSelector[],
  advanced: readonly AdvancedEventSelector[],
): { management: boolean; data: boolean } {
  return {
    management:
      basic.some((s) => s.IncludeManagementEvents !== false) ||
      advanced.some((s) => recordsCategory(s, 'Management')),
    data:
      basic.some((s) => (s.DataResources ?? []).length > 0) ||
      advanced.some((s) => recordsCategory(s, 'Data')),
  };
}

/** The trail with its status and event selectors, or null when it was deleted since it was listed. */
async function describeTrail(
  client: CloudTrailClient,
  chosen: ChosenTrail,
  events: ReadonlyMap<string, EventCount | null>,
): Promise<CloudtrailTrail | null> {
  const at = `DescribeTrails (${chosen.region}) ${chosen.arn}`;
  let status: GetTrailStatusCommandOutput;
  let selectors: GetEventSelectorsCommandOutput;
  try {
    // A shadow or organization trail is only found by its ARN.
    [status, selectors] = await Promise.all([
      client.send(new GetTrailStatusCommand({ Name: chosen.arn })),
      client.send(new GetEventSelectorsCommand({ TrailName: chosen.arn })),
    ]);
  } catch (error) {
    if (nameOf(error) === 'TrailNotFoundException') return null;
    throw error;
  }
  const selected = selectedEvents(selectors.EventSelectors ?? [], selectors.AdvancedEventSelectors ?? []);
  const counts = chosen.covered.map((region) => events.get(region) ?? null);
  const countable = selected.management && counts.every((c) => c !== null);
  const trail = chosen.trail;
  return {
    name: required(trail.Name, `${at}.Name`),
    arn: chosen.arn,
    region: chosen.region,
    home_region: required(trail.HomeRegion, `${at}.HomeRegion`),
    is_logging: required(status.IsLogging, `GetTrailStatus(${chosen.arn}) IsLogging`),
    is_multi_region: required(trail.IsMultiRegionTrail, `${at}.IsMultiRegionTrail`),
    include_global_events: trail.IncludeGlobalServiceEvents ?? false,
    is_organization_trail: trail.IsOrganizationTrail ?? false,
    s3_bucket: trail.S3BucketName ?? null,
    kms_key_id: trail.KmsKeyId ?? null,
    log_file_validation: trail.LogFileValidationEnabled ?? false,
    management_events: selected.management,
    data_events: selected.data,
    recent_events_count: countable ? counts.reduce((sum, c) => sum + (c?.count ?? 0), 0) : null,
    recent_events_count_capped: countable && counts.some((c) => c?.capped === true),
    latest_delivery_time: status.LatestDeliveryTime?.toISOString() ?? null,
    latest_delivery_error: status.LatestDeliveryError || null,
    start_logging_time: status.StartLoggingTime?.toISOString() ?? null,
    stop_logging_time: status.StopLoggingTime?.toISOString() ?? null,
  };
}

export const cloudtrailCollector = defineCollector({
  id: 'cloudtrail',
  title: 'CloudTrail: trails, their logging status and event selectors, recent management events',
  scope: 'regional',
  actions: [
    'cloudtrail:DescribeTrails',
    'cloudtrail:LookupEvents',
    'cloudtrail:GetTrailStatus',
    'cloudtrail:GetEventSelectors',
  ],
  tables: ['cloudtrail_logs'],
  schema: cloudtrailPayloadSchema,
  history: 'window',
  async collect(ctx) {
    const client = (region: string) => ctx.clients.client(CloudTrailClient, region);
    const listed = await collectEachRegion(ctx, (region) => listRegion(client(region), ctx));
    const chosen = chooseTrails(ctx.regions, listed.results);
    const events = new Map(listed.results.map((r) => [r.region, r.value.events]));
    // Status and selectors are read where each trail was chosen; a region failing here fails as in the listing.
    const described = await collectEachRegion(
      { ...ctx, regions: ctx.regions.filter((region) => chosen.some((c) => c.region === region)) },
      async (region) => {
        const mine = chosen.filter((c) => c.region === region);
        return mapLimit(mine, TRAIL_CONCURRENCY, (c) => describeTrail(client(region), c, events));
      },
    );
    const trails = described.results
      .flatMap((r) => r.value)
      .filter((t) => t !== null)
      .sort((a, b) => a.arn.localeCompare(b.arn));
    return {
      payload: { cloudtrail: trails },
      rows: trails.length,
      regions: { ...listed.regions, ...described.regions },
      ...(listed.skippedReason === undefined ? {} : { skippedReason: listed.skippedReason }),
    };
  },
});
